"""Read helpers for cycles: the current cycle and a stage track ready for the template."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.roles import Role
from accounts.selectors import user_role
from cycles.models import CycleStage, PlanningCycle, StageEvent
from cycles.stages import STAGE_BY_KEY, STAGE_KEYS


def cycle_current() -> PlanningCycle | None:
    """The newest cycle that is not closed, else the newest cycle."""
    open_cycle = PlanningCycle.objects.exclude(state="closed").order_by("-month").first()
    return open_cycle or PlanningCycle.objects.order_by("-month").first()


@dataclass(frozen=True)
class StageRow:
    stage: CycleStage
    label: str
    owner_label: str
    sign_offs: list[StageEvent]
    can_sign_off: bool
    can_reopen: bool


def stage_track(cycle: PlanningCycle, user: Any) -> list[StageRow]:
    role = user_role(user)
    events = list(cycle.events.select_related("user").order_by("created_at", "id"))
    rows = []
    for stage in cycle.stages.all():
        definition = STAGE_BY_KEY[stage.key]
        signed = [e for e in events if e.stage_key == stage.key and e.action != "open"]
        is_past = cycle.state in STAGE_KEYS and STAGE_KEYS.index(stage.key) < STAGE_KEYS.index(
            cycle.state
        )
        rows.append(
            StageRow(
                stage=stage,
                label=definition.label,
                owner_label=Role(stage.owner_role).label,
                sign_offs=signed,
                can_sign_off=cycle.state == stage.key and role == definition.owner,
                can_reopen=is_past and role in {definition.owner, Role.ADMINISTRATOR},
            )
        )
    return rows
