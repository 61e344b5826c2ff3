"""Process health per cycle ("leadership should routinely survey the SIOP process").

Per cycle: stages signed off on time, days late, reopenings, the share of the forecast the
consensus changed (overrides) and its value added (statistical WAPE - consensus WAPE on months
that have actuals, Gilliland's FVA: positive = the overrides improved the forecast), and the
decisions open past their due date. The page reads a dozen small aggregates and the override
facts the Celery tasks stored with each cycle's KPI facts (``override_facts``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db.models import Count, Q, Sum
from django.utils import timezone

from cycles.models import CycleStage, PlanningCycle, StageEvent
from datainputs.models import SalesHistory
from demand import selectors as demand_selectors
from executive.engine import kpis
from executive.models import FactSource, KpiSnapshot, RegisterEntry, RegisterKind, RegisterStatus

SIGN_ACTIONS = ("sign_off", "approve")


@dataclass(frozen=True)
class CycleHealth:
    cycle: PlanningCycle
    stages: int
    on_time: int
    days_late: int
    reopenings: int
    override_share_pct: float | None
    fva_pct_points: float | None
    decisions_past_due: int

    @property
    def on_time_pct(self) -> float | None:
        return 100.0 * self.on_time / self.stages if self.stages else None


def _stage_lateness(cycle: PlanningCycle, today: dt.date) -> tuple[int, int, int]:
    signed: dict[str, dt.date] = {}
    for key, when in (
        StageEvent.objects.filter(cycle=cycle, action__in=SIGN_ACTIONS)
        .values_list("stage_key", "created_at")
        .order_by("created_at")
    ):
        signed[key] = timezone.localtime(when).date()
    stages = list(CycleStage.objects.filter(cycle=cycle).values_list("key", "due_date"))
    on_time, late = 0, 0
    for key, due in stages:
        done = signed.get(key)
        days = ((done or today) - due).days
        if done is not None and days <= 0:
            on_time += 1
        late += max(days, 0) if (done is not None or today > due) else 0
    return len(stages), on_time, late


def override_facts(cycle: PlanningCycle) -> dict[str, float | None]:
    """Share of the cycle's forecast cells the consensus overrode, and their value added.

    Read through the demand review's selectors (statistical + events vs consensus per product
    x month); the value added is scored on the months that have actual sales. Heavy at scale:
    called by the Celery tasks, stored with the cycle's facts, read by the health page."""
    cells = demand_selectors.consensus_frame(cycle)
    if cells.empty:
        return {"override_share_pct": None, "override_fva_pp": None}
    share = 100.0 * float(cells["overridden"].sum()) / len(cells)
    months = sorted(set(cells["month"]))
    sold = (
        SalesHistory.objects.filter(month__in=months)
        .values("product_id", "month")
        .annotate(q=Sum("quantity"))
        .values_list("product_id", "month", "q")
    )
    actual = pd.DataFrame.from_records(list(sold), columns=["product_id", "month", "actual"])
    fva = None
    if not actual.empty:
        scored = cells.merge(
            actual.astype({"actual": float}), on=["product_id", "month"], how="inner"
        )
        forecast = scored["statistical_units"] + scored["event_units"]
        stat = kpis.wape_pct(scored["actual"], forecast)
        cons = kpis.wape_pct(scored["actual"], scored["consensus_units"])
        fva = stat - cons if stat is not None and cons is not None else None
    return {"override_share_pct": share, "override_fva_pp": fva}


def _stored_overrides(cycles: list[PlanningCycle]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for cycle_id, source, values in KpiSnapshot.objects.filter(cycle__in=cycles).values_list(
        "cycle_id", "source", "kpis"
    ):
        if source == FactSource.APPROVED or cycle_id not in found:
            found[cycle_id] = values
    return found


def cycle_health(cycles: list[PlanningCycle], today: dt.date | None = None) -> list[CycleHealth]:
    """Health of each cycle in ``cycles`` (oldest first for the trend)."""
    today = today or timezone.localdate()
    reopen = dict(
        StageEvent.objects.filter(cycle__in=cycles, action="reopen")
        .values("cycle")
        .annotate(n=Count("id"))
        .values_list("cycle", "n")
    )
    past_due = dict(
        RegisterEntry.objects.filter(cycle__in=cycles, kind=RegisterKind.DECISION)
        .exclude(status=RegisterStatus.CLOSED)
        .filter(Q(due_date__lt=today))
        .values("cycle")
        .annotate(n=Count("id"))
        .values_list("cycle", "n")
    )
    stored = _stored_overrides(cycles)
    out = []
    for cycle in sorted(cycles, key=lambda c: c.month):
        stages, on_time, late = _stage_lateness(cycle, today)
        facts = stored.get(cycle.pk, {})
        share, fva = facts.get("override_share_pct"), facts.get("override_fva_pp")
        out.append(
            CycleHealth(
                cycle,
                stages,
                on_time,
                late,
                reopen.get(cycle.pk, 0),
                share,
                fva,
                past_due.get(cycle.pk, 0),
            )
        )
    return out
