"""Sign-off checks of the demand review and what its sign-off freezes.

Registered with ``cycles.preconditions`` (the server refuses the sign-off otherwise) and with
``cycles.plan_build.register_freeze``: ``cycles.services.stage_sign_off`` calls the freeze
explicitly inside the sign-off's transaction (whichever page signs the stage off), so the
consensus snapshot and the demand the pipeline plans with are the ones signed off.
"""

from __future__ import annotations

from typing import Any

from cycles.models import PlanningCycle
from cycles.plan_build import demand_freeze, register_freeze
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


@register_freeze("demand_review")
def freeze_consensus(cycle: PlanningCycle, user: Any) -> None:
    """Freeze the accuracy snapshot and the site-split consensus demand; starts the pipeline."""
    from demand.accuracy_warm import warm_on_commit
    from demand.selectors import consensus_frame, current_run, live_demand_plan
    from demand.services import snapshot_freeze

    run = current_run(cycle)
    # One reading of the consensus feeds both freezes (the accuracy snapshot and the split).
    consensus = consensus_frame(cycle) if run is not None else None
    snapshot_freeze(cycle, consensus)
    demand_freeze(cycle, live_demand_plan(cycle, consensus), run.pk if run else None, user)
    warm_on_commit()  # the accuracy report of the new snapshot, computed in the background
