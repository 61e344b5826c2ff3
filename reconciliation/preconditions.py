"""The reconciliation's sign-off check: a recommended scenario whose numbers are current."""

from __future__ import annotations

from cycles import preconditions
from cycles.models import PlanningCycle
from reconciliation import selectors


@preconditions.register("reconciliation")
def scenario_recommended(cycle: PlanningCycle) -> list[str]:
    recommendation = selectors.recommendation(cycle)
    if recommendation is None:
        return ["Finance has not recommended a scenario yet."]
    state = selectors.scenario_state(recommendation.scenario, selectors.plan_version(cycle))
    if state.problems:
        return [f"The recommended scenario '{recommendation.scenario.name}' is not current: "
                + " ".join(state.problems)]  # fmt: skip
    if state.result is not None and state.result.pk != recommendation.run_id:
        return [f"'{recommendation.scenario.name}' was recalculated after it was recommended: "
                "recommend it again."]  # fmt: skip
    return []
