"""The run watchdog: no calculation run stays queued or running after its worker is gone.

Run by Celery beat every ``RUN_WATCHDOG_INTERVAL_SECONDS`` (``cycles.tasks.run_watchdog``):

* A **running** run whose heartbeat is older than ``RUN_HEARTBEAT_TIMEOUT_SECONDS`` lost its worker
  (killed by a deploy or the OOM killer, or its broker message vanished with a Redis restart).
  It is re-queued (its task sent again: every run task is idempotent by run id, a forecast keeps
  its finished chunks) while it has attempts left (`run_tasks.MAX_ATTEMPTS`), else failed with a
  message; a failed run can be retried from its stage.
* A **queued** run not started ``RUN_REDISPATCH_AFTER_SECONDS`` after it was handed to the broker
  (lost with a broker restart, or sent by a process that died before its commit hook ran) is sent
  again, at most ``RUN_MAX_DISPATCHES`` times in all, then failed with a message.

Each run is handled under its row lock (``skip_locked``: a worker claiming it wins), so two
watchdogs, or a watchdog and a worker, never both act on it. A duplicate message is harmless:
the worker's claim skips a run another live worker is executing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from cycles.run_control import run_models
from cycles.run_tasks import MAX_ATTEMPTS, dispatch, heartbeat_timeout, task_sender
from cycles.runs import CalculationRun, RunStatus

WORKER_GONE = (
    "The worker executing this run stopped (no sign of life for {seconds} s) after "
    "{attempts} attempt(s); nothing was switched. Run it again (Retry)."
)
NEVER_STARTED = (
    "No worker started this run after {count} hand-overs to the task queue; check that a "
    "worker is running, then run it again (Retry)."
)


def watchdog() -> Counter[str]:
    """Re-queue or fail every run whose worker is gone; returns counts by outcome."""
    outcomes: Counter[str] = Counter()
    now = timezone.now()
    redispatch_after = dt.timedelta(seconds=settings.RUN_REDISPATCH_AFTER_SECONDS)
    for model in run_models():
        for run_id in _silent(model, now - heartbeat_timeout()):
            outcomes[_revive(model, run_id, now - heartbeat_timeout())] += 1
        for run_id in _undelivered(model, now - redispatch_after):
            outcomes[_redispatch(model, run_id, now - redispatch_after)] += 1
    return outcomes


def _silent(model: type[CalculationRun], before: dt.datetime) -> list[int]:
    return list(
        model._default_manager.filter(status=RunStatus.RUNNING)
        .alias(alive_at=Coalesce("heartbeat_at", "started_at", "created_at"))
        .filter(alive_at__lt=before)
        .values_list("pk", flat=True)
    )


def _undelivered(model: type[CalculationRun], before: dt.datetime) -> list[int]:
    return list(
        model._default_manager.filter(status=RunStatus.QUEUED)
        .alias(sent_at=Coalesce("dispatched_at", "created_at"))
        .filter(sent_at__lt=before)
        .values_list("pk", flat=True)
    )


def _locked(model: type[CalculationRun], run_id: int) -> CalculationRun | None:
    manager = model._default_manager
    return manager.select_for_update(skip_locked=True).filter(pk=run_id).first()


def _revive(model: type[CalculationRun], run_id: int, before: dt.datetime) -> str:
    with transaction.atomic():
        run = _locked(model, run_id)
        if run is None or run.status != RunStatus.RUNNING:
            return "skipped"
        if (run.heartbeat_at or run.started_at or run.created_at) >= before:
            return "skipped"  # it beat again since the query
        if model.task_name and run.attempts < MAX_ATTEMPTS:
            run.status = RunStatus.QUEUED
            run.message = f"Its worker stopped; re-queued (attempt {run.attempts + 1})."
            run.save(update_fields=["status", "message"])
            dispatch(run, task_sender(model))
            return "requeued"
        seconds = settings.RUN_HEARTBEAT_TIMEOUT_SECONDS
        run.mark_finished(error=WORKER_GONE.format(seconds=seconds, attempts=run.attempts))
        return "failed"


def _redispatch(model: type[CalculationRun], run_id: int, before: dt.datetime) -> str:
    with transaction.atomic():
        run = _locked(model, run_id)
        if run is None or run.status != RunStatus.QUEUED:
            return "skipped"
        if (run.dispatched_at or run.created_at) >= before:
            return "skipped"
        if model.task_name and run.dispatches < settings.RUN_MAX_DISPATCHES:
            dispatch(run, task_sender(model))
            return "redispatched"
        run.mark_finished(error=NEVER_STARTED.format(count=run.dispatches))
        return "failed"
