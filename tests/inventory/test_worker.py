"""The calculation goes through a real Celery worker on Redis, sent only after commit."""

from __future__ import annotations

import time
from typing import Any

import pytest

from accounts.roles import Role
from cycles.runs import RunStatus
from inventory.models import InventoryRun, ProjectionRow
from inventory.services import inventory_run_request


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_given_request_when_committed_then_worker_runs_it_and_records_progress(
    celery_worker_redis, review_cycle, users
) -> None:
    _fresh_broker_connections(celery_worker_redis)
    # When the inventory planner asks for a calculation (the task is sent on commit)
    run = _finished(inventory_run_request(review_cycle.pk, users[Role.INVENTORY_PLANNER]))
    # Then the worker picks it up and the run finishes with its rows stored
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert (run.progress_done, run.progress_total, run.attempts) == (4, 4, 1)
    assert ProjectionRow.objects.filter(run=run).count() == 10 * 18
    # And asking again while nothing runs queues a new run rather than reusing the old one
    again = _finished(inventory_run_request(review_cycle.pk, users[Role.INVENTORY_PLANNER]))
    assert again.pk != run.pk and again.status == RunStatus.SUCCEEDED
    assert InventoryRun.objects.filter(cycle=review_cycle).count() == 2


def _fresh_broker_connections(app: Any) -> None:
    """Drop producer pools an earlier eager test built for the default broker.

    Celery's eager path acquires a producer from `app.pool` (created with the broker URL of
    that moment) and keeps it; without this, the task would be published to that old broker
    and the Redis worker would never see it.
    """
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


def _finished(run: InventoryRun, seconds: float = 60.0) -> InventoryRun:
    deadline = time.monotonic() + seconds
    while run.is_active and time.monotonic() < deadline:
        time.sleep(0.2)
        run.refresh_from_db()
    return run
