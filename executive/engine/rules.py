"""Exception rules: which scopes breach a threshold, and their value at risk (pure pandas).

Each rule returns candidates: a scope key (stable across evaluations, so an exception is
updated rather than duplicated), a title, the measured value, and the value at risk in EUR.
The escalation matrix then maps value at risk to a tier (``tier_for``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from executive.engine import kpis


@dataclass(frozen=True)
class Candidate:
    rule: str
    scope_key: str
    title: str
    measured: float
    value_at_risk_eur: float
    family_code: str = ""
    month: dt.date | None = None


@dataclass(frozen=True)
class RuleDefault:
    code: str
    threshold: float
    unit: str
    default_tier: int
    source: str  # "plan" (after each plan build) or "monitoring" (after imports)


RULE_DEFAULTS: tuple[RuleDefault, ...] = (
    RuleDefault("gap_to_budget", 5.0, "%", 2, "plan"),
    RuleDefault("shortage_value", 10_000.0, "EUR", 1, "plan"),
    RuleDefault("capacity_over", 100.0, "%", 1, "plan"),
    RuleDefault("inventory_cover", 12.0, "weeks", 1, "plan"),
    RuleDefault("tracking_signal", 4.0, "±", 1, "monitoring"),
    RuleDefault("actual_vs_consensus", 20.0, "±%", 1, "monitoring"),
    RuleDefault("forecast_accuracy", 70.0, "%", 1, "monitoring"),
)


def tier_for(
    value_at_risk_eur: float, default_tier: int, tier2_eur: float, tier3_eur: float
) -> int:
    """The escalation matrix: tier 3 from ``tier3_eur``, tier 2 from ``tier2_eur``, else default.

    Never below the rule's default tier (a capacity overload is at least a supply matter)."""
    tier = 3 if value_at_risk_eur >= tier3_eur else 2 if value_at_risk_eur >= tier2_eur else 1
    return max(tier, default_tier)


def _month(value: object) -> dt.date:
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def shortage_value(rows: pd.DataFrame, threshold_eur: float) -> list[Candidate]:
    """Family x month revenue at risk (lost sales at standard price) at or above the threshold."""
    fam = rows.groupby(["family", "month"], as_index=False)["revenue_at_risk_eur"].sum()
    hits = fam[fam["revenue_at_risk_eur"] >= threshold_eur]
    return [
        Candidate(
            "shortage_value",
            f"family:{r.family}|{_month(r.month):%Y-%m}",
            f"Shortage in {r.family}, {_month(r.month):%b %Y}",
            float(r.revenue_at_risk_eur),
            float(r.revenue_at_risk_eur),
            str(r.family),
            _month(r.month),
        )
        for r in hits.itertuples()
    ]


def capacity_over(resources: pd.DataFrame, threshold_pct: float) -> list[Candidate]:
    """Resource x month load above ``threshold_pct`` of capacity (value at risk not priced)."""
    out = []
    for r in resources.itertuples():
        pct = kpis.capacity_utilisation_pct(float(r.load_hours), float(r.capacity_hours))
        if pct is not None and pct > threshold_pct:
            out.append(
                Candidate(
                    "capacity_over",
                    f"resource:{r.resource}|{_month(r.month):%Y-%m}",
                    f"{r.resource} loaded {pct:.0f} % in {_month(r.month):%b %Y}",
                    pct,
                    0.0,
                    "",
                    _month(r.month),
                )
            )
    return out


