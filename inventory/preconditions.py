"""Sign-off check of the inventory review, registered with the cycle at app start-up."""

from __future__ import annotations

from cycles import preconditions
from cycles.models import PlanningCycle
from inventory.selectors import latest_run, latest_succeeded_run


@preconditions.register("inventory_review")
def inventory_calculated(cycle: PlanningCycle) -> list[str]:
    if latest_succeeded_run(cycle) is None:
        return ["The inventory policies and projection have not been calculated for this cycle."]
    newest = latest_run(cycle)
    if newest is not None and newest.is_active:
        return ["An inventory calculation is still running; wait for it to finish."]
    return []
