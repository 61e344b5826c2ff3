"""Pure reconciliation engine (no Django): levers on planning frames, the financial roll-up,
period totals with their KPIs, and the price-volume-mix bridge.

`levers.apply_levers` turns the baseline's inputs into a scenario's; the supply engine plans it;
`plan_frame` shapes the plan; `rollup.roll_up` gives family x month facts (and totals);
`periods.summarise` adds quarter / year / horizon figures and ratios; `pvm.pvm_bridge` bridges
budget revenue to the scenario's.
"""

from reconciliation.engine.levers import (
    LEVER_KINDS,
    Lever,
    LeverError,
    ScenarioBase,
    ScenarioFrames,
    apply_levers,
)
from reconciliation.engine.periods import BUCKETS, budget_figures, summarise, versus
from reconciliation.engine.plan_frame import plan_frame, resource_frame
from reconciliation.engine.pvm import Bridge, mix_effect, pvm_bridge
from reconciliation.engine.rollup import FACT_COLUMNS, PLAN_COLUMNS, TOTAL, roll_up

__all__ = [
    "BUCKETS",
    "FACT_COLUMNS",
    "LEVER_KINDS",
    "PLAN_COLUMNS",
    "TOTAL",
    "Bridge",
    "Lever",
    "LeverError",
    "ScenarioBase",
    "ScenarioFrames",
    "apply_levers",
    "budget_figures",
    "mix_effect",
    "plan_frame",
    "pvm_bridge",
    "resource_frame",
    "roll_up",
    "summarise",
    "versus",
]
