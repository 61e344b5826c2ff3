"""Financial roll-up: a plan's product x site x month rows -> family x month facts and totals.

Input frames
plan        product, site, family, period, demand_units, served_units, lost_sales_units,
            opening_inventory_units, closing_inventory_units, production_cost_eur,
            purchase_cost_eur, transport_cost_eur, holding_cost_eur (plan costs of that month).
prices      product, period, unit_price_eur, unit_cost_eur (the cycle's snapshot after levers).
resources   resource, period, load_hours, capacity_hours, overtime_hours, overtime_cost_eur.

Output (`FACT_COLUMNS`): one row per family and month, plus one row per month with
``family == TOTAL`` holding the sum over families and the resource figures (overtime cost,
load and capacity hours are resource figures, so they sit on the total rows only).

Definitions (sources: APICS/ASCM dictionary; the company's standard costing):
revenue_eur             served units x standard unit price (revenue at standard price).
cogs_eur                served units x standard unit cost.
gross_margin_eur        revenue - COGS.
revenue_at_risk_eur     lost-sales units x standard unit price (positive = revenue lost).
*_inventory_value_eur   inventory units x standard unit cost (opening / closing of the month).
demand_cost_eur         demand units x unit cost: the forward requirement weeks of supply uses.
"""

from __future__ import annotations

import pandas as pd

TOTAL = "*"
SUM_COLUMNS = (
    "demand_units", "served_units", "lost_sales_units", "revenue_eur", "cogs_eur",
    "gross_margin_eur", "production_cost_eur", "purchase_cost_eur", "transport_cost_eur",
    "holding_cost_eur", "overtime_cost_eur", "revenue_at_risk_eur",
    "opening_inventory_value_eur", "closing_inventory_value_eur", "demand_cost_eur",
    "load_hours", "capacity_hours",
)  # fmt: skip
FACT_COLUMNS = ("family", "period", *SUM_COLUMNS)
PLAN_COLUMNS = (
    "product", "site", "family", "period", "demand_units", "served_units", "lost_sales_units",
    "opening_inventory_units", "closing_inventory_units", "production_cost_eur",
    "purchase_cost_eur", "transport_cost_eur", "holding_cost_eur",
)  # fmt: skip
RESOURCE_COLUMNS = ("resource", "period", "load_hours", "capacity_hours", "overtime_hours",
                    "overtime_cost_eur")  # fmt: skip


def roll_up(plan: pd.DataFrame, prices: pd.DataFrame, resources: pd.DataFrame) -> pd.DataFrame:
    """Family x month facts and the per-month totals (`FACT_COLUMNS`), sorted by family, period.

    Raises ValueError naming the products and months a plan row has no price for.
    """
    rows = plan.merge(prices[["product", "period", "unit_price_eur", "unit_cost_eur"]],
                      on=["product", "period"], how="left")  # fmt: skip
    missing = rows.loc[rows["unit_price_eur"].isna(), ["product", "period"]]
    if len(missing):
        shown = ", ".join(f"{p} {m}" for p, m in missing.head(5).itertuples(index=False))
        raise ValueError(f"No price/cost snapshot for {len(missing)} plan row(s): {shown}")
    price, cost = rows["unit_price_eur"], rows["unit_cost_eur"]
    rows = rows.assign(
        revenue_eur=rows["served_units"] * price,
        cogs_eur=rows["served_units"] * cost,
        revenue_at_risk_eur=rows["lost_sales_units"] * price,
        opening_inventory_value_eur=rows["opening_inventory_units"] * cost,
        closing_inventory_value_eur=rows["closing_inventory_units"] * cost,
        demand_cost_eur=rows["demand_units"] * cost,
    )
    rows["gross_margin_eur"] = rows["revenue_eur"] - rows["cogs_eur"]
    family_columns = [c for c in SUM_COLUMNS if c in rows.columns]
    families = rows.groupby(["family", "period"], as_index=False)[family_columns].sum()
    for column in ("overtime_cost_eur", "load_hours", "capacity_hours"):
        families[column] = 0.0
    totals = families.groupby("period", as_index=False)[list(SUM_COLUMNS)].sum()
    if len(resources):
        load = resources.groupby("period")[["load_hours", "capacity_hours", "overtime_cost_eur"]]
        totals = totals.drop(columns=["load_hours", "capacity_hours", "overtime_cost_eur"])
        totals = totals.merge(load.sum().reset_index(), on="period", how="left").fillna(0.0)
    totals["family"] = TOTAL
    facts = pd.concat([families, totals], ignore_index=True)[list(FACT_COLUMNS)]
    return facts.sort_values(["family", "period"], ignore_index=True)
