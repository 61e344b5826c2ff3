"""The plan roll-up and the executive's refresh on the shared run lifecycle: a broker outage at
dispatch leaves a failed run with Retry on the plan ribbon, never an exception."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cycles.plan import launch
from cycles.plan_models import ConsensusPlan, PlanBuildRun
from cycles.run_control import run_retry
from cycles.runs import RunStatus
from cycles.services import stage_sign_off
from executive import tasks as executive_tasks
from executive.models import ExecutiveRun
from tests.cycles.run_fixtures import DEAD_BROKER, broker

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(demo_company, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """November with its demand signed off and the pipeline run (Celery eager, on commit)."""
    with django_capture_on_commit_callbacks(execute=True):
        return stage_sign_off(demo_company["november"].pk, "demand_review",
                              demo_company["demand"], "ok")  # fmt: skip


def test_roll_up_with_the_broker_down_fails_with_retry_on_the_ribbon(
    planned, demo_company, client, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    version = ConsensusPlan.objects.get(cycle=planned).version
    planner = demo_company["supply"]
    # Given the broker is down when the roll-up step is launched
    with broker(DEAD_BROKER, settings), django_capture_on_commit_callbacks(execute=True):
        launch(planned.pk, "finance", planner.pk)  # Then it does not raise
    # Then the roll-up run is failed, saying the broker could not be reached
    run = PlanBuildRun.objects.filter(cycle=planned).latest("created_at")
    assert run.status == RunStatus.FAILED and "broker unreachable" in run.error
    # And the stage page's ribbon names it with a Retry button
    client.force_login(planner)
    page = client.get(reverse("cycles:detail", args=[planned.pk])).content.decode()
    assert "Financial roll-up" in page and "broker unreachable" in page
    retry_url = reverse("cycles:run_retry", args=[run.kind, run.pk])
    assert retry_url in page
    # When the planner clicks Retry with the broker back (eager here)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry_url)
    # Then a new run rebuilds the plan and the ribbon no longer shows a failure
    latest = PlanBuildRun.objects.filter(cycle=planned).latest("created_at")
    assert latest.pk != run.pk and latest.status == RunStatus.SUCCEEDED, latest.error
    assert ConsensusPlan.objects.get(cycle=planned).version == version + 1
    page = client.get(reverse("cycles:detail", args=[planned.pk])).content.decode()
    assert retry_url not in page


def test_executive_refresh_and_monitoring_with_the_broker_down_fail_with_retry(
    planned, demo_company, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    # Given the broker is down when a plan build asks for a refresh and an import for monitoring
    with broker(DEAD_BROKER, settings), django_capture_on_commit_callbacks(execute=True):
        executive_tasks.request_refresh(planned.pk)
        executive_tasks.after_import("sales_history", 1)
    # Then both runs are failed with the broker's message (nothing raised into the caller)
    failed = ExecutiveRun.objects.filter(status=RunStatus.FAILED)
    assert {r.job for r in failed} == {"refresh", "monitor"}
    assert all("broker unreachable" in r.error for r in failed)
    # And Retry with the broker back runs each of them to the end
    for run in failed:
        with django_capture_on_commit_callbacks(execute=True):
            retried = run_retry(ExecutiveRun, run.pk, demo_company["admin"])
        assert isinstance(retried, ExecutiveRun)
        retried.refresh_from_db()
        assert retried.job == run.job and retried.status == RunStatus.SUCCEEDED, retried.error


def test_a_run_already_running_is_not_reused_for_a_new_roll_up(planned, demo_company) -> None:  # type: ignore[no-untyped-def]
    # Given a roll-up run in progress (it read the pins before the new launch)
    running = PlanBuildRun.objects.create(cycle=planned, status=RunStatus.RUNNING)
    # When the step is launched again (its task is sent on commit)
    launch(planned.pk, "finance", demo_company["supply"].pk)
    # Then a second, queued run is recorded
    queued = PlanBuildRun.objects.filter(cycle=planned, status=RunStatus.QUEUED)
    assert queued.count() == 1 and queued.get().pk != running.pk
