"""Sign-off checks of the demand review and the snapshot taken when it is signed off.

Registered with ``cycles.preconditions`` (the server refuses the sign-off otherwise) and a
``post_save`` hook on ``StageEvent``: whichever page signs the stage off (demand review or the
cycle overview), the consensus is frozen inside the same transaction as the sign-off.
"""

from __future__ import annotations

from typing import Any

from cycles.models import PlanningCycle, StageEvent
from cycles.preconditions import register
from cycles.runs import RunStatus
from demand.models import CurrentForecast, ForecastRun


@register("demand_review")
def forecast_succeeded(cycle: PlanningCycle) -> list[str]:
    if CurrentForecast.objects.filter(cycle=cycle).exists():
        return []
    return ["Run the statistical forecast first: no run of this cycle has succeeded yet."]


@register("demand_review")
def no_run_in_progress(cycle: PlanningCycle) -> list[str]:
    active = ForecastRun.objects.filter(
        cycle=cycle, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    )
    if active.exists():
        return ["A forecast run is still in progress; wait for it to finish."]
    return []


def freeze_on_sign_off(sender: Any, instance: StageEvent, created: bool, **kwargs: Any) -> None:
    if created and instance.stage_key == "demand_review" and instance.action == "sign_off":
        from demand.services import snapshot_freeze

        snapshot_freeze(instance.cycle)
