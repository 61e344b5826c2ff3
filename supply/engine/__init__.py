"""Pure supply-review engine (no Django): pandas / numpy / scipy-HiGHS in, DataFrames out.

`rough_cut_capacity` checks the resource load of demand and safety-stock build against
capacity (RCCP). `plan_supply` builds the constrained supply plan as an LP / MIP (make lanes
on resources with overtime, buy lanes per supplier and transport mode with lead times, MOQ
and multiples, supplier capacity, soft safety-stock targets, firm orders, lost sales weighted
by channel priority) and returns a `SupplyPlan` with orders, inventory, explained shortages,
resource and supplier utilisation, the cost breakdown and the gap-closing options.
`plan_supply_aggregated` plans very large instances at family level and disaggregates
(`aggregation`; its cost gap against the full model is measured by benchmarks/supply_scale.py).

Input contracts: `inputs`; model: `model_builder`; MOQ heuristic: `rounding`; outputs:
`results`; shortage reasons: `shortage_reasons`; options: `gaps`; scale: `aggregation` and
`disaggregation`. Secondary resource loads (a unit made also loads packing...) are in `inputs`.
"""

from supply.engine.aggregation import plan_supply_aggregated, plan_supply_sized
from supply.engine.inputs import (
    CONTRACTS,
    SupplyConfig,
    SupplyInputError,
    SupplyInputs,
)
from supply.engine.network import SupplyNetwork, supply_network
from supply.engine.plan import plan_supply
from supply.engine.program import ModelSize
from supply.engine.rccp import rough_cut_capacity
from supply.engine.results import COST_COMPONENTS, SolveSummary, SupplyPlan
from supply.engine.solve import SupplySolveError

__all__ = [
    "CONTRACTS",
    "COST_COMPONENTS",
    "ModelSize",
    "SolveSummary",
    "SupplyConfig",
    "SupplyInputError",
    "SupplyInputs",
    "SupplyNetwork",
    "SupplyPlan",
    "SupplySolveError",
    "plan_supply",
    "plan_supply_aggregated",
    "plan_supply_sized",
    "rough_cut_capacity",
    "supply_network",
]
