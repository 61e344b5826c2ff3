"""The shared run lifecycle, in-process: dispatch with the broker down, claims, cancel, eager texts.

Worker faults on a real worker process are in ``test_run_worker_faults.py``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cycles.models import AuditEntry
from cycles.run_control import RunControlError, run_cancel
from cycles.run_tasks import claim_run, dispatch
from cycles.runs import RunStatus
from demand.models import ForecastRun
from demand.services import forecast_run_request, forecast_run_retry
from inventory.calculation import inventory_run_execute
from inventory.models import InventoryRun
from supply.models import SupplyPlanRun
from tests.cycles.run_fixtures import DEAD_BROKER, broker
from tests.factories import PASSWORD
from tests.helpers import move_to_stage
from tests.inventory.conftest import company  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("company")]


def signed_in(client, user):  # type: ignore[no-untyped-def]
    client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def demand_cycle(cycle):  # type: ignore[no-untyped-def]
    return move_to_stage(cycle, "demand_review")


@pytest.mark.django_db(transaction=True)
def test_run_forecast_with_the_broker_down_fails_the_run_with_a_message_not_a_500(
    client, demand_cycle, users, settings
) -> None:
    # Given the broker cannot be reached
    planner = users[Role.DEMAND_PLANNER]
    url = reverse("demand:run_start", args=[demand_cycle.pk])
    with broker(DEAD_BROKER, settings):
        # When the planner clicks "Run forecast"
        response = signed_in(client, planner).post(url)
    # Then the page answers normally and the run is failed, saying why and what to do
    assert response.status_code == 302
    run = ForecastRun.objects.get(cycle=demand_cycle)
    assert run.status == RunStatus.FAILED
    assert "broker unreachable" in run.error and "Retry" in run.error
    assert run.dispatches == 1
    # And once the broker is back (eager here), Retry runs it to the end
    retried = forecast_run_retry(run.pk, planner)
    assert retried.status == RunStatus.SUCCEEDED, retried.error
    # And the stage is not blocked: a new run can be requested
    again = forecast_run_request(demand_cycle.pk, planner)
    assert again.pk != run.pk and again.status == RunStatus.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_run_supply_plan_with_the_broker_down_fails_the_run_and_the_next_click_works(
    client, cycle, users, settings
) -> None:
    # Given the cycle at the supply review and the broker down
    at_supply = move_to_stage(cycle, "supply_review")
    planner = signed_in(client, users[Role.SUPPLY_PLANNER])
    url = reverse("supply:plan", args=[at_supply.pk])
    with broker(DEAD_BROKER, settings):
        response = planner.post(url, follow=True)
    # Then no 500: the page says the plan failed, and the run records why
    assert response.status_code == 200
    run = SupplyPlanRun.objects.get(cycle=at_supply)
    assert run.status == RunStatus.FAILED and "broker unreachable" in run.error
    assert "failed" in response.content.decode()
    # And with the broker back (eager), the next click plans (a new run, not "queued" forever)
    response = planner.post(url, follow=True)
    latest = SupplyPlanRun.objects.filter(cycle=at_supply).latest("created_at")
    assert latest.pk != run.pk and latest.status == RunStatus.SUCCEEDED, latest.error


@pytest.mark.django_db(transaction=True)
def test_eager_run_says_how_it_ended_and_names_the_run(client, cycle, users) -> None:
    # Given no broker (make run): the calculation runs inside the request
    at_inventory = move_to_stage(cycle, "inventory_review")
    planner = signed_in(client, users[Role.INVENTORY_PLANNER])
    url = reverse("inventory:calculate", args=[at_inventory.pk])
    first = planner.post(url, follow=True)
    second = planner.post(url, follow=True)
    # Then the message says it finished (not "started"/"queued"), and the page names the new run
    runs = list(InventoryRun.objects.filter(cycle=at_inventory).order_by("created_at"))
    assert [r.status for r in runs] == [RunStatus.SUCCEEDED] * 2
    for response, run in ((first, runs[0]), (second, runs[1])):
        page = response.content.decode()
        assert "Inventory calculation succeeded" in page
        assert "queued" not in page.lower()
        assert f"Run {run.pk}: Succeeded" in page
    assert f"Run {runs[0].pk}:" not in second.content.decode()


def test_a_duplicate_message_for_a_run_a_live_worker_executes_is_skipped(cycle) -> None:
    # Given a run another worker is executing (fresh heartbeat)
    run = InventoryRun.objects.create(
        cycle=move_to_stage(cycle, "inventory_review"),
        status=RunStatus.RUNNING,
        attempts=1,
        heartbeat_at=timezone.now(),
    )
    # When a second delivery of its message arrives, then it is left to that worker
    assert inventory_run_execute(run.pk) == RunStatus.RUNNING
    run.refresh_from_db()
    assert run.attempts == 1
    # And once that worker is silent past the timeout, a delivery takes it over
    InventoryRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert inventory_run_execute(run.pk) == RunStatus.SUCCEEDED


def test_cancel_an_active_run_fails_it_for_good_and_is_audited(client, cycle, users) -> None:
    # Given a queued supply plan
    at_supply = move_to_stage(cycle, "supply_review")
    run = SupplyPlanRun.objects.create(cycle=at_supply, requested_by=users[Role.SUPPLY_PLANNER])
    planner = signed_in(client, users[Role.SUPPLY_PLANNER])
    # When the supply planner clicks Cancel on the review page
    page = planner.get(reverse("supply:review", args=[at_supply.pk])).content.decode()
    cancel_url = reverse("cycles:run_cancel", args=["supply.supplyplanrun", run.pk])
    assert cancel_url in page
    response = planner.post(cancel_url, HTTP_REFERER=reverse("supply:review", args=[at_supply.pk]))
    assert response.status_code == 302
    # Then the run is failed as cancelled, audited, and a worker picking it up later leaves it
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error.startswith("Cancelled by supply_planner")
    assert AuditEntry.objects.filter(reason="run_cancel", record_key=str(run.pk)).exists()
    assert claim_run(SupplyPlanRun, run.pk, 4) == RunStatus.FAILED
    # And cancelling it again says it has finished
    with pytest.raises(RunControlError, match="already failed"):
        run_cancel(SupplyPlanRun, run.pk, users[Role.ADMINISTRATOR])


def test_a_worker_finishing_a_cancelled_run_never_switches_it_to_succeeded(cycle, users) -> None:
    run = InventoryRun.objects.create(
        cycle=move_to_stage(cycle, "inventory_review"), status=RunStatus.RUNNING
    )
    run_cancel(InventoryRun, run.pk, users[Role.ADMINISTRATOR])
    assert run.mark_finished() is False  # the worker's stale object tries to succeed
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED


@pytest.mark.parametrize(
    "role", [Role.EXECUTIVE, Role.FINANCE, Role.DEMAND_PLANNER, Role.INVENTORY_PLANNER]
)
def test_only_the_owner_role_or_an_administrator_may_cancel(client, cycle, users, role) -> None:
    run = SupplyPlanRun.objects.create(cycle=move_to_stage(cycle, "supply_review"))
    url = reverse("cycles:run_cancel", args=["supply.supplyplanrun", run.pk])
    response = signed_in(client, users[role]).post(url)
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED
    # the administrator may
    run_cancel(SupplyPlanRun, run.pk, users[Role.ADMINISTRATOR])


def test_dispatch_refreshes_the_run_so_an_eager_caller_sees_how_it_ended(
    cycle, django_capture_on_commit_callbacks
) -> None:
    run = InventoryRun.objects.create(cycle=move_to_stage(cycle, "inventory_review"))
    with django_capture_on_commit_callbacks(execute=True):
        dispatch(run, inventory_run_execute)
    assert run.status == RunStatus.SUCCEEDED and run.dispatches == 1


@override_settings(RUN_HEARTBEAT_TIMEOUT_SECONDS=1)
def test_the_watchdog_is_scheduled_by_beat_every_minute(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["run-watchdog"]
    assert entry["task"] == "cycles.run_watchdog"
    assert entry["schedule"] <= 60
    from siop.celery import app

    app.loader.import_default_modules()
    assert "cycles.run_watchdog" in app.tasks


def test_admin_cancels_a_stuck_run_with_the_admin_action(admin_client, cycle) -> None:
    # Given a supply plan stuck "queued" (its message lost before this release)
    stuck = SupplyPlanRun.objects.create(cycle=move_to_stage(cycle, "supply_review"))
    # When an administrator applies "Cancel selected runs" in Django admin
    url = reverse("admin:supply_supplyplanrun_changelist")
    response = admin_client.post(
        url, {"action": "cancel_selected_runs", "_selected_action": [stuck.pk]}, follow=True
    )
    # Then the run is failed as cancelled (audited), and the stage can run again
    assert response.status_code == 200
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED and stuck.error.startswith("Cancelled by")
    entry = AuditEntry.objects.get(reason="run_cancel", record_key=str(stuck.pk))
    assert entry.source == "admin"
