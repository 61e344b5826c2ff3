"""Celery tasks of the ERP API: each takes ids and is idempotent."""

from __future__ import annotations

from celery import shared_task

from api.renditions import render_all


@shared_task(name="api.tasks.render_plan")
def render_plan(cycle_id: int) -> int:
    """Render and store the approved plan's JSON and CSV (``api.renditions``)."""
    return render_all(cycle_id)
