"""Re-plan: run the plan pipeline again from its first stale step (the ribbon's button).

Allowed before approval, to the current stage's owner or an administrator, when the first stale
step is computed by the current stage or a later one (targets during the inventory review
re-plan supply with the new targets; a stale step of a stage already signed off needs that stage
reopened first, so nobody's sign-off is silently replaced). A stale demand is re-planned by
signing the demand review off again (that freezes the demand and starts the pipeline).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.roles import Role
from accounts.selectors import user_role
from cycles.models import PlanningCycle
from cycles.plan import STEP_LABELS, launch, plan_status
from cycles.run_selectors import active_sign_off, signing_off_text
from cycles.services import TransitionError
from cycles.stages import STAGE_BY_KEY, STAGE_KEYS

# The stage whose review (re)computes each step.
STEP_STAGE = {
    "demand": "demand_review",
    "targets": "inventory_review",
    "supply": "supply_review",
    "projection": "inventory_review",
    "finance": "reconciliation",
}


def replan_start(cycle: PlanningCycle) -> str | None:
    """The step a re-plan would start from (the first stale one), or None when nothing is."""
    return next((s.key for s in plan_status(cycle) if s.stale), None)


def replan_refusal(cycle: PlanningCycle, user: Any) -> str | None:
    """Why ``user`` may not re-plan ``cycle`` now (None: a re-plan is offered)."""
    if cycle.is_locked:
        return "The plan is approved and locked; it is never re-planned."
    first = replan_start(cycle)
    if first is None:
        return "Nothing is stale."
    if first == "demand":
        return "The demand changed: sign the demand review off again to re-plan."
    stage = STEP_STAGE[first]
    if STAGE_KEYS.index(stage) < STAGE_KEYS.index(cycle.state):
        return f"Reopen {STAGE_BY_KEY[stage].label} to re-plan {STEP_LABELS[first].lower()}."
    if user_role(user) not in {STAGE_BY_KEY[cycle.state].owner, Role.ADMINISTRATOR}:
        return "Only the current stage's owner or an administrator may re-plan."
    return None


def plan_replan(cycle_id: int, user: Any) -> str:
    """Start the pipeline from the first stale step (queued after the commit); returns it."""
    with transaction.atomic():
        cycle = PlanningCycle.objects.select_for_update().filter(pk=cycle_id).first()
        if cycle is None:
            raise TransitionError("This cycle does not exist.")
        signing = active_sign_off(cycle.pk)
        refusal = signing_off_text(signing) if signing else replan_refusal(cycle, user)
        if refusal is not None:
            raise TransitionError(refusal)
        first = replan_start(cycle)
        assert first is not None
        transaction.on_commit(lambda: launch(cycle_id, first, user.pk))
    return first
