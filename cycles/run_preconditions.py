"""Sign-off check shared by the stages whose result is a calculation run (supply, inventory).

A stage is ready when the cycle has a succeeded run to sign off and its newest run is not still
queued or running (signing off while a re-calculation is under way would approve numbers the
planner has not seen).
"""

from __future__ import annotations

from cycles.models import PlanningCycle
from cycles.runs import CalculationRun, RunStatus


def run_readiness(
    cycle: PlanningCycle, run_model: type[CalculationRun], *, missing: str, active: str
) -> list[str]:
    """``[missing]`` without a succeeded run, ``[active]`` while the newest run is active."""
    runs = run_model._default_manager.filter(cycle=cycle)
    if not runs.filter(status=RunStatus.SUCCEEDED).exists():
        return [missing]
    newest = runs.order_by("-created_at", "-id").first()
    if newest is not None and newest.is_active:
        return [active]
    return []
