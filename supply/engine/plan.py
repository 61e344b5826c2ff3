"""`plan_supply`: validate, build the model, solve with HiGHS, and report the plan.

Method choice (`SupplyConfig.integer_method`):
* "mip": MOQ and multiples exact (binary order flags, integer multiples); optimal within
  ``mip_relative_gap``. If HiGHS finds no integer solution in the time limit, the heuristic
  runs instead and the summary says so.
* "heuristic": LP relaxation, rounding along the cumulative need, LP re-solve (`rounding`).
* "relaxed": the LP relaxation as the plan (MOQ / multiples ignored; a lower bound).
* "auto": "mip" when the integer columns needed are at most ``mip_max_integer_columns``,
  otherwise "heuristic". With no MOQ / multiple anywhere the model is a pure LP and every
  method gives the same optimal plan.
"""

from __future__ import annotations

from supply.engine.gaps import gap_closing_options
from supply.engine.inputs import SupplyConfig, SupplyInputs
from supply.engine.model_builder import LaneGrid, build_program, integer_cells
from supply.engine.network import SupplyNetwork, build_network
from supply.engine.program import LinearProgram
from supply.engine.results import (
    SolveSummary,
    SupplyPlan,
    costs_frame,
    inventory_frame,
    orders_frame,
    resource_frame,
    shortages_frame,
    supplier_frame,
)
from supply.engine.rounding import fix_purchases, rounded_lanes, rounded_purchases
from supply.engine.shortage_reasons import shortage_reasons
from supply.engine.solve import SolverResult, SupplySolveError, solve_program
from supply.engine.usage import decode
from supply.engine.validation import clean_inputs


def integer_columns_needed(network: SupplyNetwork) -> int:
    """Binary flags plus integer multiples the exact MIP would need."""
    grid = LaneGrid.of(network.buy_lanes["lead_time_months"], network.months)
    flags, multiples = integer_cells(network, grid)
    return len(flags) + len(multiples)


def choose_method(network: SupplyNetwork, config: SupplyConfig) -> str:
    if config.integer_method != "auto":
        return config.integer_method
    needed = integer_columns_needed(network)
    return "mip" if needed <= config.mip_max_integer_columns else "heuristic"


def _solve_heuristic(
    network: SupplyNetwork, config: SupplyConfig
) -> tuple[LinearProgram, SolverResult, float]:
    """LP relaxation, rounding, re-solve with purchases fixed; returns both solves' seconds."""
    relaxed_program = build_program(network, "lp")
    relaxed = solve_program(relaxed_program, config.time_limit_seconds, config.mip_relative_gap)
    purchases = relaxed_program.block(relaxed.x, "purchase").reshape(-1, network.months)
    rounded = rounded_purchases(network, purchases, config.quantity_tolerance_units)
    fixed_program = fix_purchases(relaxed_program, rounded, rounded_lanes(network))
    fixed = solve_program(fixed_program, config.time_limit_seconds, config.mip_relative_gap)
    return fixed_program, fixed, relaxed.seconds + fixed.seconds


def solve_network(
    network: SupplyNetwork, config: SupplyConfig
) -> tuple[LinearProgram, SolverResult, str, str, float]:
    """(program, result, method, status, seconds) for the configured or chosen method."""
    method = choose_method(network, config)
    if method == "mip":
        program = build_program(network, "mip")
        try:
            result = solve_program(program, config.time_limit_seconds, config.mip_relative_gap)
            return program, result, "mip", result.status, result.seconds
        except SupplySolveError:
            method = "heuristic"
    if method == "heuristic":
        program, result, seconds = _solve_heuristic(network, config)
        status = "optimal" if integer_columns_needed(network) == 0 else "heuristic"
        return program, result, "lp_rounded", status, seconds
    program = build_program(network, "lp")
    result = solve_program(program, config.time_limit_seconds, config.mip_relative_gap)
    status = "optimal" if integer_columns_needed(network) == 0 else "relaxed"
    return program, result, "lp_relaxed", status, result.seconds


def plan_supply(inputs: SupplyInputs, config: SupplyConfig | None = None) -> SupplyPlan:
    """Constrained supply plan; raises `SupplyInputError` (list of problems) on bad input."""
    config = config or SupplyConfig()
    network = build_network(clean_inputs(inputs), config)
    program, result, method, status, seconds = solve_network(network, config)
    return report_plan(network, program, result, (method, status, seconds), config)


def report_plan(
    network: SupplyNetwork, program: LinearProgram, result: SolverResult,
    how: tuple[str, str, float], config: SupplyConfig,
) -> SupplyPlan:  # fmt: skip
    """The `SupplyPlan` of a solved program; ``how`` = (method, status, solve seconds)."""
    method, status, seconds = how
    grids = decode(network, program, result.x)
    tolerance = config.quantity_tolerance_units
    shortages = shortages_frame(network, grids, tolerance)
    shortages["reason"] = shortage_reasons(network, grids, shortages)
    options = gap_closing_options(network, grids, shortages)
    summary = SolveSummary(
        status, method, result.objective, seconds, program.size, result.mip_gap,
        result.best_bound, network.warnings,
    )  # fmt: skip
    return SupplyPlan(
        orders=orders_frame(network, grids, tolerance),
        inventory=inventory_frame(network, grids),
        shortages=shortages.drop(columns=["position", "month"]),
        resource_utilisation=resource_frame(network, grids),
        supplier_utilisation=supplier_frame(network, grids),
        costs=costs_frame(network, program, result.x),
        gap_options=options,
        summary=summary,
    )
