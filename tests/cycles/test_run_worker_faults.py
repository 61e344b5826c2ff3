"""Worker faults on a real Celery worker process, Redis and PostgreSQL: no run is ever stuck.

Each test starts ``celery worker -B`` (prefork pool, embedded beat running the run watchdog) as a
separate process group on the test database, with every run step slowed (``fault_app``), starts
one run of each kind (forecast in chunks, supply plan, inventory), and breaks something mid-run:
the whole worker SIGKILLed (main process, pool children and beat) and restarted, Redis killed
and restarted, PostgreSQL connections terminated. Every run must end succeeded, or failed with
the stage free to run again (failed-with-retry); none stuck; no duplicate result rows (no two
rows of a run identical in every column).

Timeouts are shortened for the test through the documented settings (heartbeat every 0.5 s,
worker counted gone after 3 s of silence, watchdog every second).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction

from accounts.roles import Role
from cycles.run_tasks import dispatch, request_run
from cycles.runs import CalculationRun, RunStatus
from demand.models import ForecastRun
from demand.services import forecast_run_retry
from demand.tasks import forecast_run_start
from inventory.models import InventoryRun
from inventory.services import inventory_run_request
from inventory.tasks import inventory_calculate
from supply.models import SupplyPlanRun
from supply.services import supply_run_request
from supply.tasks import supply_plan
from tests.cycles.run_fixtures import broker, duplicate_rows
from tests.helpers import move_to_stage
from tests.inventory.conftest import company  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("company"),
]
KINDS = (ForecastRun, SupplyPlanRun, InventoryRun)
WAIT_SECONDS = 120


class Worker:
    """A ``celery worker -B`` process group on the test database, started and killed at will."""

    def __init__(self, broker_url: str, concurrency: int = 4, **env: str) -> None:
        self.broker_url, self.concurrency, self.started = broker_url, concurrency, 0
        self.extra_env = env
        self.log_path = os.path.join(tempfile.gettempdir(), f"siop-fault-worker-{os.getpid()}.log")
        self.process: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        db = connection.settings_dict
        url = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
        return {
            **os.environ,
            "DATABASE_URL": url,
            "CELERY_BROKER_URL": self.broker_url,
            "RUN_HEARTBEAT_SECONDS": "0.5",
            "RUN_HEARTBEAT_TIMEOUT_SECONDS": "3",
            "RUN_WATCHDOG_INTERVAL_SECONDS": "1",
            "RUN_REDISPATCH_AFTER_SECONDS": "8",
            "FAULT_STEP_SECONDS": "0.4",
            **self.extra_env,
        }

    def start(self) -> None:
        self.started += 1
        command = [
            sys.executable, "-m", "celery", "-A", "tests.cycles.fault_app", "worker", "-B",
            "-P", "prefork", "-c", str(self.concurrency), "-Q", "siop", "-l", "WARNING",
            "-n", f"fault{self.started}@%h", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        # the worker's own log goes to a file (printed if a test fails), not into the test output
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env(), cwd=django_settings.BASE_DIR, start_new_session=True,
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL the main process, its pool children and beat at once (a deploy, an OOM kill)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def kill_pool_children(self) -> None:
        """SIGKILL only the processes the main process forked (pool children, beat)."""
        assert self.process is not None
        children = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@contextlib.contextmanager
def fault_worker(
    broker_url: str, settings: Any, concurrency: int = 4, env: dict[str, str] | None = None
) -> Iterator[Worker]:
    with broker(broker_url, settings) as app:
        with app.connection_for_write() as conn:
            conn.default_channel.client.flushdb()
        worker = Worker(broker_url, concurrency, **(env or {}))
        worker.start()
        try:
            yield worker
        except BaseException:
            with open(worker.log_path, errors="replace") as log:
                print("worker log (tail):", log.read()[-4000:])
            raise
        finally:
            worker.kill()


def start_runs(cycle: Any, user: Any) -> list[CalculationRun]:
    """One run of each kind, sent after commit the way the stages send them."""
    with transaction.atomic():
        forecast = ForecastRun.objects.create(cycle=cycle, requested_by=user, chunk_size=2)
        dispatch(forecast, forecast_run_start.delay)
        supply = request_run(SupplyPlanRun, cycle, user, supply_plan.delay)
        inventory = request_run(InventoryRun, cycle, user, inventory_calculate.delay)
    return [forecast, supply, inventory]


def queue_more(cycle: Any, user: Any) -> list[CalculationRun]:
    """One more run of each kind, queued behind the first ones (created directly: the request
    services return the active run of the cycle instead of a second one)."""
    runs: list[CalculationRun] = []
    with transaction.atomic():
        for model, task in ((SupplyPlanRun, supply_plan), (InventoryRun, inventory_calculate)):
            run = model.objects.create(cycle=cycle, requested_by=user)
            dispatch(run, task.delay)
            runs.append(run)
    return runs


def wait_for(condition: Any, seconds: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def mid_run(runs: list[CalculationRun]) -> bool:
    for run in runs:
        run.refresh_from_db()
    forecast, supply, inventory = runs
    return (
        forecast.status == RunStatus.RUNNING
        and supply.status == inventory.status == RunStatus.RUNNING
        and supply.progress_done >= 1
        and inventory.progress_done >= 1
    )


def running_count(runs: list[CalculationRun]) -> int:
    for run in runs:
        run.refresh_from_db()
    return sum(run.status == RunStatus.RUNNING for run in runs)


def all_finished(runs: list[CalculationRun]) -> bool:
    for run in runs:
        run.refresh_from_db()
    return not any(run.is_active for run in runs)


def outcome(run: CalculationRun) -> str:
    """'succeeded', 'failed-with-retry', or what went wrong (stuck, duplicates, blocked stage)."""
    run.refresh_from_db()
    if run.is_active:
        return "STUCK"
    if run.status == RunStatus.SUCCEEDED:
        duplicates = duplicate_rows(run)
        return f"DUPLICATES {duplicates}" if duplicates else "succeeded"
    active = type(run)._default_manager.filter(
        cycle_id=run.cycle_id, status__in=["queued", "running"]
    )
    return "FAILED-BLOCKING" if active.exists() else "failed-with-retry"


def print_table(fault: str, results: list[tuple[str, str]]) -> None:
    print(f"\nfault: {fault}")
    for kind in ("ForecastRun", "SupplyPlanRun", "InventoryRun"):
        seen = [o for k, o in results if k == kind]
        print(
            f"  {kind:14} x{len(seen)}: "
            + ", ".join(f"{o} {seen.count(o)}" for o in sorted(set(seen)))
        )


@pytest.fixture
def cycle_and_user(cycle, users):  # type: ignore[no-untyped-def]
    return move_to_stage(cycle, "supply_review"), users[Role.ADMINISTRATOR]


def test_sigkill_of_the_whole_worker_mid_run_x5_per_kind_leaves_no_run_stuck(
    cycle_and_user, settings
) -> None:
    cycle, user = cycle_and_user
    results: list[tuple[str, str]] = []
    redis_url = os.environ.get("SIOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    with fault_worker(redis_url.rsplit("/", 1)[0] + "/8", settings) as worker:
        for _ in range(int(os.environ.get("FAULT_ROUNDS", 5))):
            # Given one run of each kind mid-way on the worker
            runs = start_runs(cycle, user)
            assert wait_for(lambda runs=runs: mid_run(runs), 60), [r.status for r in runs]
            # When the whole worker is SIGKILLed and a new one started
            worker.kill()
            worker.start()
            # Then every run ends, succeeded or failed with the stage free, and no duplicate rows
            wait_for(lambda runs=runs: all_finished(runs))
            results += [(type(r).__name__, outcome(r)) for r in runs]
            forecast = ForecastRun.objects.get(pk=runs[0].pk)
            if forecast.status == RunStatus.SUCCEEDED:
                assert not forecast.chunks.exclude(status="done").exists()
    print_table("worker SIGKILL (main process, children, beat) mid-run, then restart", results)
    assert {o for _, o in results} <= {"succeeded", "failed-with-retry"}, results
    assert len(results) == 15


def test_sigkill_of_the_pool_children_only_reruns_each_run_at_once_x5_per_kind(
    cycle_and_user, settings
) -> None:
    cycle, user = cycle_and_user
    results: list[tuple[str, str]] = []
    redis_url = os.environ.get("SIOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    # The watchdog is kept out of it (10 minutes' silence allowed): the redelivery alone must do.
    slow_watchdog: dict[str, str] = {"RUN_HEARTBEAT_TIMEOUT_SECONDS": "600"}
    with fault_worker(redis_url.rsplit("/", 1)[0] + "/8", settings, env=slow_watchdog) as worker:
        for _ in range(int(os.environ.get("FAULT_ROUNDS", 5))):
            runs = start_runs(cycle, user)
            assert wait_for(lambda runs=runs: mid_run(runs), 60), [r.status for r in runs]
            # When the OOM killer takes the pool processes (the main process survives)
            worker.kill_pool_children()
            # Then the messages are redelivered and each run is taken over and finished
            assert wait_for(lambda runs=runs: all_finished(runs), 90)
            results += [(type(r).__name__, outcome(r)) for r in runs]
        assert worker.alive()
    print_table("worker pool children SIGKILLed mid-run (main process survives)", results)
    assert {o for _, o in results} <= {"succeeded", "failed-with-retry"}, results


def test_terminated_postgresql_connections_mid_run_fail_or_finish_every_run(
    cycle_and_user, settings
) -> None:
    cycle, user = cycle_and_user
    redis_url = os.environ.get("SIOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    with fault_worker(redis_url.rsplit("/", 1)[0] + "/8", settings) as worker:
        runs = start_runs(cycle, user)
        assert wait_for(lambda: mid_run(runs), 60)
        # When PostgreSQL drops every connection of the worker (failover, restart, idle kill)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        # Then every run still ends (the failure is written on a fresh connection)
        wait_for(lambda: all_finished(runs))
        results = [(type(r).__name__, outcome(r)) for r in runs]
        assert worker.alive()
    print_table("PostgreSQL connections terminated mid-run", results)
    assert {o for _, o in results} <= {"succeeded", "failed-with-retry"}, results


@pytest.fixture
def own_redis(tmp_path):  # type: ignore[no-untyped-def]
    """A Redis server of this test's own (port 6390) that the test can kill and restart."""

    class Server:
        process: subprocess.Popen[bytes] | None = None

        def start(self) -> None:
            self.process = subprocess.Popen(
                ["redis-server", "--port", "6390", "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(tmp_path)],
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(0.5)

        def kill(self) -> None:
            if self.process is not None and self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)

    server = Server()
    server.start()
    yield server
    server.kill()


def test_redis_restarts_mid_run_lose_no_run_and_the_worker_survives(
    cycle_and_user, settings, own_redis
) -> None:
    cycle, user = cycle_and_user
    with fault_worker("redis://127.0.0.1:6390/0", settings, concurrency=2) as worker:
        # Given runs mid-way and more queued in Redis behind them (two pool processes)
        runs = start_runs(cycle, user) + queue_more(cycle, user)
        assert wait_for(lambda: running_count(runs) >= 1, 60)
        queued_at_restart = sum(r.status == RunStatus.QUEUED for r in runs)
        # When Redis (which does not persist its queue) is killed and restarted, twice
        for _ in range(2):
            own_redis.kill()
            time.sleep(2)
            own_redis.start()
            time.sleep(3)
        # Then the worker reconnects, and every run ends: finished, or re-sent by the watchdog
        wait_for(lambda: all_finished(runs))
        results = [(type(r).__name__, outcome(r)) for r in runs]
        assert worker.alive()
    print(f"\n{queued_at_restart} run(s) were queued in Redis when it was killed")
    print_table("Redis killed and restarted twice mid-run (its queue lost)", results)
    assert queued_at_restart >= 1
    assert {o for _, o in results} <= {"succeeded", "failed-with-retry"}, results


def test_broker_down_at_dispatch_fails_the_runs_and_retry_works_once_it_is_back(
    cycle_and_user, users, settings, own_redis
) -> None:
    cycle, user = cycle_and_user
    with fault_worker("redis://127.0.0.1:6390/0", settings, concurrency=2) as worker:
        # Given the broker is down when the runs are requested
        own_redis.kill()
        runs = start_runs(cycle, user)
        # Then each run is failed at once, saying the broker could not be reached
        for run in runs:
            run.refresh_from_db()
        assert all(r.status == RunStatus.FAILED and "broker unreachable" in r.error for r in runs)
        results = [(type(r).__name__, outcome(r)) for r in runs]
        # And once the broker is back, Retry (forecast) and Run again (plan, policies) succeed
        own_redis.start()
        with transaction.atomic():
            move_to_stage(cycle, "demand_review")
            forecast = forecast_run_retry(runs[0].pk, users[Role.DEMAND_PLANNER])
        # (the forecast finishes before the cycle moves on: a forecast finishing after the demand
        # sign-off is refused by the plan's edit guard)
        assert wait_for(lambda: all_finished([forecast]))
        at_supply = move_to_stage(cycle, "supply_review")
        supply = supply_run_request(at_supply.pk, users[Role.SUPPLY_PLANNER])
        at_inventory = move_to_stage(cycle, "inventory_review")
        inventory = inventory_run_request(at_inventory.pk, users[Role.INVENTORY_PLANNER])
        retried = [forecast, supply, inventory]
        assert wait_for(lambda: all_finished(retried))
        assert worker.alive()
    print_table("broker down at dispatch (outcome before Retry)", results)
    print_table(
        "... then Retry with the broker back", [(type(r).__name__, outcome(r)) for r in retried]
    )
    assert {o for _, o in results} == {"failed-with-retry"}
    assert all(r.status == RunStatus.SUCCEEDED for r in retried), [r.error for r in retried]
