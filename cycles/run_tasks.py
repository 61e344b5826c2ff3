"""The life of a stage's calculation run, shared by the forecast, supply plan and inventory review.

`request_run` queues a run inside the caller's transaction (the caller has locked and checked
the cycle) and `dispatch` sends the Celery task only once that transaction commits; a run already
queued or running is returned instead of starting a second one. A broker that cannot be reached
fails the run with a message saying so (Retry works once the broker is back), never an HTTP 500
and never a run left "queued" that nothing will execute.

`run_now` does the same in-process, for demo seeding and scripts. `execute_run` is the body of
the task: idempotent by run id. It claims the run under its row lock: a finished run is left
alone, a run another live worker is executing (fresh heartbeat) is left to it, and a run whose
worker is gone (stale heartbeat: a redelivered message) runs again, the stage's `work` replacing
that run's rows. It parks a run attempted `MAX_ATTEMPTS` times as failed, keeps the heartbeat
beating while `work` runs (`run_heartbeat`), and records every error on the run, on a fresh
database connection if the old one died, so nothing raises into the worker (a crash-looping
message would block the queue). `cycles.run_watchdog` handles runs whose worker vanished.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from cycles.models import PlanningCycle
from cycles.runs import ACTIVE_STATUSES, CalculationRun, RunStatus, RunTakenOver

MAX_ATTEMPTS = 3
Run = TypeVar("Run", bound=CalculationRun)
# (exception type, prefix of the run's error text) for failures the planner can act on
ExpectedErrors = Sequence[tuple[type[Exception], str]]
log = logging.getLogger(__name__)

BROKER_DOWN = (
    "Could not hand the run to the task queue (broker unreachable: {error}). "
    "Nothing was calculated; Retry once the broker is back."
)


def heartbeat_timeout() -> dt.timedelta:
    """How long a running run may go without a heartbeat before its worker counts as gone."""
    return dt.timedelta(seconds=settings.RUN_HEARTBEAT_TIMEOUT_SECONDS)


def request_run(
    run_model: type[Run],
    cycle: PlanningCycle,
    user: Any,
    send: Callable[[int], Any] | None,
    *,
    scope: Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] | None = None,
    reuse: Sequence[str] = ACTIVE_STATUSES,
    stale_after: dt.timedelta | None = None,
) -> Run:
    """Queue a run of ``cycle`` (call inside the transaction that locked the cycle).

    One active run per cycle, or per ``scope`` within the cycle (field -> value of the run
    model, e.g. ``{"scenario": scenario}``: the scenarios of a cycle run in parallel); an active
    run in one of the ``reuse`` statuses is returned instead of a new one (``reuse=("queued",)``
    starts a second run while one is running, for work that must read the latest data). A new
    run gets ``scope`` and ``fields`` as its values. ``send`` None records the run without
    sending it (`run_now`-style callers execute it themselves). With ``stale_after``, a run
    active for longer than that whose worker shows no sign of life is given up as failed first
    (the watchdog normally did so long before).
    """
    active = run_model._default_manager.filter(
        cycle=cycle, status__in=ACTIVE_STATUSES, **(scope or {})
    )
    if stale_after is not None:
        now = timezone.now()
        active.filter(created_at__lt=now - stale_after).exclude(
            heartbeat_at__gte=now - heartbeat_timeout()
        ).update(status=RunStatus.FAILED, error="Never finished; given up.", finished_at=now)
    current = active.filter(status__in=reuse).first()
    if current is not None:
        return current
    run = run_model._default_manager.create(
        cycle=cycle, requested_by=user, **(scope or {}), **(fields or {})
    )
    if send is not None:
        dispatch(run, send)
    return run


def task_sender(run_model: type[CalculationRun]) -> Callable[[int], None]:
    """Send the run model's task (``task_name``) with a run id, by name (watchdog, Retry);
    through the registered task when there is one, so eager Celery (``make run``) runs it."""

    def send(run_id: int) -> None:
        from celery import current_app

        task = current_app.tasks.get(run_model.task_name)
        if task is not None:
            task.delay(run_id)
        else:
            current_app.send_task(run_model.task_name, args=[run_id])

    return send


def dispatch(run: CalculationRun, send: Callable[[int], Any]) -> None:
    """Send ``run``'s task once the current transaction commits; a broker error fails the run.

    The run object is refreshed afterwards, so a caller running Celery eagerly (no broker: the
    task ran inside this request) reports the run as it ended, not as "queued".
    """
    model = type(run)

    def send_now() -> None:
        model._default_manager.filter(pk=run.pk).update(
            dispatched_at=timezone.now(), dispatches=F("dispatches") + 1
        )
        try:
            send(run.pk)
        except Exception as exc:  # kombu/redis raise many types; the run must record any
            log.warning("Could not send %s %s to the broker: %r", model.__name__, run.pk, exc)
            model._default_manager.filter(pk=run.pk, status__in=ACTIVE_STATUSES).update(
                status=RunStatus.FAILED,
                error=BROKER_DOWN.format(error=exc),
                finished_at=timezone.now(),
            )
        run.refresh_from_db()

    transaction.on_commit(send_now)


def run_now(
    run_model: type[Run],
    lock_cycle: Callable[[], PlanningCycle],
    user: Any,
    execute: Callable[[int], str],
) -> Run:
    """Create a run and execute it in this process (demo seeding, scripts).

    ``lock_cycle`` makes the same checks as a queued request and returns the locked cycle.
    """
    with transaction.atomic():
        run = run_model._default_manager.create(cycle=lock_cycle(), requested_by=user)
    execute(run.pk)
    run.refresh_from_db()
    return run


def execute_run(
    run_model: type[Run],
    run_id: int,
    work: Callable[[Run], None],
    *,
    steps: int,
    expected: ExpectedErrors,
    logger: logging.Logger,
    name: str,
) -> str:
    """Run (or re-run) ``work`` for ``run_id``; returns the run's final status.

    ``work`` reports progress on the run and finishes it (``mark_finished``) once its results
    are stored. An exception listed in ``expected`` fails the run with its prefix and message;
    any other is logged (as "<name> <id> failed", with its traceback) and fails the run as
    unexpected.
    """
    claimed = claim_run(run_model, run_id, steps)
    if isinstance(claimed, str):
        return claimed
    run = claimed
    with run_heartbeat(run_model, run_id):
        try:
            work(run)
        except RunTakenOver:  # its rows were rolled back; the other worker finishes the run
            log.warning("%s %s was taken over by another worker", name, run_id)
            return "taken over"
        except Exception as exc:  # the run records the failure; the worker must not crash-loop
            record_failure(run, _error_text(exc, expected, logger, f"{name} {run_id}"))
    return run.status


def claim_run(run_model: type[Run], run_id: int, steps: int) -> Run | str:
    """Mark the run running for this worker, or say (as a status text) why it is not ours."""
    with transaction.atomic():
        run = run_model._default_manager.select_for_update().filter(pk=run_id).first()
        if run is None:
            return "missing"
        if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            return run.status
        alive_since = timezone.now() - heartbeat_timeout()
        beating = run.heartbeat_at is not None and run.heartbeat_at > alive_since
        if run.status == RunStatus.RUNNING and beating and not _process_gone(run.worker):
            return run.status  # a duplicate message: another live worker is executing it
        if run.attempts >= MAX_ATTEMPTS:
            run.mark_finished(error=f"Gave up after {run.attempts} attempts; see the worker log.")
            return run.status
        run.mark_running(total=steps)
    return run


def _process_gone(worker: str) -> bool:
    """True when ``worker`` ("host:pid") names a process of this host that no longer exists.

    A pool process killed mid-run (OOM killer) gets its message redelivered at once
    (``task_reject_on_worker_lost``); its heartbeat is still fresh, but it is surely gone, so
    the redelivery takes the run over instead of waiting for the watchdog.
    """
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _is_zombie(int(pid))


def _is_zombie(pid: int) -> bool:
    # A killed pool process stays a zombie until the worker reaps it: dead all the same.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


@contextmanager
def run_heartbeat(run_model: type[CalculationRun], run_id: int) -> Iterator[None]:
    """Write the run's ``heartbeat_at`` every ``RUN_HEARTBEAT_SECONDS`` while the block runs.

    A thread with its own database connection, so a long step without progress ticks (a solver,
    a COPY) still shows its worker alive. Off with eager Celery (no worker, no watchdog).
    """
    interval = settings.RUN_HEARTBEAT_SECONDS
    if settings.CELERY_TASK_ALWAYS_EAGER or interval <= 0:
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(
        target=_beat, args=(run_model, run_id, stop, interval), daemon=True, name=f"hb-{run_id}"
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def _beat(
    run_model: type[CalculationRun], run_id: int, stop: threading.Event, every: float
) -> None:
    try:
        while not stop.wait(every):
            try:
                run_model._default_manager.filter(pk=run_id, status=RunStatus.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
            except DatabaseError:
                connection.close()  # this thread's connection died; the next beat reconnects
    finally:
        connection.close()


def fresh_connection() -> None:
    """Drop this thread's database connection if it is broken, so the next query reconnects.

    After PostgreSQL dropped the connection mid-run, writing the failure through it would fail
    too and leave the run "running".
    """
    if connection.in_atomic_block:
        return
    if connection.connection is not None and (
        connection.errors_occurred or not connection.is_usable()
    ):
        connection.close()


def record_failure(run: CalculationRun, error: str) -> None:
    """Fail the run with ``error``, reconnecting to the database once if the write fails."""
    fresh_connection()
    try:
        run.mark_finished(error=error)
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        connection.close()
        run.mark_finished(error=error)


def _error_text(
    exc: Exception, expected: ExpectedErrors, logger: logging.Logger, which: str
) -> str:
    for kind, prefix in expected:
        if isinstance(exc, kind):
            return f"{prefix}{exc}"
    logger.exception("%s failed", which)
    return f"Unexpected error ({type(exc).__name__}): {exc}"
