"""Celery tasks of the cycle machinery: the plan record's roll-up (the pipeline's last step),
sign-offs, background exports, the run watchdog and the pruning of superseded runs."""

from __future__ import annotations

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction

from cycles import exports, run_pruning, run_watchdog, sign_off
from cycles.models import PlanBuildRun, PlanningCycle
from cycles.plan import PlanLocked, register_launcher
from cycles.plan_build import plan_build
from cycles.run_tasks import execute_run, request_run
from cycles.runs import RunStatus

logger = logging.getLogger(__name__)
LOCKED = ((PlanLocked, "Not rebuilt: "),)


@shared_task(name="cycles.plan_build", acks_late=True)
def plan_build_task(run_id: int) -> str:
    """A `PlanBuildRun` (idempotent: a rebuild from the same pins writes the same rows under a
    new version); an approved cycle's plan is not rebuilt (the run fails, saying so)."""
    return execute_run(PlanBuildRun, run_id, _build, steps=1, expected=LOCKED, logger=logger,
                       name="Plan build")  # fmt: skip


def _build(run: PlanBuildRun) -> None:
    version = plan_build(run.cycle_id, run.requested_by_id)
    run.mark_progress(
        1, "Superseded by a newer build." if version is None else f"Plan version {version}."
    )
    run.mark_finished()


@register_launcher("finance")
def launch_finance(cycle_id: int, user_id: int | None) -> None:
    """The pipeline's roll-up step: a `PlanBuildRun` queued on commit (a run already queued is
    reused, a running one is not: it read the pins before this launch)."""
    with transaction.atomic():
        cycle = PlanningCycle.objects.select_for_update().get(pk=cycle_id)
        if not cycle.is_locked:
            user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
            request_run(PlanBuildRun, cycle, user, plan_build_task.delay,
                        reuse=(RunStatus.QUEUED,))  # fmt: skip


@shared_task(name="cycles.sign_off", acks_late=True)
def sign_off_task(run_id: int) -> str:
    """A `SignOffRun`: the stage's sign-off under the cycle lock (see `cycles.sign_off`)."""
    return sign_off.execute_sign_off(run_id)


@shared_task(name="cycles.run_watchdog", acks_late=True)
def run_watchdog_task() -> dict[str, int]:
    """Re-queue or fail runs whose worker is gone (see `cycles.run_watchdog`)."""
    return dict(run_watchdog.watchdog())


@shared_task(name="cycles.prune_superseded_runs", acks_late=True)
def prune_superseded_runs_task() -> dict[str, int]:
    """Delete superseded runs' result rows past retention (see `cycles.run_pruning`)."""
    return run_pruning.prune_superseded_runs()


@shared_task(name="cycles.export", acks_late=True)
def export_task(run_id: int) -> str:
    """An `ExportRun`: the workbook written to a stored file (see `cycles.exports`)."""
    return exports.execute_export(run_id)
