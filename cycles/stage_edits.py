"""Guards every stage's write services share (demand, supply, inventory).

`editable_cycle` checks the user's role, locks the cycle row (``select_for_update``, call it
inside the service's transaction) and refuses an approved or closed cycle. `check_version`
is the optimistic lock of a planner's row: the version the user saw must still be the stored
one (None or 0 when the user saw no row), so a concurrent edit is refused, never overwritten;
`save_new_version` then saves the changed row with the next version.
"""

from __future__ import annotations

from typing import Any, Protocol

from accounts.selectors import user_may
from cycles.models import PlanningCycle
from cycles.run_selectors import active_sign_off, signing_off_text
from cycles.stages import STAGE_KEYS


class Versioned(Protocol):
    version: int


class Edited(Versioned, Protocol):
    updated_by: Any

    def save(self) -> None: ...


def editable_cycle(
    cycle_id: int, user: Any, *, action: str, error: type[Exception], owner: str, stage: str,
    stage_key: str | None = None, current_only: bool = False,
) -> PlanningCycle:  # fmt: skip
    """The locked cycle, or ``error`` saying why ``user`` may not change ``stage`` now.

    Refused: a user without ``action``; an approved or closed cycle; a stage being signed off
    (``stage_key`` None: any stage, as the signing-off stage's inputs may be read); with ``stage_key``, a cycle
    past that stage (its sign-off made its inputs read-only until it is reopened) and, with
    ``current_only``, a cycle not at that stage yet either.
    """
    if not user_may(user, action):
        raise error(f"Only the {owner} may change the {stage}.")
    try:
        cycle = PlanningCycle.objects.select_for_update().get(pk=cycle_id)
    except PlanningCycle.DoesNotExist:
        raise error("This cycle does not exist.") from None
    if cycle.is_locked:
        raise error(f"The plan is approved and locked; the {stage} is read-only.")
    signing = active_sign_off(cycle.pk)
    if signing is not None and stage_key in (None, signing.stage_key):
        raise error(signing_off_text(signing))
    if stage_key is not None:
        at, own = STAGE_KEYS.index(cycle.state), STAGE_KEYS.index(stage_key)
        if at > own:
            raise error(
                f"The {stage} is signed off: its inputs are read-only until it is reopened."
            )
        if current_only and at != own:
            raise error(f"The {stage} can only be changed while the cycle is at that stage.")
    return cycle


def check_version(
    row: Versioned | None, version: int | None, error: type[Exception], *, changed: str,
    removed: str,
) -> None:  # fmt: skip
    """Raise ``error(changed)`` if ``row`` moved on, ``error(removed)`` if it is gone."""
    if row is not None and row.version != version:
        raise error(changed)
    if row is None and version not in (None, 0):
        raise error(removed)


def save_new_version(row: Edited, user: Any) -> None:
    """Save a planner's row as a new version, changed by ``user``."""
    row.updated_by = user
    row.version += 1
    row.save()
