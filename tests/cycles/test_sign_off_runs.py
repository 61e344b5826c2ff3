"""Stage sign-offs run as background runs (``cycles.sign_off``): the request answers at once with
a queued run, the stage is "signing off" (edits, reopen and a second sign-off refused) until the
worker has signed it off; a failure returns the stage to in progress with Retry."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cycles.confirmations import stage_confirm
from cycles.models import PlanningCycle, SignOffRun, StageEvent
from cycles.plan_models import PlanBuildRun
from cycles.replan import plan_replan
from cycles.run_control import failed_background_runs, may_retry, run_retry
from cycles.run_tasks import MAX_ATTEMPTS
from cycles.run_watchdog import watchdog
from cycles.runs import RunStatus
from cycles.services import TransitionError, stage_reopen
from cycles.sign_off import execute_sign_off, request_sign_off
from cycles.stage_edits import editable_cycle
from datainputs.models import SalesHistory
from tests.conftest import browser_login
from tests.cycles.test_transitions import advance_to
from tests.helpers import move_to_stage, wait_until_finished

pytestmark = pytest.mark.django_db


class EditRefused(Exception):
    pass


def _held(cycle_id: int, stage_key: str, user, comment: str = "ok") -> SignOffRun:  # type: ignore[no-untyped-def]
    """A sign-off requested with its task held back (as if no worker had picked it up yet)."""
    return request_sign_off(cycle_id, stage_key, user, comment, send=lambda run_id: None)


def test_a_sign_off_request_answers_with_a_queued_run_and_the_worker_signs_off(
    cycle, users, loaded_inputs, client
) -> None:
    # Given the demand review is current
    cycle = advance_to(cycle, users, "demand_review")
    planner = users[Role.DEMAND_PLANNER]
    # When the planner asks to sign it off
    run = _held(cycle.pk, "demand_review", planner, "consensus agreed")
    # Then the request answered with a queued run; the cycle has not moved yet
    assert run.status == RunStatus.QUEUED and run.stage_key == "demand_review"
    cycle.refresh_from_db()
    assert cycle.state == "demand_review"
    # And every stage page shows the sign-off in progress, polled
    client.force_login(planner)
    page = client.get(reverse("cycles:detail", kwargs={"pk": cycle.pk})).content.decode()
    assert "Signing off the demand review" in page
    assert reverse("cycles:sign_off_progress", kwargs={"run_pk": run.pk}) in page
    # When the worker executes the run
    assert execute_sign_off(run.pk) == RunStatus.SUCCEEDED
    # Then the cycle moved on, and the sign-off is recorded as the planner's
    cycle.refresh_from_db()
    assert cycle.state == "supply_review"
    event = StageEvent.objects.get(cycle=cycle, stage_key="demand_review", action="sign_off")
    assert event.user == planner and event.comment == "consensus agreed"
    # And the progress poll tells the page to reload (showing the next stage)
    poll = client.get(
        reverse("cycles:sign_off_progress", kwargs={"run_pk": run.pk}), HTTP_HX_REQUEST="true"
    )
    assert poll.status_code == 200 and poll["HX-Refresh"] == "true"


def test_edits_reopen_and_a_second_sign_off_are_refused_while_signing_off(
    cycle, users, loaded_inputs
) -> None:
    # Given the supply review is being signed off
    cycle = advance_to(cycle, users, "supply_review")
    planner = users[Role.SUPPLY_PLANNER]
    _held(cycle.pk, "supply_review", planner)
    # When the planner edits the supply review
    with pytest.raises(EditRefused, match="supply review is being signed off"):
        editable_cycle(cycle.pk, planner, action="edit_supply_plan", error=EditRefused,
                       owner="supply planner", stage="supply review",
                       stage_key="supply_review")  # fmt: skip
    # Or signs it off a second time, or the demand review is reopened
    with pytest.raises(TransitionError, match="being signed off"):
        request_sign_off(cycle.pk, "supply_review", planner, "again")
    with pytest.raises(TransitionError, match="being signed off"):
        stage_reopen(cycle.pk, "demand_review", users[Role.DEMAND_PLANNER], "late promotion")
    # Or the plan is re-planned, or the demand review's re-planned runs are confirmed
    with pytest.raises(TransitionError, match="being signed off"):
        plan_replan(cycle.pk, planner)
    with pytest.raises(TransitionError, match="being signed off"):
        stage_confirm(cycle.pk, "demand_review", users[Role.DEMAND_PLANNER], "ok")
    # Then nothing changed: one run, the cycle still at the supply review
    assert SignOffRun.objects.filter(cycle=cycle).count() == 1
    assert PlanningCycle.objects.get(pk=cycle.pk).state == "supply_review"


def test_a_failed_sign_off_returns_the_stage_to_in_progress_with_retry(
    cycle, users, loaded_inputs, client, django_capture_on_commit_callbacks
) -> None:
    # Given the data inputs sign-off was requested while last month's sales were loaded
    admin = users[Role.ADMINISTRATOR]
    run = _held(cycle.pk, "data_inputs", admin)
    # And the sales history was deleted before the worker picked it up
    sales = list(SalesHistory.objects.all())
    SalesHistory.objects.all().delete()
    # When the worker executes the run
    assert execute_sign_off(run.pk) == RunStatus.FAILED
    # Then the run failed naming the cause, the stage is in progress again and editable
    run.refresh_from_db()
    assert "Not ready to sign off" in run.error
    assert PlanningCycle.objects.get(pk=cycle.pk).state == "data_inputs"
    # And the ribbon offers Retry for it
    assert failed_background_runs(cycle) == [run]
    client.force_login(admin)
    page = client.get(reverse("cycles:detail", kwargs={"pk": cycle.pk})).content.decode()
    assert reverse("cycles:run_retry", args=[run.kind, run.pk]) in page
    # When the sales are back and the administrator retries
    SalesHistory.objects.bulk_create(sales)
    with django_capture_on_commit_callbacks(execute=True):
        retried = cast(SignOffRun, run_retry(SignOffRun, run.pk, admin))
    # Then the sign-off went through with the same stage and comment
    retried.refresh_from_db()
    assert retried.status == RunStatus.SUCCEEDED, retried.error
    assert (retried.stage_key, retried.comment) == ("data_inputs", "ok")
    cycle.refresh_from_db()
    assert cycle.state == "demand_review" and failed_background_runs(cycle) == []


def test_only_the_stage_owner_may_retry_its_failed_sign_off(cycle, users) -> None:  # type: ignore[no-untyped-def]
    # Given a cycle at the demand review (a retried sign-off is signed by whoever retries it)
    at_demand = move_to_stage(cycle, "demand_review")
    # Then the demand planner may retry its sign-off, the administrator may not (the worker would
    # refuse a demand sign-off by anyone but the demand planner)
    assert may_retry(users[Role.DEMAND_PLANNER], SignOffRun, at_demand)
    assert not may_retry(users[Role.ADMINISTRATOR], SignOffRun, at_demand)
    # And the administrator still retries a failed plan roll-up nobody owns
    assert may_retry(users[Role.ADMINISTRATOR], PlanBuildRun, at_demand)


def test_a_redelivered_sign_off_does_nothing(cycle, users, loaded_inputs) -> None:
    # Given a sign-off run the worker finished
    run = _held(cycle.pk, "data_inputs", users[Role.ADMINISTRATOR])
    assert execute_sign_off(run.pk) == RunStatus.SUCCEEDED
    # When its message is delivered again
    again = execute_sign_off(run.pk)
    # Then nothing happens: one sign-off, the cycle one stage on
    assert again == RunStatus.SUCCEEDED
    assert StageEvent.objects.filter(cycle=cycle, action="sign_off").count() == 1
    assert PlanningCycle.objects.get(pk=cycle.pk).state == "demand_review"


def test_with_eager_celery_the_sign_off_page_completes_within_the_request(
    cycle, users, loaded_inputs, client
) -> None:
    # Given no broker (eager Celery, as `make run`)
    client.force_login(users[Role.ADMINISTRATOR])
    # When the administrator signs off the data inputs from the cycle page
    response = client.post(
        reverse("cycles:transition", kwargs={"pk": cycle.pk, "kind": "sign_off"}),
        {"stage_key": "data_inputs", "comment": "inputs loaded"},
        follow=True,
    )
    # Then the page shows the next stage at once
    assert "Stage signed off." in response.content.decode()
    assert PlanningCycle.objects.get(pk=cycle.pk).state == "demand_review"
    assert SignOffRun.objects.get(cycle=cycle).status == RunStatus.SUCCEEDED


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_signs_the_stage_off(
    cycle, users, loaded_inputs, celery_worker_redis
) -> None:
    # Given a Celery worker consuming from Redis
    # When the administrator asks to sign off the data inputs
    run = request_sign_off(cycle.pk, "data_inputs", users[Role.ADMINISTRATOR], "ok")
    # Then the request answered with a run the worker signs off
    assert run.status != RunStatus.FAILED, run.error
    run = wait_until_finished(run)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert PlanningCycle.objects.get(pk=cycle.pk).state == "demand_review"
    event = StageEvent.objects.get(cycle=cycle, stage_key="data_inputs", action="sign_off")
    assert event.user == users[Role.ADMINISTRATOR]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_shows_signing_off_then_the_next_stage_without_reload(
    cycle, users, loaded_inputs, browser_page
) -> None:
    # Given the administrator's data inputs sign-off is queued (no worker has picked it up yet)
    admin = users[Role.ADMINISTRATOR]
    run = _held(cycle.pk, "data_inputs", admin, "inputs loaded")
    page = browser_page
    browser_login(page, admin.username)
    # When the administrator opens the cycle page
    page.goto(f"/cycles/{cycle.pk}/")
    # Then it says the data inputs are being signed off, with the run's progress
    ribbon = page.locator('[data-testid="signing-off"]')
    assert "Signing off the data inputs" in ribbon.inner_text()
    assert page.locator(f"#run-progress-{run.pk}").get_attribute("data-status") == "queued"
    # When the worker signs the stage off
    assert execute_sign_off(run.pk) == RunStatus.SUCCEEDED
    # Then the page, polling, reloads by itself and shows the demand review as current
    page.wait_for_selector('[data-testid="signing-off"]', state="detached")
    assert page.locator(".pagehead .badge").inner_text() == "Demand review"


def test_the_watchdog_never_leaves_a_stage_signing_off(cycle, users, loaded_inputs) -> None:
    # Given a sign-off run whose worker died after its last attempt (no heartbeat for an hour)
    admin = users[Role.ADMINISTRATOR]
    run = _held(cycle.pk, "data_inputs", admin)
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    SignOffRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, heartbeat_at=an_hour_ago, attempts=MAX_ATTEMPTS
    )
    # When the watchdog runs
    watchdog()
    # Then the run failed saying so, the stage is editable again and the ribbon offers Retry
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "worker executing this run stopped" in run.error
    editable_cycle(cycle.pk, admin, action="open_cycle", error=EditRefused, owner="administrator",
                   stage="data inputs", stage_key="data_inputs")  # fmt: skip
    assert failed_background_runs(cycle) == [run]
