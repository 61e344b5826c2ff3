"""The demo company's walk through a cycle calculates the inventory review before signing off."""

from __future__ import annotations

from typing import Any

from cycles.models import PlanningCycle
from cycles.services import TransitionError
from demo.hooks import register_stage_prep


@register_stage_prep("inventory_review")
def calculate_inventory(cycle: PlanningCycle, user: Any) -> None:
    from inventory.calculation import inventory_run_now

    run = inventory_run_now(cycle.pk, user)
    if run.error:
        raise TransitionError(f"Inventory calculation failed: {run.error}")
