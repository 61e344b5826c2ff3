"""Build the dashboard's precomputed facts of a cycle (called from Celery tasks, never pages).

``refresh_plan_facts`` rolls up the cycle's live consensus plan; ``refresh_approved_facts`` the
frozen approved snapshot. Both also store the margin waterfall against the last plan approved
before the cycle, over the same 12-month window, so the dashboard only reads JSON.
"""

from __future__ import annotations

import pandas as pd
from django.conf import settings

from cycles.models import PlanningCycle
from cycles.windows import kpi_window
from executive import selectors
from executive.engine.plan_facts import margin_waterfall, plan_facts, window
from executive.models import Approval, FactSource, KpiSnapshot, PerformanceSnapshot
from executive.selectors import PlanFrames


def holding_rate_pct() -> float:
    """Annual inventory carrying cost in % of inventory value (the waterfall's inventory bar)."""
    return float(getattr(settings, "EXECUTIVE_HOLDING_RATE_PCT", 20.0))


def refresh_plan_facts(cycle_id: int, frames: PlanFrames | None = None) -> KpiSnapshot | None:
    """Roll up the live consensus plan of ``cycle_id``; None when it has no plan yet.

    ``frames`` (plan rows, resource rows) when the caller already read them."""
    cycle = PlanningCycle.objects.filter(pk=cycle_id).first()
    plan = selectors.consensus_plan(cycle) if cycle else None
    if cycle is None or plan is None:
        return None
    rows, resources = frames or (selectors.plan_frame(cycle), selectors.resource_frame(cycle))
    return _store(cycle, FactSource.PLAN, plan.version, rows, resources, live=True)


def refresh_approved_facts(cycle_id: int) -> KpiSnapshot | None:
    """Roll up the frozen approved plan of ``cycle_id`` (once approved, it never changes)."""
    cycle = PlanningCycle.objects.filter(pk=cycle_id).first()
    if cycle is None or not hasattr(cycle, "approved_plan"):
        return None
    rows = selectors.approved_frame(cycle)
    return _store(
        cycle,
        FactSource.APPROVED,
        0,
        rows,
        selectors.resource_frame(cycle, approved=True),
        live=False,
    )


def _store(
    cycle: PlanningCycle,
    source: str,
    version: int,
    rows: pd.DataFrame,
    resources: pd.DataFrame,
    *,
    live: bool,
) -> KpiSnapshot:
    facts = plan_facts(rows, resources, cycle.month, kpi_window(cycle).months)
    values = dict(facts.kpis)
    values.update(_monitoring_kpis())
    approval = (
        Approval.objects.filter(cycle=cycle)
        .only("accepted_exceptions", "accepted_exceptions_eur")
        .first()
    )
    if approval is not None:
        values.update(
            approved_exceptions=approval.accepted_exceptions,
            approved_exceptions_eur=approval.accepted_exceptions_eur,
        )
    previous = selectors.last_approved_before(cycle.month)
    bars: list[dict[str, object]] = []
    if previous is not None and not rows.empty:
        before = window(selectors.approved_frame(previous), cycle.month, kpi_window(cycle).months)
        after = window(selectors.site_keys_as_codes(rows) if live else rows, cycle.month,
                       kpi_window(cycle).months)  # fmt: skip
        bars = margin_waterfall(before, after, holding_rate_pct())
    snap, _ = KpiSnapshot.objects.update_or_create(
        cycle=cycle,
        source=source,
        defaults={
            "plan_version": version,
            "kpis": values,
            "families": facts.families,
            "months": facts.months,
            "waterfall": bars,
            "compared_to": previous,
        },
    )
    return snap


def _monitoring_kpis() -> dict[str, float | None]:
    """Forecast accuracy, bias, deviation and actual fill rate from the latest monitoring."""
    latest: PerformanceSnapshot | None = selectors.latest_performance()
    if latest is None:
        return {}
    keys = ("wape_pct", "mape_pct", "bias_pct", "deviation_pct", "actual_fill_rate_pct")
    return {k: latest.totals.get(k) for k in keys}


def merge_kpis(cycle_id: int, values: dict[str, float | None]) -> None:
    """Add ``values`` to every stored fact set of the cycle (e.g. the process-health facts)."""
    for snap in KpiSnapshot.objects.filter(cycle_id=cycle_id):
        snap.kpis = {**snap.kpis, **values}
        snap.save(update_fields=["kpis", "computed_at"])
