"""Sign-off check of the supply review, registered with the cycle at app start-up."""

from __future__ import annotations

from cycles import preconditions
from cycles.models import PlanningCycle
from supply.selectors import latest_run, latest_succeeded_run


@preconditions.register("supply_review")
def supply_planned(cycle: PlanningCycle) -> list[str]:
    if latest_succeeded_run(cycle) is None:
        return ["No supply plan has been calculated for this cycle yet."]
    newest = latest_run(cycle)
    if newest is not None and newest.is_active:
        return ["A supply plan is still running; wait for it to finish."]
    return []
