"""Celery task of the supply review: takes a run id; the run record carries progress/errors."""

from __future__ import annotations

from celery import shared_task

from supply.planning import supply_run_execute


@shared_task(name="supply.plan", acks_late=True)
def supply_plan(run_id: int) -> str:
    return supply_run_execute(run_id)
