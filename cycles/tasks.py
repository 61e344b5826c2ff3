"""Celery tasks of the cycle machinery: the plan record's roll-up (the pipeline's last step),
the run watchdog and the pruning of superseded runs."""

from __future__ import annotations

import logging

from celery import shared_task

from cycles import run_pruning, run_watchdog
from cycles.plan import PlanLocked, register_launcher
from cycles.plan_build import plan_build

logger = logging.getLogger(__name__)


@shared_task(name="cycles.plan_build", acks_late=True)
def plan_build_task(cycle_id: int, user_id: int | None = None) -> str:
    """Idempotent: a rebuild from the same pins writes the same rows under a new version."""
    try:
        version = plan_build(cycle_id, user_id)
    except PlanLocked as exc:
        logger.info("Plan of cycle %s not rebuilt: %s", cycle_id, exc)
        return "locked"
    return "superseded" if version is None else f"version {version}"


@register_launcher("finance")
def launch_finance(cycle_id: int, user_id: int | None) -> None:
    plan_build_task.delay(cycle_id, user_id)


@shared_task(name="cycles.run_watchdog", acks_late=True)
def run_watchdog_task() -> dict[str, int]:
    """Re-queue or fail runs whose worker is gone (see `cycles.run_watchdog`)."""
    return dict(run_watchdog.watchdog())


@shared_task(name="cycles.prune_superseded_runs", acks_late=True)
def prune_superseded_runs_task() -> dict[str, int]:
    """Delete superseded runs' result rows past retention (see `cycles.run_pruning`)."""
    return run_pruning.prune_superseded_runs()
