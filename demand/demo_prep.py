"""The demo company's walk through a cycle runs the statistical forecast before demand sign-off."""

from __future__ import annotations

from typing import Any

from cycles.models import PlanningCycle
from cycles.services import TransitionError
from demo.hooks import register_stage_prep


@register_stage_prep("demand_review")
def run_forecast(cycle: PlanningCycle, user: Any) -> None:
    from demand.services import forecast_run_now

    run = forecast_run_now(cycle.pk, user)
    if run.error:
        raise TransitionError(f"Forecast run failed: {run.error}")
