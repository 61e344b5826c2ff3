"""Sign-off check of the supply review, registered with the cycle at app start-up."""

from __future__ import annotations

from cycles import preconditions
from cycles.models import PlanningCycle
from cycles.run_preconditions import run_readiness
from supply.models import SupplyPlanRun


@preconditions.register("supply_review")
def supply_planned(cycle: PlanningCycle) -> list[str]:
    return run_readiness(
        cycle, SupplyPlanRun,
        missing="No supply plan has been calculated for this cycle yet.",
        active="A supply plan is still running; wait for it to finish.",
    )  # fmt: skip
