"""Month facts -> month / quarter / year / horizon figures with the ratio KPIs.

Flows (units, revenue, costs, lost sales) add up over a bucket; stocks do not: the bucket's
closing inventory value is its last month's, the opening its first month's, and the average
inventory value is the mean of the months' (opening + closing) / 2.

KPIs (sign conventions: a gap is scenario - reference, positive = above the reference):
gross_margin_pct            gross margin / revenue x 100.
planned_fill_rate_pct       served / demand units x 100 (= 1 - shortage / demand; SCOR).
days_of_inventory           average inventory value / (COGS / days in the bucket) (DIO).
weeks_of_supply             forward cover of the bucket's closing inventory value against the
                            following months' requirement at cost (`inventory.engine.cover`).
capacity_utilisation_pct    load hours / capacity hours x 100 (totals only).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory.engine.cover import forward_cover_weeks
from reconciliation.engine.rollup import SUM_COLUMNS, TOTAL

BUCKETS = ("month", "quarter", "year", "horizon")
WEEKS_PER_MONTH = 52.0 / 12.0
FLOW_COLUMNS = tuple(c for c in SUM_COLUMNS if not c.endswith("inventory_value_eur"))


def bucket_label(periods: pd.Series, bucket: str) -> pd.Series:
    """'2026-11', '2026-Q4', '2026' or 'Horizon' for each monthly Period."""
    if bucket == "month":
        return periods.astype(str)
    if bucket == "quarter":
        return periods.map(lambda p: f"{p.year}-Q{p.quarter}")
    if bucket == "year":
        return periods.map(lambda p: str(p.year))
    if bucket == "horizon":
        return pd.Series("Horizon", index=periods.index)
    raise ValueError(f"Unknown bucket '{bucket}'; expected one of {', '.join(BUCKETS)}.")


def weeks_of_supply(facts: pd.DataFrame) -> pd.Series:
    """Forward weeks of supply of each fact row's closing inventory value (same index)."""
    out = pd.Series(np.nan, index=facts.index, dtype=float)
    for _, rows in facts.sort_values("period").groupby("family"):
        closing = rows["closing_inventory_value_eur"].to_numpy(dtype=float)
        opening = rows["opening_inventory_value_eur"].to_numpy(dtype=float)[:1]
        stock = np.concatenate([opening, closing])[None, :]
        demand = rows["demand_cost_eur"].to_numpy(dtype=float)[None, :]
        cover = forward_cover_weeks(stock, demand, WEEKS_PER_MONTH)[0, 1:]
        out.loc[rows.index] = np.where(np.isfinite(cover), cover, np.nan)
    return out


def summarise(facts: pd.DataFrame, bucket: str) -> pd.DataFrame:
    """Figures per family and bucket: summed flows, stock values and the KPIs (see above)."""
    frame = facts.sort_values(["family", "period"]).copy()
    frame["bucket"] = bucket_label(frame["period"], bucket)
    frame["days"] = frame["period"].map(lambda p: p.days_in_month).astype(float)
    frame["average_inventory_value_eur"] = (
        frame["opening_inventory_value_eur"] + frame["closing_inventory_value_eur"]
    ) / 2.0
    frame["weeks_of_supply"] = weeks_of_supply(frame)
    grouped = frame.groupby(["family", "bucket"], sort=False)
    out = grouped[[*FLOW_COLUMNS, "days"]].sum()
    out["opening_inventory_value_eur"] = grouped["opening_inventory_value_eur"].first()
    out["closing_inventory_value_eur"] = grouped["closing_inventory_value_eur"].last()
    out["average_inventory_value_eur"] = grouped["average_inventory_value_eur"].mean()
    out["weeks_of_supply"] = grouped["weeks_of_supply"].last()
    out["first_period"] = grouped["period"].first()
    out = out.reset_index()
    return add_ratios(out)


def _ratio(numerator: pd.Series, denominator: pd.Series, scale: float = 100.0) -> pd.Series:
    safe = denominator.where(denominator != 0)
    return numerator / safe * scale


def add_ratios(out: pd.DataFrame) -> pd.DataFrame:
    """The ratio KPIs of summed figures (NaN where the denominator is zero)."""
    out = out.copy()
    out["gross_margin_pct"] = _ratio(out["gross_margin_eur"], out["revenue_eur"])
    out["planned_fill_rate_pct"] = _ratio(out["served_units"], out["demand_units"])
    out["days_of_inventory"] = _ratio(
        out["average_inventory_value_eur"], out["cogs_eur"] / out["days"], 1.0
    )
    out["capacity_utilisation_pct"] = _ratio(out["load_hours"], out["capacity_hours"])
    out["plan_cost_eur"] = out[["production_cost_eur", "purchase_cost_eur", "transport_cost_eur",
                                "holding_cost_eur", "overtime_cost_eur"]].sum(axis=1)  # fmt: skip
    return out


def versus(
    figures: pd.DataFrame, reference: pd.DataFrame, columns: dict[str, str], prefix: str
) -> pd.DataFrame:
    """Join ``reference`` (family, bucket and its columns) and add gaps.

    ``columns`` maps a figure column to the reference column it is compared with; for each,
    ``{prefix}_{figure}`` (the reference value), ``{prefix}_{figure}_gap`` (figure - reference)
    and ``{prefix}_{figure}_gap_pct`` (gap / |reference| x 100) are added.
    """
    ref = reference[["family", "bucket", *columns.values()]]
    ref = ref.rename(columns={v: f"{prefix}_{k}" for k, v in columns.items()})
    out = figures.merge(ref, on=["family", "bucket"], how="left")
    for figure in columns:
        base = out[f"{prefix}_{figure}"]
        out[f"{prefix}_{figure}_gap"] = out[figure] - base
        out[f"{prefix}_{figure}_gap_pct"] = _ratio(out[f"{prefix}_{figure}_gap"], base.abs())
    return out


def budget_figures(budget: pd.DataFrame, bucket: str) -> pd.DataFrame:
    """Budget lines (family, period, units, revenue_eur, cogs_eur) summed per family and bucket,
    with a total row per bucket (family ``*``)."""
    totals = budget.groupby("period", as_index=False)[["units", "revenue_eur", "cogs_eur"]].sum()
    frame = pd.concat([budget, totals.assign(family=TOTAL)], ignore_index=True)
    frame["bucket"] = bucket_label(frame["period"], bucket)
    out = frame.groupby(["family", "bucket"], as_index=False)[
        ["units", "revenue_eur", "cogs_eur"]
    ].sum()
    out["gross_margin_eur"] = out["revenue_eur"] - out["cogs_eur"]
    return out
