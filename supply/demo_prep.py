"""The demo company's walk through a cycle plans supply before signing the supply review off."""

from __future__ import annotations

from typing import Any

from cycles.models import PlanningCycle
from cycles.services import TransitionError
from demo.hooks import register_stage_prep


@register_stage_prep("supply_review")
def plan_supply_for_demo(cycle: PlanningCycle, user: Any) -> None:
    from supply.services import supply_run_now

    run = supply_run_now(cycle.pk, user)
    if run.error:
        raise TransitionError(f"Supply plan failed: {run.error}")
