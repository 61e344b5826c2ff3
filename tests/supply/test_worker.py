"""The plan goes through a real Celery worker on Redis, sent only after commit."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from cycles.runs import RunStatus
from supply.models import PlanResourceLoad, SupplyPlanRun
from supply.services import supply_run_request
from tests.helpers import wait_until_finished


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_given_request_when_committed_then_the_worker_plans_and_records_progress(
    celery_worker_redis, plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    # When the supply planner asks for a plan (the task is sent on commit)
    run = wait_until_finished(supply_run_request(cycle.pk, users[Role.SUPPLY_PLANNER]), 90)
    # Then the worker picks it up and the run finishes with its rows stored
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert (run.progress_done, run.progress_total, run.attempts) == (4, 4, 1)
    assert PlanResourceLoad.objects.filter(run=run).count() == 18
    # And a second request queues a new run rather than reusing the finished one
    again = wait_until_finished(supply_run_request(cycle.pk, users[Role.SUPPLY_PLANNER]), 90)
    assert again.pk != run.pk and again.status == RunStatus.SUCCEEDED
    assert SupplyPlanRun.objects.filter(cycle=cycle).count() == 2
