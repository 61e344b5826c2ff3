"""Read helpers for cycles: the current cycle and a stage track ready for the template."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from accounts.roles import Role
from accounts.selectors import user_role
from cycles import preconditions
from cycles.links import StageLink, stage_links
from cycles.models import CycleStage, PlanningCycle, StageEvent, StageStatus
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
    can_reschedule: bool
    is_overdue: bool
    links: list[StageLink]
    blockers: list[str]  # why the current stage cannot be signed off yet (empty otherwise)


def stage_track(cycle: PlanningCycle, user: Any, today: dt.date | None = None) -> list[StageRow]:
    """The stages in order with owner, due date, sign-offs and the transitions ``user`` may make."""
    role = user_role(user)
    today = today or timezone.localdate()
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
                can_reopen=is_past
                and not cycle.is_locked
                and role in {definition.owner, Role.ADMINISTRATOR},
                can_reschedule=not cycle.is_locked
                and role == Role.ADMINISTRATOR
                and stage.status != StageStatus.SIGNED_OFF,
                is_overdue=stage.status != StageStatus.SIGNED_OFF and stage.due_date < today,
                links=stage_links(cycle, stage.key),
                blockers=preconditions.unmet(cycle, stage.key) if cycle.state == stage.key else [],
            )
        )
    return rows
