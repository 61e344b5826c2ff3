"""Evaluate the exception rules: on a cycle's plan (after each plan build) and on execution
(actual sales vs the approved plan in force, after imports and nightly).

Both are called from ``executive.tasks`` only; pages read what they stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from django.db.models import Sum

from cycles.models import ApprovedPlan, PlanningCycle
from cycles.windows import kpi_window
from datainputs.models import OpenOrder, SalesHistory
from executive import exceptions, scenarios, selectors
from executive.engine import monitoring, rules
from executive.engine.plan_facts import window
from executive.models import ExceptionRule, PerformanceSnapshot, PlanException
from masterdata.models import Product

PLAN_RULES = [d.code for d in rules.RULE_DEFAULTS if d.source == "plan"]
MONITORING_RULES = [d.code for d in rules.RULE_DEFAULTS if d.source == "monitoring"]
MONITORED_MONTHS = 12


def _enabled(all_rules: dict[str, ExceptionRule], code: str) -> ExceptionRule | None:
    rule = all_rules[code]
    return rule if rule.enabled else None


def evaluate_plan(cycle_id: int, frames: selectors.PlanFrames | None = None) -> list[PlanException]:
    """Run the plan rules on the cycle's live consensus plan (12-month window).

    ``frames`` (plan rows, resource rows) when the caller already read them."""
    cycle = PlanningCycle.objects.filter(pk=cycle_id).first()
    if cycle is None or cycle.is_locked or selectors.consensus_plan(cycle) is None:
        return []
    all_rules = exceptions.ensure_rules()
    plan_rows, resource_rows = frames or selectors.plan_frames(cycle)
    months = kpi_window(cycle).months
    rows = window(plan_rows, cycle.month, months)
    resources = window(resource_rows, cycle.month, months)
    found: list[rules.Candidate] = []
    if not rows.empty:
        if rule := _enabled(all_rules, "shortage_value"):
            found += rules.shortage_value(rows, rule.threshold)
        if rule := _enabled(all_rules, "inventory_cover"):
            found += rules.inventory_cover(rows, cycle.month, rule.threshold)
        if rule := _enabled(all_rules, "gap_to_budget"):
            found += _budget_gaps(cycle, rows, rule.threshold)
    if not resources.empty and (rule := _enabled(all_rules, "capacity_over")):
        found += rules.capacity_over(resources, rule.threshold)
    return exceptions.record(cycle, found, PLAN_RULES)


def _budget_gaps(cycle: PlanningCycle, rows: pd.DataFrame, threshold: float) -> list[Any]:
    months = sorted({pd.Timestamp(m).date() for m in rows["month"]})
    budget = scenarios.budget_by_family(cycle, months)
    if budget is None:
        return []
    plan_fam = rows.groupby("family", as_index=False)["revenue_eur"].sum()
    return rules.gap_to_budget(plan_fam, budget[["family", "revenue_eur"]], threshold)


def plan_in_force(first: dt.date) -> pd.DataFrame:
    """For each month from ``first``, the consensus demand of the newest plan approved for a
    cycle at or before that month (what execution was supposed to follow), by product."""
    approved = list(ApprovedPlan.objects.select_related("cycle").order_by("cycle__month"))
    frames = []
    for index, plan in enumerate(approved):
        start = max(plan.cycle.month, first)
        end = approved[index + 1].cycle.month if index + 1 < len(approved) else None
        rows = plan.rows.filter(month__gte=start)
        if end is not None:
            rows = rows.filter(month__lt=end)
        values = rows.values_list(
            "product_id_at_approval",
            "family_code",
            "month",
            "consensus_demand_units",
            "unit_price_eur",
        )
        frames.append(
            pd.DataFrame.from_records(
                list(values),
                columns=["product_id", "family", "month", "plan_units", "unit_price_eur"],
            )
        )
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(
            columns=["product_id", "family", "month", "plan_units", "unit_price_eur"]
        )
    return pd.concat(frames, ignore_index=True)


def _actuals(first: dt.date) -> pd.DataFrame:
    values = (
        SalesHistory.objects.filter(month__gte=first)
        .values("product_id", "month")
        .annotate(actual_units=Sum("quantity"))
        .values_list("product_id", "month", "actual_units")
    )
    frame = pd.DataFrame.from_records(list(values), columns=["product_id", "month", "actual_units"])
    frame["actual_units"] = frame["actual_units"].astype(float)
    return frame


def _fill_rate(month: dt.date | None) -> float | None:
    """Shipped units of the last closed month vs shipped + order units past due by its end."""
    if month is None:
        return None
    shipped = SalesHistory.objects.filter(month=month).aggregate(t=Sum("quantity"))["t"] or 0
    month_end = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()
    past_due = (
        OpenOrder.objects.filter(requested_date__lte=month_end).aggregate(t=Sum("quantity"))["t"]
        or 0
    )
    return monitoring.actual_fill_rate_pct(float(shipped), float(past_due))


def monitor_execution() -> PerformanceSnapshot:
    """Actuals vs the plan in force for the last 12 months; breaches become exceptions."""
    last = SalesHistory.objects.order_by("-month").values_list("month", flat=True).first()
    first = pd.Timestamp(last or dt.date.today()) - pd.DateOffset(months=MONITORED_MONTHS - 1)
    result = monitoring.monitor(plan_in_force(first.date()), _actuals(first.date()))
    through = max(result.cells["month"]) if not result.cells.empty else None
    totals = dict(result.totals)
    totals["actual_fill_rate_pct"] = _fill_rate(through)
    snap = PerformanceSnapshot.objects.create(
        through_month=through,
        totals=totals,
        family_months=_records(result.family_months),
        product_breaches=_records(_worst_products(result.products)),
    )
    _record_breaches(result)
    return snap


def _worst_products(products: pd.DataFrame, limit: int = 200) -> pd.DataFrame:
    if products.empty:
        return products
    skus = dict(
        Product.objects.filter(pk__in=products["product_id"].tolist()).values_list("id", "sku")
    )
    ordered = products.assign(
        sku=products["product_id"].map(skus), abs_ts=products["tracking_signal"].abs()
    )
    return ordered.sort_values("abs_ts", ascending=False).head(limit).drop(columns="abs_ts")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    if frame.empty:
        return []
    clean = frame.astype(object).where(frame.notna(), None)
    out = []
    for row in clean.to_dict("records"):
        out.append({k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()})
    return out


def _record_breaches(result: monitoring.Monitoring) -> None:
    all_rules = exceptions.ensure_rules()
    found: list[rules.Candidate] = []
    if not result.family_months.empty:
        if rule := _enabled(all_rules, "actual_vs_consensus"):
            found += rules.actual_vs_consensus(result.family_months, rule.threshold)
        if rule := _enabled(all_rules, "forecast_accuracy"):
            found += rules.forecast_accuracy(result.cells, rule.threshold)
        if rule := _enabled(all_rules, "tracking_signal"):
            skus = dict(Product.objects.values_list("id", "sku"))
            found += rules.tracking_signal(result.products, skus, rule.threshold)
    exceptions.record(selectors.target_cycle_for_monitoring(), found, MONITORING_RULES)
