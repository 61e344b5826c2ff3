"""Celery task of the inventory review: takes a run id, the run record carries progress/errors."""

from __future__ import annotations

from celery import shared_task

from inventory.calculation import inventory_run_execute


@shared_task(name="inventory.calculate", acks_late=True)
def inventory_calculate(run_id: int) -> str:
    return inventory_run_execute(run_id)