def inventory_cover(rows: pd.DataFrame, start: dt.date, threshold_weeks: float) -> list[Candidate]:
    """Families whose first-month inventory covers more than ``threshold_weeks`` of demand.

    Value at risk = the inventory value beyond the allowed cover (cash tied up)."""
    out = []
    stamps = pd.to_datetime(rows["month"])
    cost = rows.assign(demand_cost_eur=rows["consensus_demand_units"] * rows["unit_cost_eur"])
    for family, group in cost.groupby("family"):
        first = group[stamps.loc[group.index] == pd.Timestamp(start)]
        later = group[stamps.loc[group.index] > pd.Timestamp(start)]
        monthly = later.groupby("month")["demand_cost_eur"].sum().sort_index().to_numpy()
        stock = float(first["inventory_value_eur"].sum())
        weeks = kpis.weeks_of_supply(stock, monthly)
        if weeks is None or weeks <= threshold_weeks:
            continue
        allowed = stock * threshold_weeks / weeks
        out.append(
            Candidate(
                "inventory_cover",
                f"family:{family}",
                f"{family} inventory covers {weeks:.1f} weeks",
                weeks,
                stock - allowed,
                str(family),
                start,
            )
        )
    return out


def gap_to_budget(
    plan_fam: pd.DataFrame, budget_fam: pd.DataFrame, threshold_pct: float
) -> list[Candidate]:
    """Family revenue of the plan vs the budget over the same months, |gap| beyond threshold.

    ``plan_fam`` and ``budget_fam``: family, revenue_eur. Gap % = 100 · (plan - budget) / budget
    (positive = above budget)."""
    both = plan_fam.merge(budget_fam, on="family", suffixes=("_plan", "_budget"))
    out = []
    for r in both.itertuples():
        gap = kpis.deviation_pct(float(r.revenue_eur_plan), float(r.revenue_eur_budget))
        if gap is not None and abs(gap) > threshold_pct:
            out.append(
                Candidate(
                    "gap_to_budget",
                    f"family:{r.family}",
                    f"{r.family} revenue {gap:+.1f} % vs budget",
                    gap,
                    abs(float(r.revenue_eur_plan - r.revenue_eur_budget)),
                    str(r.family),
                )
            )
    return out


def actual_vs_consensus(family_months: pd.DataFrame, threshold_pct: float) -> list[Candidate]:
    """Family x month actual sales beyond ±threshold % of the consensus plan in force.

    Value at risk = |actual - plan| at standard price."""
    out = []
    for r in family_months.itertuples():
        if r.deviation_pct is None or pd.isna(r.deviation_pct):
            continue
        if abs(r.deviation_pct) > threshold_pct:
            out.append(
                Candidate(
                    "actual_vs_consensus",
                    f"family:{r.family}|{_month(r.month):%Y-%m}",
                    f"{r.family} sold {r.deviation_pct:+.0f} % vs plan in {_month(r.month):%b %Y}",
                    float(r.deviation_pct),
                    abs(float(r.actual_eur - r.plan_eur)),
                    str(r.family),
                    _month(r.month),
                )
            )
    return out


def tracking_signal(
    products: pd.DataFrame, skus: dict[int, str], threshold: float
) -> list[Candidate]:
    """Products whose tracking signal is beyond ±threshold (persistent bias)."""
    out = []
    for r in products.itertuples():
        ts = r.tracking_signal
        if ts is None or pd.isna(ts) or abs(ts) <= threshold:
            continue
        sku = skus.get(int(r.product_id), str(r.product_id))
        direction = "under" if ts > 0 else "over"
        out.append(
            Candidate(
                "tracking_signal",
                f"product:{sku}",
                f"{sku} {direction}-forecast, tracking signal {ts:+.1f}",
                float(ts),
                abs(float(r.net_error_eur)),
                str(r.family),
            )
        )
    return out


def forecast_accuracy(cells: pd.DataFrame, target_pct: float) -> list[Candidate]:
    """Families whose forecast accuracy (100 - WAPE) is below ``target_pct``."""
    out = []
    for family, group in cells.groupby("family"):
        wape = kpis.wape_pct(group["actual_units"], group["plan_units"])
        if wape is None or 100.0 - wape >= target_pct:
            continue
        error = float(
            ((group["actual_units"] - group["plan_units"]).abs() * group["unit_price_eur"]).sum()
        )
        out.append(
            Candidate(
                "forecast_accuracy",
                f"family:{family}",
                f"{family} forecast accuracy {100.0 - wape:.0f} %",
                100.0 - wape,
                error,
                str(family),
            )
        )
    return out
