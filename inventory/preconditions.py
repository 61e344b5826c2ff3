"""Sign-off check of the inventory review, registered with the cycle at app start-up."""

from __future__ import annotations

from cycles import preconditions
from cycles.models import PlanningCycle
from cycles.run_preconditions import run_readiness
from inventory.models import InventoryRun


@preconditions.register("inventory_review")
def inventory_calculated(cycle: PlanningCycle) -> list[str]:
    return run_readiness(
        cycle, InventoryRun,
        missing="The inventory policies and projection have not been calculated for this cycle.",
        active="An inventory calculation is still running; wait for it to finish.",
    )  # fmt: skip
