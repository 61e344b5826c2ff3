"""Process health per cycle ("leadership should routinely survey the SIOP process").

Per cycle: stages signed off on time, days late, reopenings, the share of the forecast the
consensus changed (overrides) and its value added (statistical WAPE - consensus WAPE on months
that have actuals, Gilliland's FVA: positive = the overrides improved the forecast), and the
decisions open past their due date. A dozen small aggregate queries; no plan rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from cycles.models import CycleStage, PlanningCycle, StageEvent
from datainputs.models import SalesHistory
from demand.models import ConsensusSnapshot
from executive.engine import kpis
from executive.models import RegisterEntry, RegisterKind, RegisterStatus

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


def _overrides(cycle: PlanningCycle) -> tuple[float | None, float | None]:
    cells = list(
        ConsensusSnapshot.objects.filter(cycle=cycle).values_list(
            "product_id", "month", "statistical_units", "consensus_units"
        )
    )
    if not cells:
        return None, None
    changed = sum(1 for c in cells if abs(float(c[3]) - float(c[2])) > 1e-6)
    months = sorted({c[1] for c in cells})
    sold = {
        (p, m): float(q)
        for p, m, q in SalesHistory.objects.filter(
            month__in=months, product_id__in={c[0] for c in cells}
        )
        .values("product_id", "month")
        .annotate(q=Sum("quantity"))
        .values_list("product_id", "month", "q")
    }
    scored = [c for c in cells if c[1] in {m for _, m in sold}]
    fva = None
    if scored:
        actual = [sold.get((c[0], c[1]), 0.0) for c in scored]
        stat = kpis.wape_pct(actual, [float(c[2]) for c in scored])
        cons = kpis.wape_pct(actual, [float(c[3]) for c in scored])
        fva = stat - cons if stat is not None and cons is not None else None
    return 100.0 * changed / len(cells), fva


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
    out = []
    for cycle in sorted(cycles, key=lambda c: c.month):
        stages, on_time, late = _stage_lateness(cycle, today)
        share, fva = _overrides(cycle)
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
