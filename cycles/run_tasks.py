"""The life of a stage's calculation run, shared by the supply plan and the inventory review.

`request_run` queues a run inside the caller's transaction (the caller has locked and checked
the cycle) and sends the Celery task only once that transaction commits; a run already queued
or running is returned instead of starting a second one.

`run_now` does the same in-process, for demo seeding and scripts. `execute_run` is the body of
the task: idempotent by run id (a finished run is left alone; a
re-delivered message runs again and the stage's `work` replaces that run's rows), it parks a run
attempted `MAX_ATTEMPTS` times as failed, and it records every error on the run so nothing raises
into the worker (a crash-looping message would block the queue).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone

from cycles.models import PlanningCycle
from cycles.runs import CalculationRun, RunStatus

MAX_ATTEMPTS = 3
Run = TypeVar("Run", bound=CalculationRun)
# (exception type, prefix of the run's error text) for failures the planner can act on
ExpectedErrors = Sequence[tuple[type[Exception], str]]


def request_run(
    run_model: type[Run],
    cycle: PlanningCycle,
    user: Any,
    send: Callable[[int], Any],
    *,
    stale_after: dt.timedelta | None = None,
) -> Run:
    """Queue a run of ``cycle`` (call inside the transaction that locked the cycle).

    With ``stale_after``, a run active for longer than that (the broker's redelivery window) is
    given up as failed first, so a lost message cannot block the stage forever.
    """
    active = run_model._default_manager.filter(
        cycle=cycle, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    )
    if stale_after is not None:
        now = timezone.now()
        active.filter(created_at__lt=now - stale_after).update(
            status=RunStatus.FAILED, error="Never finished; given up.", finished_at=now
        )
    current = active.first()
    if current is not None:
        return current
    run = run_model._default_manager.create(cycle=cycle, requested_by=user)
    transaction.on_commit(lambda: send(run.pk))
    return run


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
    run = run_model._default_manager.select_related("cycle").filter(pk=run_id).first()
    if run is None or run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
        return run.status if run else "missing"
    if run.attempts >= MAX_ATTEMPTS:
        run.mark_finished(error=f"Gave up after {run.attempts} attempts; see the worker log.")
        return run.status
    run.mark_running(total=steps)
    try:
        work(run)
    except Exception as exc:  # the run records the failure; the worker must not crash-loop
        run.mark_finished(error=_error_text(exc, expected, logger, f"{name} {run_id}"))
    return run.status


def _error_text(
    exc: Exception, expected: ExpectedErrors, logger: logging.Logger, which: str
) -> str:
    for kind, prefix in expected:
        if isinstance(exc, kind):
            return f"{prefix}{exc}"
    logger.exception("%s failed", which)
    return f"Unexpected error ({type(exc).__name__}): {exc}"
