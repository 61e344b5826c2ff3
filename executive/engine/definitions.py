"""The KPI tiles of the decision dashboard: label, unit, formula and sign convention.

One table, read by the dashboard (hover text), the meeting pack and the tests, so a definition
is written once. ``better`` says which direction is good ("up", "down" or "" for neutral), which
colours the deltas.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KpiDef:
    key: str
    label: str
    unit: str  # "eur", "pct", "x", "days", "weeks", "units", "count"
    formula: str
    sign: str
    better: str


KPI_DEFS: tuple[KpiDef, ...] = (
    KpiDef(
        "revenue_eur",
        "Revenue",
        "eur",
        "Σ served units x standard price, next 12 months of the plan",
        "",
        "up",
    ),
    KpiDef(
        "gross_margin_eur",
        "Gross margin",
        "eur",
        "Revenue - COGS (COGS = served units x standard cost)",
        "",
        "up",
    ),
    KpiDef("gross_margin_pct", "Gross margin %", "pct", "100 · gross margin / revenue", "", "up"),
    KpiDef(
        "planned_fill_rate_pct",
        "Planned fill rate",
        "pct",
        "100 · (1 - lost sales / consensus demand) (SCOR RL.2.2)",
        "",
        "up",
    ),
    KpiDef(
        "actual_fill_rate_pct",
        "Fill rate (actual)",
        "pct",
        "100 · shipped / (shipped + past-due open order units), last closed month",
        "",
        "up",
    ),
    KpiDef(
        "otif_pct",
        "OTIF",
        "pct",
        "Orders on time and in full / orders; needs requested and shipped dates per order",
        "",
        "up",
    ),
    KpiDef(
        "inventory_value_eur",
        "Inventory value",
        "eur",
        "Average month-end projected inventory x standard cost",
        "",
        "down",
    ),
    KpiDef(
        "inventory_turns",
        "Inventory turns",
        "x",
        "Annualised COGS / average inventory at cost (APICS)",
        "",
        "up",
    ),
    KpiDef(
        "dio_days",
        "DIO",
        "days",
        "Average inventory value / (annual COGS / 365) (SCOR AM.1.2)",
        "",
        "down",
    ),
    KpiDef(
        "weeks_of_supply",
        "Weeks of supply",
        "weeks",
        "Weeks until the first month-end inventory value is consumed by later months' COGS",
        "",
        "",
    ),
    KpiDef(
        "backorder_units",
        "Backorders",
        "units",
        "Past-due open order units served in the first plan month (backlog)",
        "",
        "down",
    ),
    KpiDef(
        "revenue_at_risk_eur",
        "Revenue at risk",
        "eur",
        "Lost sales units x standard price, next 12 months",
        "",
        "down",
    ),
    KpiDef(
        "wape_pct",
        "Forecast error (WAPE)",
        "pct",
        "100 · Σ|A - F| / ΣA, last approved plan vs actual sales; accuracy = 100 - WAPE",
        "",
        "down",
    ),
    KpiDef(
        "mape_pct",
        "Forecast error (MAPE)",
        "pct",
        "100 · mean(|A - F| / A) over product-months with A > 0",
        "",
        "down",
    ),
    KpiDef(
        "bias_pct",
        "Forecast bias",
        "pct",
        "100 · Σ(F - A) / ΣA",
        "positive = over-forecast, negative = under-forecast",
        "",
    ),
    KpiDef(
        "deviation_pct",
        "Deviation from consensus",
        "pct",
        "100 · (actual - consensus plan) / consensus plan, last closed month",
        "positive = sold above plan",
        "",
    ),
    KpiDef(
        "capacity_utilisation_pct",
        "Capacity utilisation",
        "pct",
        "100 · Σ load hours / Σ capacity hours, next 12 months",
        "over 100 = overload",
        "",
    ),
    KpiDef(
        "approved_exceptions",
        "Approved exceptions",
        "count",
        "Deviations from the consensus plan the executive accepted at approval (number)",
        "",
        "",
    ),
    KpiDef(
        "approved_exceptions_eur",
        "Approved exceptions value",
        "eur",
        "Value at risk of the exceptions accepted at approval",
        "",
        "down",
    ),
)
KPI_BY_KEY: dict[str, KpiDef] = {k.key: k for k in KPI_DEFS}
