"""Sign-off checks of the plan pipeline, registered with ``cycles.preconditions`` at start-up:
a stage whose steps are stale, or that follows a stage whose signed-off runs were re-planned
since (``cycles.confirmations``), cannot be signed off, and approval needs the plan record."""

from __future__ import annotations

from cycles import preconditions
from cycles.confirmations import drift_problems
from cycles.models import PlanningCycle
from cycles.plan import STAGE_STEPS, stale_problems
from cycles.plan_models import ConsensusPlan


def _stale_check(stage_key: str) -> preconditions.Check:
    def check(cycle: PlanningCycle) -> list[str]:
        return stale_problems(cycle, stage_key) + drift_problems(cycle, stage_key)

    check.__name__ = f"{stage_key}_steps_fresh"
    return check


for _stage in STAGE_STEPS:
    if _stage != "demand_review":  # its sign-off is what (re)computes the demand step
        preconditions.register(_stage)(_stale_check(_stage))


@preconditions.register("executive_review")
def consensus_plan_built(cycle: PlanningCycle) -> list[str]:
    if ConsensusPlan.objects.filter(cycle=cycle, built_at__isnull=False).exists():
        return []
    return ["The consensus plan has not been built yet (the financial roll-up runs after supply "
            "and inventory); re-plan or wait for it to finish."]  # fmt: skip
