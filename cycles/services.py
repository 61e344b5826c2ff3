"""Write services for the cycle: open, sign off (advance), reopen, close.

Every transition runs in one transaction that locks the cycle row and bumps ``version`` only if it
still equals what the user saw, so concurrent clicks get a clear ``TransitionError`` instead of a
double advance.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from accounts.selectors import user_role
from cycles import approval, carryover, plan, plan_build, preconditions
from cycles.audit import audit_record
from cycles.models import CycleStage, PlanningCycle, StageEvent, StageStatus
from cycles.run_selectors import active_sign_off, signing_off_text
from cycles.stages import APPROVED, CLOSED, STAGE_BY_KEY, STAGE_KEYS, STAGES, next_state


class TransitionError(Exception):
    """A transition the server refuses, with a message meant for the user."""


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def cycle_open(
    month: dt.date,
    user: Any,
    horizon_months: int | None = None,
    copy_from: PlanningCycle | None = None,
    due_dates: dict[str, dt.date] | None = None,
) -> PlanningCycle:
    """Open the cycle for ``month``; at most one cycle exists per month.

    Started from ``copy_from`` (a previous cycle), the new cycle takes over its horizon, its
    calendar (each stage's due day) and whatever the stage apps registered in ``carryover``.
    ``due_dates`` (stage key -> date) sets stages' due dates explicitly instead.
    """
    if user_role(user) != Role.ADMINISTRATOR:
        raise TransitionError("Only an administrator may open a cycle.")
    month = month_start(month)
    horizon = horizon_months or settings.PLANNING_HORIZON_MONTHS
    if copy_from is not None:
        horizon = copy_from.horizon_months
        if copy_from.month >= month:
            raise TransitionError("A cycle can only start from an earlier cycle.")
    if horizon < 1 or horizon > 60:
        raise TransitionError("The planning horizon must be between 1 and 60 months.")
    with transaction.atomic():
        if PlanningCycle.objects.select_for_update().filter(month=month).exists():
            raise TransitionError(f"A cycle for {month:%B %Y} already exists.")
        cycle = PlanningCycle.objects.create(
            month=month,
            horizon_months=horizon,
            state=STAGE_KEYS[0],
            previous=copy_from,
            opened_by=user,
        )
        _create_stages(cycle, _due_days(copy_from), due_dates or {})
        comment = ""
        if copy_from is not None:
            carryover.carry_over(cycle, copy_from, user)
            comment = f"Started from {copy_from}."
        transition_event(cycle, STAGE_KEYS[0], "open", user, comment, before="")
    return cycle


def _due_days(previous: PlanningCycle | None) -> dict[str, int]:
    """Each stage's due day of the month: the previous cycle's calendar, else the default."""
    days = {stage.key: stage.due_day for stage in STAGES}
    if previous is not None:
        days.update({s.key: s.due_date.day for s in previous.stages.all() if s.key in days})
    return days


def _create_stages(
    cycle: PlanningCycle, due_days: dict[str, int], due_dates: dict[str, dt.date]
) -> None:
    now = timezone.now()
    last_day = calendar.monthrange(cycle.month.year, cycle.month.month)[1]
    CycleStage.objects.bulk_create(
        CycleStage(
            cycle=cycle,
            key=stage.key,
            position=position,
            owner_role=stage.owner,
            due_date=due_dates.get(stage.key)
            or cycle.month.replace(day=min(due_days[stage.key], last_day)),
            status=StageStatus.IN_PROGRESS if position == 0 else StageStatus.PENDING,
            started_at=now if position == 0 else None,
        )
        for position, stage in enumerate(STAGES)
    )


def stage_sign_off(
    cycle_id: int,
    stage_key: str,
    user: Any,
    comment: str = "",
    *,
    scenario_id: int | None = None,
) -> PlanningCycle:
    """Sign off the current stage and advance; executive sign-off approves and locks the plan.

    The sign-off records the runs it approves (``StageEvent.pinned``); a stage with a stale step
    is refused (``cycles.plan.stale_problems`` is one of its preconditions). The demand sign-off
    freezes the consensus demand and starts the plan pipeline; the executive sign-off needs a
    comment and writes the approved-plan snapshot (with ``scenario_id``, None for the baseline),
    both in this transaction.
    """
    with transaction.atomic():
        cycle = _locked(cycle_id)
        before = cycle.state
        sign_off_checks(cycle, stage_key, user, comment)
        plan_build.run_freezes(cycle, stage_key, user)
        pinned = plan.sign_off_pins(cycle, stage_key)
        now = timezone.now()
        CycleStage.objects.filter(cycle=cycle, key=stage_key).update(status=StageStatus.SIGNED_OFF)
        cycle.state = next_state(stage_key)
        if cycle.state == APPROVED:
            cycle.approved_by, cycle.approved_at = user, now
            action = StageEvent.Action.APPROVE
            approved = approval.snapshot_write(cycle, user, comment, scenario_id)
            pinned["sha256"] = approved.sha256
        else:
            CycleStage.objects.filter(cycle=cycle, key=cycle.state).update(
                status=StageStatus.IN_PROGRESS, started_at=now
            )
            action = StageEvent.Action.SIGN_OFF
        _save(cycle)
        transition_event(cycle, stage_key, action, user, comment, before=before, pinned=pinned)
    return cycle


def sign_off_checks(cycle: PlanningCycle, stage_key: str, user: Any, comment: str) -> None:
    """Raise TransitionError saying why ``user`` may not sign ``stage_key`` off now (the cheap
    checks a sign-off request makes before its run is queued, and the run again)."""
    stage = STAGE_BY_KEY.get(stage_key)
    if stage is None:  # "approved", "closed" or garbage: nothing to sign off
        raise TransitionError(f"'{stage_key[:40]}' is not a stage that can be signed off.")
    if cycle.state != stage_key:
        raise TransitionError(_stale_message(cycle, stage_key))
    if user_role(user) != stage.owner:
        raise TransitionError(f"Only the {stage.owner.label.lower()} may sign off {stage.label}.")
    if stage_key == "executive_review" and not comment.strip():
        raise TransitionError("Say what is approved: the approval needs a comment.")
    problems = preconditions.unmet(cycle, stage_key)
    if problems:
        raise TransitionError("Not ready to sign off: " + " ".join(problems))


def approve_plan(
    cycle_id: int, user: Any, comment: str, scenario_id: int | None = None
) -> PlanningCycle:
    """Approve the cycle's plan (the executive review's sign-off): the snapshot is frozen in the
    same transaction. ``comment`` is mandatory; ``scenario_id`` names the approved scenario."""
    return stage_sign_off(cycle_id, "executive_review", user, comment, scenario_id=scenario_id)


def stage_reopen(cycle_id: int, stage_key: str, user: Any, comment: str) -> PlanningCycle:
    """Send the cycle back to an earlier (or the current) stage; only before approval."""
    if not comment.strip():
        raise TransitionError("Say why the stage is reopened.")
    with transaction.atomic():
        cycle = _locked(cycle_id)
        if cycle.is_locked:
            raise TransitionError("The plan is approved and locked; it cannot be reopened.")
        signing = active_sign_off(cycle.pk)
        if signing is not None:
            raise TransitionError(signing_off_text(signing))
        if stage_key not in STAGE_KEYS:
            raise TransitionError(f"Unknown stage '{stage_key}'.")
        if STAGE_KEYS.index(stage_key) >= STAGE_KEYS.index(cycle.state):
            raise TransitionError("Only a stage that is already signed off can be reopened.")
        role = user_role(user)
        if role not in {STAGE_BY_KEY[stage_key].owner, Role.ADMINISTRATOR}:
            raise TransitionError("Only the stage's owner or an administrator may reopen it.")
        later = STAGE_KEYS[STAGE_KEYS.index(stage_key) + 1 :]
        CycleStage.objects.filter(cycle=cycle, key__in=later).update(
            status=StageStatus.PENDING, started_at=None
        )
        CycleStage.objects.filter(cycle=cycle, key=stage_key).update(
            status=StageStatus.IN_PROGRESS, started_at=timezone.now()
        )
        before, cycle.state = cycle.state, stage_key
        _save(cycle)
        transition_event(cycle, stage_key, "reopen", user, comment, before=before)
        label = STAGE_BY_KEY[stage_key].label
        plan.mark_stale(
            cycle, plan.REOPEN_FROM[stage_key], f"{label} reopened by {user}: {comment}"
        )
    return cycle


def stage_reschedule(
    cycle_id: int, stage_key: str, due_date: dt.date, user: Any, comment: str = ""
) -> PlanningCycle:
    """Move a stage's due date (the cycle calendar); administrators only, before sign-off."""
    with transaction.atomic():
        cycle = _locked(cycle_id)
        if user_role(user) != Role.ADMINISTRATOR:
            raise TransitionError("Only an administrator may change the cycle calendar.")
        if cycle.is_locked:
            raise TransitionError("The plan is approved and locked; its calendar is final.")
        stage = CycleStage.objects.filter(cycle=cycle, key=stage_key).first()
        if stage is None:
            raise TransitionError(f"Unknown stage '{stage_key}'.")
        if stage.status == StageStatus.SIGNED_OFF:
            raise TransitionError("A signed-off stage keeps its due date; reopen it first.")
        before = stage.due_date
        stage.due_date = due_date
        stage.save(update_fields=["due_date"])
        _save(cycle)
        note = f"Due date {before:%d %b} -> {due_date:%d %b}." + (f" {comment}" if comment else "")
        transition_event(cycle, stage_key, "reschedule", user, note, before=f"due {before:%Y-%m-%d}",
               after=f"due {due_date:%Y-%m-%d}")  # fmt: skip
    return cycle


