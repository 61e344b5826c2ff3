"""Helpers the stage apps' tests share: history months, a cycle put at a stage, a finished run."""

from __future__ import annotations

import datetime as dt
import time
from typing import TypeVar

from cycles.models import CycleStage, PlanningCycle, StageStatus
from cycles.runs import CalculationRun

CYCLE_MONTH = dt.date(2026, 11, 1)
Run = TypeVar("Run", bound=CalculationRun)


def months_back(count: int, before: dt.date = CYCLE_MONTH) -> list[dt.date]:
    """The ``count`` month starts before ``before``, oldest first."""
    out, month = [], before
    for _ in range(count):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        out.append(month)
    return out[::-1]


def move_to_stage(cycle: PlanningCycle, stage_key: str) -> PlanningCycle:
    """Put ``cycle`` at ``stage_key`` directly, earlier stages signed off (not under test)."""
    PlanningCycle.objects.filter(pk=cycle.pk).update(state=stage_key)
    stages = CycleStage.objects.filter(cycle=cycle)
    position = stages.get(key=stage_key).position
    stages.filter(position__lt=position).update(status=StageStatus.SIGNED_OFF)
    stages.filter(key=stage_key).update(status=StageStatus.IN_PROGRESS)
    cycle.refresh_from_db()
    return cycle


def wait_until_finished(run: Run, seconds: float = 60.0) -> Run:
    """Poll a run a worker is calculating until it is no longer queued or running."""
    deadline = time.monotonic() + seconds
    while run.is_active and time.monotonic() < deadline:
        time.sleep(0.2)
        run.refresh_from_db()
    return run
