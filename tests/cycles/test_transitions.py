"""Every allowed and forbidden transition of the cycle, enforced by the server."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.roles import Role
from cycles.models import AuditEntry, CycleStage, StageEvent
from cycles.services import (
    TransitionError,
    cycle_close,
    cycle_open,
    stage_reopen,
    stage_sign_off,
)
from cycles.stages import STAGE_KEYS, STAGES
from tests.factories import plan_steps_ready, stage_results_ready

pytestmark = pytest.mark.django_db


def advance_to(cycle, users, stage_key):  # type: ignore[no-untyped-def]
    stage_results_ready(cycle)  # stage sign-offs need their succeeded calculation runs
    for stage in STAGES:
        if stage.key == stage_key:
            return cycle
        cycle = stage_sign_off(cycle.pk, stage.key, users[stage.owner], "ok")
        if stage.key == "demand_review":
            plan_steps_ready(cycle)  # what the pipeline computes after the demand sign-off
    return cycle


def test_new_cycle_starts_at_data_inputs_with_all_stages_owned_and_due(cycle) -> None:
    stages = list(cycle.stages.all())
    assert cycle.state == "data_inputs"
    assert [s.key for s in stages] == list(STAGE_KEYS)
    assert [s.owner_role for s in stages] == [s.owner.value for s in STAGES]
    assert all(s.due_date.month == 11 for s in stages)
    assert [s.status for s in stages][:2] == ["in_progress", "pending"]


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.key)
def test_owner_can_sign_off_each_stage_in_order(stage, cycle, users, loaded_inputs) -> None:
    # Given the cycle has reached this stage
    cycle = advance_to(cycle, users, stage.key)
    # When its owner signs off
    cycle = stage_sign_off(cycle.pk, stage.key, users[stage.owner], "ok")
    # Then the cycle moves on and the sign-off is recorded with who and comment
    index = STAGE_KEYS.index(stage.key)
    expected = STAGE_KEYS[index + 1] if index + 1 < len(STAGE_KEYS) else "approved"
    assert cycle.state == expected
    event = StageEvent.objects.get(
        cycle=cycle, stage_key=stage.key, action__in=["sign_off", "approve"]
    )
    assert event.user == users[stage.owner] and event.comment == "ok"


@pytest.mark.parametrize(
    ("stage", "role"),
    [(s, r) for s in STAGES for r in Role if r != s.owner],
    ids=lambda v: getattr(v, "key", getattr(v, "value", str(v))),
)
def test_no_other_role_can_sign_off_a_stage(stage, role, cycle, users, loaded_inputs) -> None:
    cycle = advance_to(cycle, users, stage.key)
    with pytest.raises(TransitionError, match="Only the"):
        stage_sign_off(cycle.pk, stage.key, users[role])
    cycle.refresh_from_db()
    assert cycle.state == stage.key


@pytest.mark.parametrize("later", STAGES[1:], ids=lambda s: s.key)
def test_stages_cannot_be_skipped(later, cycle, users, loaded_inputs) -> None:
    with pytest.raises(TransitionError, match="not the current stage"):
        stage_sign_off(cycle.pk, later.key, users[later.owner])
    cycle.refresh_from_db()
    assert cycle.state == "data_inputs"


def test_demand_review_needs_last_months_sales_history(cycle, users) -> None:
    with pytest.raises(TransitionError, match="Sales history for October 2026 is not loaded"):
        stage_sign_off(cycle.pk, "data_inputs", users[Role.ADMINISTRATOR])


def test_executive_sign_off_approves_and_locks(cycle, users, loaded_inputs) -> None:
    cycle = advance_to(cycle, users, "executive_review")
    cycle = stage_sign_off(cycle.pk, "executive_review", users[Role.EXECUTIVE], "Approved")
    assert cycle.state == "approved" and cycle.is_locked
    assert cycle.approved_by == users[Role.EXECUTIVE]
    with pytest.raises(TransitionError, match="approved and locked"):
        stage_reopen(cycle.pk, "demand_review", users[Role.ADMINISTRATOR], "late change")


def test_reopen_goes_back_resets_later_stages_and_is_recorded(cycle, users, loaded_inputs) -> None:
    cycle = advance_to(cycle, users, "inventory_review")
    cycle = stage_reopen(
        cycle.pk, "demand_review", users[Role.DEMAND_PLANNER], "Big customer order"
    )
    assert cycle.state == "demand_review"
    statuses = dict(CycleStage.objects.filter(cycle=cycle).values_list("key", "status"))
    assert statuses["demand_review"] == "in_progress"
    assert statuses["supply_review"] == statuses["inventory_review"] == "pending"
    assert StageEvent.objects.filter(
        cycle=cycle, action="reopen", comment="Big customer order"
    ).exists()


def test_reopen_needs_a_reason_an_allowed_role_and_a_past_stage(
    cycle, users, loaded_inputs
) -> None:
    cycle = advance_to(cycle, users, "supply_review")
    with pytest.raises(TransitionError, match="Say why"):
        stage_reopen(cycle.pk, "demand_review", users[Role.DEMAND_PLANNER], " ")
    with pytest.raises(TransitionError, match="owner or an administrator"):
        stage_reopen(cycle.pk, "demand_review", users[Role.SALES], "why not")
    with pytest.raises(TransitionError, match="already signed off"):
        stage_reopen(cycle.pk, "inventory_review", users[Role.ADMINISTRATOR], "future")
    assert (
        stage_reopen(cycle.pk, "data_inputs", users[Role.ADMINISTRATOR], "fix").state
        == "data_inputs"
    )


def test_only_admin_closes_and_only_an_approved_cycle(cycle, users, loaded_inputs) -> None:
    with pytest.raises(TransitionError, match="Only an approved"):
        cycle_close(cycle.pk, users[Role.ADMINISTRATOR])
    cycle = advance_to(cycle, users, "executive_review")
    cycle = stage_sign_off(cycle.pk, "executive_review", users[Role.EXECUTIVE], "Approved")
    with pytest.raises(TransitionError, match="Only an administrator"):
        cycle_close(cycle.pk, users[Role.EXECUTIVE])
    assert cycle_close(cycle.pk, users[Role.ADMINISTRATOR]).state == "closed"


def test_one_cycle_per_month_and_only_admin_opens(users, cycle) -> None:
    with pytest.raises(TransitionError, match="already exists"):
        cycle_open(dt.date(2026, 11, 15), users[Role.ADMINISTRATOR])
    with pytest.raises(TransitionError, match="Only an administrator"):
        cycle_open(dt.date(2026, 12, 1), users[Role.DEMAND_PLANNER])


def test_new_cycle_can_start_from_the_previous_one(users) -> None:
    admin = users[Role.ADMINISTRATOR]
    previous = cycle_open(dt.date(2026, 10, 1), admin, horizon_months=24)
    current = cycle_open(dt.date(2026, 11, 1), admin, copy_from=previous)
    assert current.previous == previous and current.horizon_months == 24


def test_transitions_write_no_plan_audit_noise(cycle, users, loaded_inputs) -> None:
    advance_to(cycle, users, "supply_review")
    # only the transitions themselves, no plan-number entries
    assert set(AuditEntry.objects.values_list("table", flat=True)) == {"cycles.stage"}


def test_every_sign_off_reopen_approval_and_close_is_in_the_audit_log(
    cycle, users, loaded_inputs, client
) -> None:  # type: ignore[no-untyped-def]
    # Given a cycle signed off to the demand review, reopened, then taken to approval and closed
    cycle = advance_to(cycle, users, "demand_review")
    cycle = stage_reopen(cycle.pk, "data_inputs", users[Role.ADMINISTRATOR], "Big order")
    cycle = advance_to(cycle, users, "executive_review")
    stage_sign_off(cycle.pk, "executive_review", users[Role.EXECUTIVE], "Approved as shown")
    cycle_close(cycle.pk, users[Role.ADMINISTRATOR], "done")
    # Then each transition has an audit entry with who, the state before and after, and the comment
    entries = AuditEntry.objects.filter(cycle=cycle, table="cycles.stage")
    actions = list(entries.order_by("created_at", "id").values_list("reason", flat=True))
    events = list(
        StageEvent.objects.filter(cycle=cycle)
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )
    assert actions == events and "reopen" in actions and "approve" in actions
    reopen = entries.get(reason="reopen")
    assert (reopen.before, reopen.after, reopen.comment) == ("demand_review", "data_inputs",
                                                             "Big order")  # fmt: skip
    assert reopen.user == users[Role.ADMINISTRATOR]
    approve = entries.get(reason="approve")
    assert (approve.before, approve.after) == ("executive_review", "approved")
    # And the audit log page lists them
    client.force_login(users[Role.ADMINISTRATOR])
    page = client.get("/cycles/audit/?page_size=200").content.decode()
    assert "Approved as shown" in page and "Big order" in page
