"""Execution monitoring: actual sales against the plan that was in force, by family and month.

Input ``plan``: product_id, family, month, plan_units (the consensus demand of the approved plan
in force for that month), unit_price_eur. Input ``actuals``: product_id, month, actual_units.
Only months with both a plan and actuals are scored (a month without any actuals is not closed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from executive.engine import kpis


@dataclass(frozen=True)
class Monitoring:
    cells: pd.DataFrame  # product x month: plan_units, actual_units, price
    family_months: pd.DataFrame  # family x month: plan, actual, attainment, deviation
    products: pd.DataFrame  # product: months, tracking_signal, bias_pct, error_eur
    totals: dict[str, float | None]


def scored_cells(plan: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """Product x month cells of the months that have actuals; a planned cell unsold is 0 sold."""
    if plan.empty or actuals.empty:
        return pd.DataFrame(
            columns=[
                "product_id",
                "family",
                "month",
                "plan_units",
                "actual_units",
                "unit_price_eur",
            ]
        )
    plan = plan.groupby(["product_id", "family", "month"], as_index=False).agg(
        plan_units=("plan_units", "sum"), unit_price_eur=("unit_price_eur", "max")
    )
    sold = actuals.groupby(["product_id", "month"], as_index=False)["actual_units"].sum()
    closed = set(sold["month"])
    plan = plan[plan["month"].isin(closed)]
    cells = plan.merge(sold, on=["product_id", "month"], how="left")
    cells["actual_units"] = cells["actual_units"].fillna(0.0)
    return cells.sort_values(["product_id", "month"]).reset_index(drop=True)


def monitor(plan: pd.DataFrame, actuals: pd.DataFrame) -> Monitoring:
    """Attainment and deviation by family x month; tracking signal and bias per product."""
    cells = scored_cells(plan, actuals)
    if cells.empty:
        empty = pd.DataFrame()
        return Monitoring(cells, empty, empty, {})
    cells["plan_eur"] = cells["plan_units"] * cells["unit_price_eur"]
    cells["actual_eur"] = cells["actual_units"] * cells["unit_price_eur"]
    fam = cells.groupby(["family", "month"], as_index=False)[
        ["plan_units", "actual_units", "plan_eur", "actual_eur"]
    ].sum()
    fam["attainment_pct"] = [
        kpis.attainment_pct(a, p)
        for a, p in zip(fam["actual_units"], fam["plan_units"], strict=True)
    ]
    fam["deviation_pct"] = [
        kpis.deviation_pct(a, p)
        for a, p in zip(fam["actual_units"], fam["plan_units"], strict=True)
    ]
    products = cells.groupby("product_id").apply(_product_row, include_groups=False)
    products = products.reset_index()
    last = cells["month"].max()
    latest = cells[cells["month"] == last]
    totals = {
        "wape_pct": kpis.wape_pct(cells["actual_units"], cells["plan_units"]),
        "mape_pct": kpis.mape_pct(cells["actual_units"], cells["plan_units"]),
        "bias_pct": kpis.forecast_bias_pct(cells["actual_units"], cells["plan_units"]),
        "deviation_pct": kpis.deviation_pct(
            float(latest["actual_units"].sum()), float(latest["plan_units"].sum())
        ),
    }
    return Monitoring(cells, fam, products, totals)


def _product_row(group: pd.DataFrame) -> pd.Series:
    actual, plan = group["actual_units"].to_numpy(), group["plan_units"].to_numpy()
    return pd.Series(
        {
            "family": group["family"].iloc[0],
            "months": len(group),
            "tracking_signal": kpis.tracking_signal(actual, plan),
            "bias_pct": kpis.forecast_bias_pct(actual, plan),
            "error_eur": float(np.abs(actual - plan).sum() * group["unit_price_eur"].max()),
            "net_error_eur": float((actual - plan).sum() * group["unit_price_eur"].max()),
        }
    )


def actual_fill_rate_pct(shipped_units: float, past_due_open_units: float) -> float | None:
    """Fill rate from orders where only open lines and shipments are known.

    requested = shipped in the month + order units requested by then and still open
    (past due), so fill rate = shipped / requested. Without requested and shipped dates per
    order line, OTIF cannot be measured and is reported as unavailable. Source: SCOR RL.2.2.
    """
    return kpis.fill_rate_pct(shipped_units, shipped_units + past_due_open_units)
