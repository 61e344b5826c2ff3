"""What a stage signed off is what the next stage plans with, even after a later re-plan.

The plan pipeline computes the service targets before the supply plan, so the inventory
planner's recalculation during the inventory review (new targets) re-plans supply after the
supply review signed it off. Such a *drift* (a signed-off stage's pinned run is no longer the
run the plan carries) refuses every later sign-off until the drifted stage's owner confirms the
re-planned runs: ``stage_confirm`` writes a ``confirm`` event that pins them, exactly like a
sign-off but without moving the cycle. Nobody's approval is silently replaced, and the approval
snapshot only ever holds runs their owners approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from accounts.roles import Role
from accounts.selectors import user_role
from cycles.models import PlanningCycle, StageEvent
from cycles.plan import STAGE_STEPS, STEP_LABELS, pins, sign_off_pins, stale_problems
from cycles.run_selectors import active_sign_off, signing_off_text
from cycles.stages import STAGE_BY_KEY, STAGE_KEYS

_PINNING = (StageEvent.Action.SIGN_OFF, StageEvent.Action.CONFIRM)


@dataclass(frozen=True)
class Drift:
    """A signed-off stage whose pinned runs the plan no longer carries.

    ``changed``: (step label, run id signed off, run id carried now) per drifted step.
    """

    stage_key: str
    label: str
    owner: str
    changed: tuple[tuple[str, int | None, int | None], ...]

    @property
    def message(self) -> str:
        runs = "; ".join(f"{step} run #{old} is now #{new}" for step, old, new in self.changed)
        return (
            f"{self.label} signed off runs that were re-planned since ({runs}): its owner must "
            f"confirm the re-planned numbers on the cycle page first."
        )


def signed_off_runs(cycle: PlanningCycle) -> dict[str, dict[str, Any]]:
    """stage key -> {step key: run id} of its latest sign-off or confirmation, for every stage
    signed off now (before the cycle's current state). Empty for a locked cycle."""
    if cycle.is_locked or cycle.state not in STAGE_KEYS:
        return {}
    done = STAGE_KEYS[: STAGE_KEYS.index(cycle.state)]
    events = StageEvent.objects.filter(cycle=cycle, stage_key__in=done, action__in=_PINNING)
    latest: dict[str, dict[str, Any]] = {}
    for event in events.order_by("created_at", "id").only("stage_key", "pinned"):
        latest[event.stage_key] = dict((event.pinned or {}).get("runs") or {})
    return latest


def drifts(cycle: PlanningCycle) -> list[Drift]:
    """Every signed-off stage whose pinned runs differ from the runs the plan carries now."""
    signed = signed_off_runs(cycle)
    if not signed:
        return []
    current = pins(cycle)
    found = []
    for stage_key, runs in signed.items():
        changed = tuple(
            (STEP_LABELS.get(step, step), old, current.get(step))
            for step, old in runs.items()
            if step in current and current.get(step) != old
        )
        if changed:
            stage = STAGE_BY_KEY[stage_key]
            found.append(Drift(stage_key, stage.label, str(stage.owner), changed))
    return found


def drift_problems(cycle: PlanningCycle, stage_key: str) -> list[str]:
    """Why ``stage_key`` cannot be signed off: an earlier stage's sign-off no longer holds."""
    position = STAGE_KEYS.index(stage_key) if stage_key in STAGE_KEYS else 0
    return [d.message for d in drifts(cycle) if STAGE_KEYS.index(d.stage_key) < position]


def confirm_refusal(cycle: PlanningCycle, stage_key: str, user: Any) -> str | None:
    """Why ``user`` may not confirm ``stage_key``'s re-planned runs now (None: allowed)."""
    stage = STAGE_BY_KEY.get(stage_key)
    if stage is None or stage_key not in STAGE_STEPS:
        return f"'{stage_key[:40]}' has no plan runs to confirm."
    if cycle.is_locked:
        return "The plan is approved and locked."
    if user_role(user) not in {stage.owner, Role.ADMINISTRATOR}:
        return f"Only the {stage.owner.label.lower()} may confirm {stage.label}."
    if not any(d.stage_key == stage_key for d in drifts(cycle)):
        return f"{stage.label}'s signed-off runs are the ones the plan carries: nothing to confirm."
    return " ".join(stale_problems(cycle, stage_key)) or None


def stage_confirm(cycle_id: int, stage_key: str, user: Any, comment: str) -> PlanningCycle:
    """The owner of a signed-off stage approves its re-planned runs (a ``confirm`` event that
    pins them, as its sign-off did); the cycle stays where it is.

    Raises ``cycles.services.TransitionError`` with the reason when refused.
    """
    from cycles.services import TransitionError, transition_event

    with transaction.atomic():
        cycle = PlanningCycle.objects.select_for_update().filter(pk=cycle_id).first()
        if cycle is None:
            raise TransitionError("This cycle does not exist.")
        signing = active_sign_off(cycle.pk)
        refusal = signing_off_text(signing) if signing else confirm_refusal(cycle, stage_key, user)
        if refusal is not None:
            raise TransitionError(refusal)
        signed = signed_off_runs(cycle).get(stage_key, {})
        pinned = sign_off_pins(cycle, stage_key)
        transition_event(
            cycle, stage_key, StageEvent.Action.CONFIRM, user,
            comment or "Re-planned runs confirmed.",
            before=_runs_text(signed), after=_runs_text(pinned["runs"]), pinned=pinned,
        )  # fmt: skip
    return cycle


def _runs_text(runs: dict[str, Any]) -> str:
    return ", ".join(f"{step} #{run}" for step, run in runs.items())
