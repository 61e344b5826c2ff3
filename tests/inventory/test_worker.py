"""The calculation goes through a real Celery worker on Redis, sent only after commit."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from cycles.runs import RunStatus
from inventory.models import InventoryRun, ProjectionRow
from inventory.services import inventory_run_request
from tests.helpers import wait_until_finished


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_given_request_when_committed_then_worker_runs_it_and_records_progress(
    celery_worker_redis, review_cycle, users
) -> None:
    # When the inventory planner asks for a calculation (the task is sent on commit)
    run = wait_until_finished(inventory_run_request(review_cycle.pk, users[Role.INVENTORY_PLANNER]))
    # Then the worker picks it up and the run finishes with its rows stored
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert (run.progress_done, run.progress_total, run.attempts) == (4, 4, 1)
    assert ProjectionRow.objects.filter(run=run).count() == 10 * 18
    # And asking again while nothing runs queues a new run rather than reusing the old one
    again = wait_until_finished(
        inventory_run_request(review_cycle.pk, users[Role.INVENTORY_PLANNER])
    )
    assert again.pk != run.pk and again.status == RunStatus.SUCCEEDED
    assert InventoryRun.objects.filter(cycle=review_cycle).count() == 2
