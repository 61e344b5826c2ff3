"""Reads of a stage's calculation runs, shared by the supply plan and the inventory review, and
of the sign-off run a stage may be waiting for.

Only a succeeded run is ever read as the stage's result (the newest by finish time); the newest
run by creation, whatever its status, is what the page shows progress for.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import QuerySet

from cycles.models import PlanningCycle, SignOffRun
from cycles.runs import ACTIVE_STATUSES, CalculationRun, RunStatus

Run = TypeVar("Run", bound=CalculationRun)


def latest_run(run_model: type[Run], cycle: PlanningCycle) -> Run | None:
    """The newest run of the cycle, whatever its status (for progress display)."""
    return run_model._default_manager.filter(cycle=cycle).order_by("-created_at", "-id").first()


def succeeded_runs(run_model: type[Run], cycle: PlanningCycle) -> QuerySet[Run]:
    """The cycle's succeeded runs, newest result first."""
    return run_model._default_manager.filter(cycle=cycle, status=RunStatus.SUCCEEDED).order_by(
        "-finished_at", "-id"
    )


def active_sign_off(cycle_id: int) -> SignOffRun | None:
    """The cycle's sign-off run still queued or running (its stage is "signing off"), or None."""
    return (
        SignOffRun.objects.filter(cycle_id=cycle_id, status__in=ACTIVE_STATUSES)
        .order_by("-created_at", "-id")
        .first()
    )


def signing_off_text(run: SignOffRun) -> str:
    """Why a change is refused while ``run`` signs its stage off."""
    return (
        f"The {run.stage_label} is being signed off (run {run.pk}); "
        "wait until it finishes, then reload."
    )
