"""The plan goes through a real Celery worker on Redis, sent only after commit."""

from __future__ import annotations

import time
from typing import Any

import pytest

from accounts.roles import Role
from cycles.runs import RunStatus
from supply.models import PlanResourceLoad, SupplyPlanRun
from supply.services import supply_run_request


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_given_request_when_committed_then_the_worker_plans_and_records_progress(
    celery_worker_redis, plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    _fresh_broker_connections(celery_worker_redis)
    # When the supply planner asks for a plan (the task is sent on commit)
    run = _finished(supply_run_request(cycle.pk, users[Role.SUPPLY_PLANNER]))
    # Then the worker picks it up and the run finishes with its rows stored
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert (run.progress_done, run.progress_total, run.attempts) == (4, 4, 1)
    assert PlanResourceLoad.objects.filter(run=run).count() == 18
    # And a second request queues a new run rather than reusing the finished one
    again = _finished(supply_run_request(cycle.pk, users[Role.SUPPLY_PLANNER]))
    assert again.pk != run.pk and again.status == RunStatus.SUCCEEDED
    assert SupplyPlanRun.objects.filter(cycle=cycle).count() == 2


def _fresh_broker_connections(app: Any) -> None:
    """Drop the producer pools an earlier eager test built for the default broker: Celery's
    eager path keeps a producer from `app.pool` made with the broker URL of that moment, and
    the task would be published there instead of to the worker's Redis."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


def _finished(run: SupplyPlanRun, seconds: float = 90.0) -> SupplyPlanRun:
    deadline = time.monotonic() + seconds
    while run.is_active and time.monotonic() < deadline:
        time.sleep(0.2)
        run.refresh_from_db()
    return run
