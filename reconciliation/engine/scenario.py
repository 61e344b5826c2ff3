"""One scenario end to end in memory: levers -> supply plan -> plan rows -> facts.

The same supply engine as the cycle's plan (`supply.engine.plan_supply`, or its family
aggregation beyond ``aggregate_above`` product-sites, as the supply review does).
`recommendation_problems` is the rule for which scenario finance may recommend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from reconciliation.engine.levers import Lever, ScenarioBase, apply_levers
from reconciliation.engine.plan_frame import plan_frame, resource_frame
from reconciliation.engine.rollup import roll_up
from supply.engine import SupplyConfig, SupplyPlan, plan_supply, plan_supply_aggregated

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class ScenarioResult:
    """facts: `rollup.FACT_COLUMNS`; plan: the supply plan (summary, shortages...)."""

    facts: pd.DataFrame
    plan: SupplyPlan


def run_scenario(
    base: ScenarioBase,
    levers: list[Lever],
    config: SupplyConfig,
    *,
    aggregate_above: int = 5000,
    progress: Progress | None = None,
) -> ScenarioResult:
    """Plan and roll up one scenario; raises `LeverError`, `SupplyInputError`, `SupplySolveError`."""
    tick = progress or (lambda done, message: None)
    tick(1, f"Applying {len(levers)} lever(s)")
    frames = apply_levers(base, levers)
    positions = frames.supply.demand[["product", "site"]].drop_duplicates()
    tick(2, f"Planning supply for {len(positions):,} product-sites")
    if len(positions) > aggregate_above:
        plan = plan_supply_aggregated(frames.supply, config)
    else:
        plan = plan_supply(frames.supply, config)
    tick(3, "Financial roll-up")
    rows = plan_frame(plan, frames.supply.products)
    facts = roll_up(rows, frames.monthly_prices, resource_frame(plan))
    return ScenarioResult(facts=facts, plan=plan)


def recommendation_problems(*, stale: bool, has_results: bool, active: bool) -> list[str]:
    """Why a scenario cannot be recommended (empty: it can)."""
    problems = []
    if stale:
        problems.append("The scenario is stale: its baseline moved. Rebase and run it again.")
    if active:
        problems.append("The scenario is still being calculated.")
    if not has_results:
        problems.append("The scenario has no calculated results yet.")
    return problems
