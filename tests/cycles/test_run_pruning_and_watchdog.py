"""Superseded runs' rows are pruned after the retention; the watchdog re-queues or fails runs whose
worker is gone; a dropped PostgreSQL connection neither leaves a run running nor breaks the next
request."""

from __future__ import annotations

import datetime as dt

import psycopg2
import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from accounts.roles import Role
from cycles.models import StageEvent
from cycles.run_pruning import prune_superseded_runs
from cycles.run_tasks import MAX_ATTEMPTS, execute_run, run_now
from cycles.run_watchdog import watchdog
from cycles.runs import RunStatus
from inventory.calculation import inventory_run_execute
from inventory.models import InventoryRun, ProjectionRow
from masterdata.models import Product
from tests.helpers import move_to_stage, wait_until_finished
from tests.inventory.conftest import company  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("company")


@pytest.fixture
def at_inventory(cycle):  # type: ignore[no-untyped-def]
    return move_to_stage(cycle, "inventory_review")


def calculate(cycle, user, finished_days_ago: int) -> InventoryRun:  # type: ignore[no-untyped-def]
    run = run_now(InventoryRun, lambda: cycle, user, inventory_run_execute)
    assert run.status == RunStatus.SUCCEEDED, run.error
    finished = timezone.now() - dt.timedelta(days=finished_days_ago)
    InventoryRun.objects.filter(pk=run.pk).update(finished_at=finished)
    return run


@pytest.mark.django_db
def test_superseded_runs_lose_their_rows_after_retention_but_pinned_and_current_keep_them(
    at_inventory, users, settings
) -> None:
    settings.RUN_RETENTION_DAYS = 30
    planner = users[Role.INVENTORY_PLANNER]
    # Given four runs: one signed off (pinned), one superseded 40 days ago, one superseded
    # 10 days ago, and the current one
    pinned, old, recent, current = (calculate(at_inventory, planner, d) for d in (50, 40, 10, 0))
    StageEvent.objects.create(
        cycle=at_inventory,
        stage_key="inventory_review",
        action=StageEvent.Action.SIGN_OFF,
        pinned={"runs": {"inventory": pinned.pk}},
    )
    # When the daily pruning runs
    deleted = prune_superseded_runs()
    # Then only the unpinned superseded run past retention lost its rows, and says so
    assert deleted["inventory.ProjectionRow"] == 180
    kept = {r.pk: ProjectionRow.objects.filter(run=r).count() for r in (pinned, recent, current)}
    assert kept == {pinned.pk: 180, recent.pk: 180, current.pk: 180}
    assert not ProjectionRow.objects.filter(run=old).exists()
    old.refresh_from_db()
    assert old.status == RunStatus.SUCCEEDED and "pruned" in old.message
    # And running it again deletes nothing more
    assert prune_superseded_runs() == {}


@pytest.mark.django_db
def test_watchdog_fails_a_silent_run_out_of_attempts_and_a_run_no_worker_ever_started(
    at_inventory, settings
) -> None:
    settings.RUN_MAX_DISPATCHES = 3
    long_ago = timezone.now() - dt.timedelta(hours=2)
    silent = InventoryRun.objects.create(
        cycle=at_inventory, status=RunStatus.RUNNING, attempts=MAX_ATTEMPTS, heartbeat_at=long_ago
    )
    unstarted = InventoryRun.objects.create(
        cycle=at_inventory, status=RunStatus.QUEUED, dispatches=3, dispatched_at=long_ago
    )
    alive = InventoryRun.objects.create(
        cycle=at_inventory, status=RunStatus.RUNNING, attempts=1, heartbeat_at=timezone.now()
    )
    outcomes = watchdog()
    assert outcomes["failed"] == 2
    for run in (silent, unstarted, alive):
        run.refresh_from_db()
    assert silent.status == RunStatus.FAILED and "stopped" in silent.error
    assert unstarted.status == RunStatus.FAILED and "No worker started" in unstarted.error
    assert alive.status == RunStatus.RUNNING


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_watchdog_requeues_a_run_whose_worker_died_and_a_worker_finishes_it(
    celery_worker_redis, at_inventory
) -> None:
    # Given a run left "running" by a worker that died an hour ago, and a queued run whose
    # message was lost (the broker restarted) ten minutes ago
    long_ago = timezone.now() - dt.timedelta(hours=1)
    orphan = InventoryRun.objects.create(
        cycle=at_inventory, status=RunStatus.RUNNING, attempts=1, heartbeat_at=long_ago
    )
    lost = InventoryRun.objects.create(
        cycle=at_inventory, status=RunStatus.QUEUED, dispatches=1, dispatched_at=long_ago
    )
    # When the watchdog runs
    outcomes = watchdog()
    # Then both are sent again and the worker finishes them
    assert (outcomes["requeued"], outcomes["redispatched"]) == (1, 1)
    for run in (orphan, lost):
        run = wait_until_finished(run, 90)
        assert run.status == RunStatus.SUCCEEDED, run.error
        assert ProjectionRow.objects.filter(run=run).count() == 180


def _terminate_own_backend() -> None:
    pid = connection.cursor().connection.info.backend_pid
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )  # fmt: skip
    other.autocommit = True
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_database_connection_dies_mid_work_is_failed_not_left_running(
    at_inventory,
) -> None:
    run = InventoryRun.objects.create(cycle=at_inventory)

    def work(run: InventoryRun) -> None:
        _terminate_own_backend()  # PostgreSQL restarts (or an idle killer strikes) mid-run
        Product.objects.count()

    import logging

    status = execute_run(
        InventoryRun, run.pk, work, steps=1, expected=[], logger=logging.getLogger("t"), name="t"
    )
    assert status == RunStatus.FAILED
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "OperationalError" in run.error


@pytest.mark.django_db(transaction=True)
def test_the_next_request_after_postgresql_dropped_the_connection_reconnects(client) -> None:
    # Given a persistent connection PostgreSQL has dropped
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    connection.ensure_connection()
    _terminate_own_backend()
    # When the next request starts (Django runs close_old_connections on request_started)
    close_old_connections()
    # Then its first query gets a healthy connection instead of an error (HTTP 500)
    assert Product.objects.count() == 5
