"""Approval: choose a scenario, confirm, approve with a comment, the frozen meeting pack."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from cycles.models import StageEvent
from executive import approval, exceptions, tasks
from executive.models import Approval, ExceptionRule, ExceptionStatus, PlanException
from executive.scenarios import ScenarioOption


@pytest.fixture
def tier3(exec_cycle):  # type: ignore[no-untyped-def]
    """The 120 % capacity load raised as a tier-3 exception (default tier set to 3)."""
    exceptions.ensure_rules()
    ExceptionRule.objects.filter(code="capacity_over").update(default_tier=3)
    tasks.refresh_cycle(exec_cycle.pk)
    return PlanException.objects.get(rule__code="capacity_over")


@pytest.mark.django_db
def test_approval_needs_a_comment_and_a_reason_for_another_scenario(
    exec_cycle, users, monkeypatch
) -> None:
    executive = users[Role.EXECUTIVE]
    with pytest.raises(approval.ApprovalError, match="needs a comment"):
        approval.approve(exec_cycle.pk, executive, None, "", "  ")
    options = [ScenarioOption(None, "Baseline", False), ScenarioOption(7, "Expedite", True)]
    monkeypatch.setattr("executive.scenarios.scenario_options", lambda cycle: options)
    with pytest.raises(approval.ApprovalError, match="rather than the recommended 'Expedite'"):
        approval.confirmation(exec_cycle, None, "")
    assert approval.confirmation(exec_cycle, None, "Air freight not budgeted").chosen.id is None
    stale = [ScenarioOption(None, "Baseline", True), ScenarioOption(8, "Old", False, stale=True)]
    monkeypatch.setattr("executive.scenarios.scenario_options", lambda cycle: stale)
    with pytest.raises(approval.ApprovalError, match="stale"):
        approval.confirmation(exec_cycle, 8, "why not")


@pytest.mark.django_db
def test_approving_freezes_the_pack_and_counts_the_accepted_exceptions(
    client, exec_cycle, users, tier3
) -> None:
    client.force_login(users[Role.EXECUTIVE])
    url = reverse("executive:approve", args=[exec_cycle.pk])
    # the confirmation shows the totals and the open tier-3 exceptions before anything happens
    confirm = client.post(url, {"scenario": "baseline"})
    html = confirm.content.decode()
    assert "€28,800" in html and tier3.title in html
    assert not Approval.objects.exists()
    # when the executive approves with a comment
    done = client.post(
        url,
        {"scenario": "baseline", "confirm": "on", "comment": "Plan approved; overtime on line 1."},
        follow=True,
    )
    page = done.content.decode()
    assert "Plan approved for November 2026" in page and "Stage signed off" not in page
    assert "1 tier-3 exception(s) accepted worth" in page
    exec_cycle.refresh_from_db()
    assert exec_cycle.state == "approved"
    assert StageEvent.objects.filter(cycle=exec_cycle, action="approve").exists()
    tier3.refresh_from_db()
    assert tier3.status == ExceptionStatus.ACCEPTED
    record = Approval.objects.get(cycle=exec_cycle)
    assert record.accepted_exceptions == 1
    # the cycle service froze the plan in the same approval, with the approved scenario
    assert exec_cycle.approved_plan.scenario_id is None
    assert exec_cycle.approved_plan.row_count == 36
    # the workbook carries the frozen KPIs and the exception
    book = load_workbook(io.BytesIO(bytes(record.pack_xlsx)))
    values = [row for row in book["KPIs"].iter_rows(values_only=True)]
    assert ("Revenue", "eur", pytest.approx(28800.0)) == values[5][:3]
    assert any(tier3.title == r[2] for r in book["Exceptions"].iter_rows(values_only=True))
    xlsx = client.get(reverse("executive:pack_xlsx", args=[exec_cycle.pk]))
    assert xlsx["Content-Disposition"].endswith('siop-meeting-pack-2026-11.xlsx"')


@pytest.mark.django_db
def test_only_the_executive_can_approve_and_a_refusal_changes_nothing(exec_cycle, users) -> None:
    with pytest.raises(approval.ApprovalError, match="Only the executive"):
        approval.approve(exec_cycle.pk, users[Role.FINANCE], None, "", "ok")
    exec_cycle.refresh_from_db()
    assert exec_cycle.state == "executive_review" and not Approval.objects.exists()


@pytest.mark.django_db
def test_the_pack_does_not_move_when_the_register_changes_after_approval(
    client, exec_cycle, users
) -> None:
    tasks.refresh_cycle(exec_cycle.pk)
    approval.approve(exec_cycle.pk, users[Role.EXECUTIVE], None, "", "Go")
    before = Approval.objects.get(cycle=exec_cycle).pack
    from executive import registers

    registers.add_entry(
        exec_cycle.pk,
        users[Role.EXECUTIVE],
        registers.EntryInput(kind="assumption", title="Added later"),
    )
    client.force_login(users[Role.EXECUTIVE])
    html = client.get(reverse("executive:pack", args=[exec_cycle.pk])).content.decode()
    assert "Added later" not in html
    assert Approval.objects.get(cycle=exec_cycle).pack == before


@pytest.mark.django_db
def test_a_stale_plan_step_refuses_the_approval_with_its_reason(client, exec_cycle, users) -> None:
    from django.utils import timezone

    from cycles.models import PlanStep

    # given the supply plan went stale after the inventory targets changed
    PlanStep.objects.create(
        cycle=exec_cycle,
        key="supply",
        run_id=3,
        computed_at=timezone.now(),
        stale=True,
        stale_reason="Inventory targets changed",
    )
    client.force_login(users[Role.EXECUTIVE])
    url = reverse("executive:approve", args=[exec_cycle.pk])
    page = client.post(
        url, {"scenario": "baseline", "confirm": "on", "comment": "Go"}, follow=True
    ).content.decode()
    assert "Inventory targets changed" in page and "re-plan before signing off" in page
    exec_cycle.refresh_from_db()
    assert exec_cycle.state == "executive_review" and not Approval.objects.exists()


@pytest.mark.django_db
def test_a_queued_approval_is_executed_by_its_run_with_the_export_documents(
    exec_cycle, users
) -> None:
    from api.models import PlanRendition
    from cycles.runs import RunStatus
    from cycles.sign_off import execute_sign_off

    executive = users[Role.EXECUTIVE]
    # Given the executive's approval was requested (checked, queued, no worker yet)
    run = approval.request_approval(
        exec_cycle.pk, executive, None, "", "Approved as planned", send=lambda run_id: None
    )
    # Then nothing is approved yet, and a second approval is refused while it runs
    assert run.status == RunStatus.QUEUED and not Approval.objects.exists()
    with pytest.raises(approval.ApprovalError, match="being signed off"):
        approval.request_approval(exec_cycle.pk, executive, None, "", "again")
    # When the worker executes the run
    assert execute_sign_off(run.pk) == RunStatus.SUCCEEDED
    # Then the plan is approved by the executive with the pack and the export documents ready
    exec_cycle.refresh_from_db()
    assert exec_cycle.state == "approved"
    record = Approval.objects.get(cycle=exec_cycle)
    assert record.approved_by == executive and record.comment == "Approved as planned"
    sha = exec_cycle.approved_plan.sha256
    formats = set(PlanRendition.objects.filter(sha256=sha).values_list("fmt", flat=True))
    assert formats == {"json", "csv"}


@pytest.mark.django_db
def test_an_export_that_fails_to_render_never_undoes_the_approval(
    exec_cycle, users, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from api import renditions
    from api.models import PlanRendition
    from cycles.runs import RunStatus
    from cycles.sign_off import execute_sign_off

    # Given an approval queued while rendering the export documents fails (memory, database)
    executive = users[Role.EXECUTIVE]
    run = approval.request_approval(
        exec_cycle.pk, executive, None, "", "Approved as planned", send=lambda run_id: None
    )

    def broken(cycle_id: int) -> int:
        PlanRendition.objects.create(sha256="x" * 64, fmt="json", state="approved")
        raise MemoryError("no room for 126 MB of JSON")

    monkeypatch.setattr(renditions, "render_all", broken)
    # When the worker executes the run
    assert execute_sign_off(run.pk) == RunStatus.SUCCEEDED
    # Then the plan is approved all the same, and no half-rendered document was kept
    exec_cycle.refresh_from_db()
    assert exec_cycle.state == "approved" and Approval.objects.filter(cycle=exec_cycle).exists()
    assert not PlanRendition.objects.filter(sha256="x" * 64).exists()
