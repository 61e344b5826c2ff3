"""Roll a consensus plan up into the facts the dashboard reads, and the change waterfall.

Input ``rows``: one row per product x site x month with the columns of
``cycles.plan_models.PlanRowColumns`` plus ``product_id``, ``site_id`` and ``family``. Input
``resources``: resource x month with ``load_hours`` and ``capacity_hours``. The KPI window is
``months`` months from the cycle month, given by the caller (``cycles.windows.kpi_window``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from executive.engine import kpis

KEY = ["product_id", "site_id", "month"]
NUMBER_COLUMNS = [
    "consensus_demand_units",
    "backlog_units",
    "served_units",
    "lost_sales_units",
    "projected_inventory_units",
    "unit_price_eur",
    "unit_cost_eur",
    "revenue_eur",
    "cogs_eur",
    "gross_margin_eur",
    "revenue_at_risk_eur",
    "inventory_value_eur",
]


@dataclass(frozen=True)
class PlanFacts:
    kpis: dict[str, float | None]
    families: list[dict[str, Any]] = field(default_factory=list)
    months: list[dict[str, Any]] = field(default_factory=list)


def window(rows: pd.DataFrame, start: dt.date, months: int) -> pd.DataFrame:
    """The rows of the ``months`` months starting at ``start``."""
    if rows.empty:
        return rows
    end = pd.Timestamp(start) + pd.DateOffset(months=months)
    stamps = pd.to_datetime(rows["month"])
    return rows[(stamps >= pd.Timestamp(start)) & (stamps < end)]


def plan_facts(
    rows: pd.DataFrame, resources: pd.DataFrame, start: dt.date, window_months: int
) -> PlanFacts:
    """KPI values, family totals and monthly totals of a plan over the ``window_months`` months
    from ``start``."""
    rows = window(rows, start, window_months)
    months = int(rows["month"].nunique()) if not rows.empty else 0
    sums = {c: float(rows[c].sum()) if not rows.empty else 0.0 for c in NUMBER_COLUMNS}
    monthly = _monthly(rows)
    avg_inventory = float(monthly["inventory_value_eur"].mean()) if months else 0.0
    first = rows[pd.to_datetime(rows["month"]) == pd.Timestamp(start)] if months else rows
    res = window(resources, start, window_months)
    values: dict[str, float | None] = {
        "revenue_eur": sums["revenue_eur"],
        "gross_margin_eur": sums["gross_margin_eur"],
        "gross_margin_pct": kpis.gross_margin_pct(sums["revenue_eur"], sums["gross_margin_eur"]),
        "planned_fill_rate_pct": kpis.fill_rate_pct(
            sums["consensus_demand_units"] - sums["lost_sales_units"],
            sums["consensus_demand_units"],
        ),
        "inventory_value_eur": avg_inventory,
        "inventory_turns": kpis.inventory_turns(sums["cogs_eur"], avg_inventory, months),
        "dio_days": kpis.days_inventory_outstanding(avg_inventory, sums["cogs_eur"], months),
        "weeks_of_supply": _weeks_of_supply(monthly),
        "backorder_units": float(first["backlog_units"].sum()) if months else 0.0,
        "revenue_at_risk_eur": sums["revenue_at_risk_eur"],
        "capacity_utilisation_pct": kpis.capacity_utilisation_pct(
            float(res["load_hours"].sum()) if not res.empty else 0.0,
            float(res["capacity_hours"].sum()) if not res.empty else 0.0,
        ),
    }
    return PlanFacts(values, _families(rows), _records(monthly))


def _monthly(rows: pd.DataFrame) -> pd.DataFrame:
    columns = [
        "consensus_demand_units",
        "served_units",
        "lost_sales_units",
        "revenue_eur",
        "cogs_eur",
        "gross_margin_eur",
        "inventory_value_eur",
        "revenue_at_risk_eur",
    ]
    if rows.empty:
        return pd.DataFrame(columns=["month", *columns])
    demand_cost = (rows["consensus_demand_units"] * rows["unit_cost_eur"]).rename("demand_cost_eur")
    frame = pd.concat([rows[["month", *columns]], demand_cost], axis=1)
    return frame.groupby("month", as_index=False).sum().sort_values("month")


def _weeks_of_supply(monthly: pd.DataFrame) -> float | None:
    """In value terms, so products of different size add up: stock at cost vs demand at cost."""
    if len(monthly) < 2:
        return None
    stock = float(monthly["inventory_value_eur"].iloc[0])
    return kpis.weeks_of_supply(stock, monthly["demand_cost_eur"].iloc[1:].to_numpy())


def _families(rows: pd.DataFrame) -> list[dict[str, Any]]:
    if rows.empty:
        return []
    grouped = rows.groupby("family", as_index=False)[NUMBER_COLUMNS[:4] + NUMBER_COLUMNS[7:]].sum()
    return _records(grouped.sort_values("revenue_eur", ascending=False))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for record in frame.to_dict("records"):
        out.append({k: _plain(v) for k, v in record.items()})
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | pd.Timestamp):
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def margin_waterfall(
    previous: pd.DataFrame, current: pd.DataFrame, holding_rate_pct: float
) -> list[dict[str, Any]]:
    """What moved the plan's margin after inventory carrying cost since the last approved plan.

    Per product x site x month (missing on one side = 0 units), with unit margin m = P - C and
    served q = demand d - lost sales:

    * demand    = Σ (d1 - d0) · m0                  (volume at the old margin, if fully served)
    * supply    = Σ ((q1 - d1) - (q0 - d0)) · m0    (more or fewer lost sales)
    * price     = Σ (P1 - P0) · q1
    * cost      = -Σ (C1 - C0) · q1
    * inventory = -(holding rate / 12) · Σ (inventory value1 - inventory value0) per month

    demand + supply + price + cost = GM1 - GM0 exactly; with the inventory bar the bars sum to
    the change of "margin after carrying cost". Where a key is new, m0 takes the current prices.
    Returns [{"driver", "value_eur"}] starting with the previous total and ending with the new.
    """
    cols = [
        "consensus_demand_units",
        "served_units",
        "unit_price_eur",
        "unit_cost_eur",
        "inventory_value_eur",
    ]
    both = previous[KEY + cols].merge(
        current[KEY + cols], on=KEY, how="outer", suffixes=("_0", "_1")
    )
    for side, other in (("0", "1"), ("1", "0")):
        for col in ("unit_price_eur", "unit_cost_eur"):
            both[f"{col}_{side}"] = both[f"{col}_{side}"].fillna(both[f"{col}_{other}"])
    both = both.fillna(0.0)
    m0 = both["unit_price_eur_0"] - both["unit_cost_eur_0"]
    d0, d1 = both["consensus_demand_units_0"], both["consensus_demand_units_1"]
    q0, q1 = both["served_units_0"], both["served_units_1"]
    rate = holding_rate_pct / 100.0 / 12.0
    carry0 = rate * float(both["inventory_value_eur_0"].sum())
    carry1 = rate * float(both["inventory_value_eur_1"].sum())
    gm0 = float((q0 * m0).sum())
    gm1 = float((q1 * (both["unit_price_eur_1"] - both["unit_cost_eur_1"])).sum())
    bars = [
        ("Last approved", gm0 - carry0),
        ("Demand", float(((d1 - d0) * m0).sum())),
        ("Price", float(((both["unit_price_eur_1"] - both["unit_price_eur_0"]) * q1).sum())),
        ("Cost", -float(((both["unit_cost_eur_1"] - both["unit_cost_eur_0"]) * q1).sum())),
        ("Supply", float((((q1 - d1) - (q0 - d0)) * m0).sum())),
        ("Inventory", -(carry1 - carry0)),
        ("This plan", gm1 - carry1),
    ]
    return [{"driver": name, "value_eur": round(value, 2)} for name, value in bars]
