"""Celery task of the reconciliation: takes a scenario run id; the run carries progress/errors."""

from __future__ import annotations

from celery import shared_task

from reconciliation.calculation import scenario_run_execute


@shared_task(name="reconciliation.calculate", acks_late=True)
def scenario_calculate(run_id: int) -> str:
    return scenario_run_execute(run_id)