def cycle_close(cycle_id: int, user: Any, comment: str = "") -> PlanningCycle:
    with transaction.atomic():
        cycle = _locked(cycle_id)
        if cycle.state != APPROVED:
            raise TransitionError("Only an approved cycle can be closed.")
        if user_role(user) != Role.ADMINISTRATOR:
            raise TransitionError("Only an administrator may close a cycle.")
        cycle.state, cycle.closed_at = CLOSED, timezone.now()
        _save(cycle)
        transition_event(cycle, CLOSED, "close", user, comment, before=APPROVED)
    return cycle


def transition_event(
    cycle: PlanningCycle,
    stage_key: str,
    action: str,
    user: Any,
    comment: str,
    *,
    before: str,
    after: str | None = None,
    pinned: dict[str, Any] | None = None,
) -> StageEvent:
    """Record a transition: the cycle page's event and the audit log's entry, in one place
    (table ``cycles.stage``, key the stage, field ``state``: the cycle's state before and
    after, or the due date for a reschedule; reason the action, comment as given)."""
    audit_record(cycle=cycle, table="cycles.stage", record_key=stage_key, field="state",
                 before=before, after=cycle.state if after is None else after, user=user,
                 source="cycle", reason=action, comment=comment)  # fmt: skip
    return StageEvent.objects.create(cycle=cycle, stage_key=stage_key, action=action, user=user,
                                     comment=comment, pinned=pinned or {})  # fmt: skip


