"""Celery beat tasks of the cycle machinery: the run watchdog and the pruning of superseded runs."""

from __future__ import annotations

from celery import shared_task

from cycles import run_pruning, run_watchdog


@shared_task(name="cycles.run_watchdog", acks_late=True)
def run_watchdog_task() -> dict[str, int]:
    """Re-queue or fail runs whose worker is gone (see `cycles.run_watchdog`)."""
    return dict(run_watchdog.watchdog())


@shared_task(name="cycles.prune_superseded_runs", acks_late=True)
def prune_superseded_runs_task() -> dict[str, int]:
    """Delete superseded runs' result rows past retention (see `cycles.run_pruning`)."""
    return run_pruning.prune_superseded_runs()
