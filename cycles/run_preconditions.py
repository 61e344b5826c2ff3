"""Sign-off check shared by the stages whose result is a calculation run (supply, inventory).

A stage is ready when the cycle has a succeeded run to sign off and its newest run is not still
queued or running (signing off while a re-calculation is under way would approve numbers the
planner has not seen).
"""

from __future__ import annotations

from cycles.models import PlanningCycle
from cycles.run_selectors import latest_run, succeeded_runs
from cycles.runs import CalculationRun


def run_readiness(
    cycle: PlanningCycle, run_model: type[CalculationRun], *, missing: str, active: str
) -> list[str]:
    """``[missing]`` without a succeeded run, ``[active]`` while the newest run is active."""
    if not succeeded_runs(run_model, cycle).exists():
        return [missing]
    newest = latest_run(run_model, cycle)
    if newest is not None and newest.is_active:
        return [active]
    return []