def locked_cycle(cycle_id: int) -> PlanningCycle:
    """The cycle, locked for the caller's transaction; TransitionError if it does not exist."""
    return _locked(cycle_id)


def _locked(cycle_id: int) -> PlanningCycle:
    try:
        return PlanningCycle.objects.select_for_update().get(pk=cycle_id)
    except PlanningCycle.DoesNotExist:
        raise TransitionError("This cycle does not exist.") from None


def _save(cycle: PlanningCycle) -> None:
    # The conditional update is the guard on back-ends without row locks (SQLite).
    updated = PlanningCycle.objects.filter(pk=cycle.pk, version=cycle.version).update(
        state=cycle.state,
        version=cycle.version + 1,
        approved_by=cycle.approved_by,
        approved_at=cycle.approved_at,
        closed_at=cycle.closed_at,
    )
    if updated != 1:
        raise TransitionError("Someone else changed this cycle at the same time; reload the page.")
    cycle.version += 1


def _stale_message(cycle: PlanningCycle, stage_key: str) -> str:
    last = cycle.events.order_by("-created_at", "-id").select_related("user").first()
    who = f" by {last.user} at {last.created_at:%H:%M:%S}" if last and last.user else ""
    label = STAGE_BY_KEY[stage_key].label if stage_key in STAGE_BY_KEY else stage_key
    return f"{label} is not the current stage any more (changed{who}); reload to see the cycle."
