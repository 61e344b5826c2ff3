"""`plan_supply`: validate, build the model, solve with HiGHS, and report the plan.

Method choice (`SupplyConfig.integer_method`):
* "mip": MOQ and multiples exact (binary order flags, integer multiples); optimal within
  ``mip_relative_gap``. If HiGHS finds no integer solution in the time limit, the heuristic
  runs instead and the summary says so.
* "heuristic": LP relaxation, rounding along the cumulative need, LP re-solve (`rounding`;
  production runs are then lot-sized to make MOQs, `make_moq`), then a repair by
  neighbourhood search (RINS, Danna, Rothberg & Le Pape 2005): the exact MIP restricted to
  ever wider neighbourhoods, each solved through highspy *started from the best plan so far*
  (so the plan never gets worse), while it has at most ``repair_max_integer_columns``
  integer columns, within ``repair_time_limit_seconds`` each: (1) the order months of the
  relaxed LP and of the rounded plan and one month either side; (2) also every month of the
  lanes they use and every lane of a position the rounded plan leaves short; (3) every cell
  (the MIP itself). Outside the neighbourhood purchase cells are fixed at 0 (production stays
  free). The MIP re-decides which cells order, how much and on which lane jointly across
  positions sharing a supplier -- where one-lot-at-a-time rounding wastes capacity (two
  products whose MOQs do not both fit a month). The cheaper of the rounded and the repaired
  plan is kept; the summary's method then says "lp_rounded_repaired". benchmarks/
  supply_moq.py measures the gap to the exact MIP on random instances.
  Both "mip" and "heuristic" end with `polish`: a gap option that would close a shortage
  for less than the lost sale is taken (LP re-solve, kept if the total cost falls), so a
  shortage left is an economic choice by the plan's own option costs.
* "relaxed": the LP relaxation as the plan (MOQ / multiples ignored; a lower bound).
* "auto": "mip" when the integer columns needed are at most ``mip_max_integer_columns``,
  otherwise "heuristic". With no MOQ / multiple anywhere the model is a pure LP and every
  method gives the same optimal plan.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from supply.engine.gaps import gap_closing_options
from supply.engine.inputs import SupplyConfig, SupplyInputs
from supply.engine.make_moq import (
    MAX_ROUNDS,
    make_flag_cells,
    planned_runs,
    production_below_moq,
    with_runs,
    without_small_runs,
)
from supply.engine.model_builder import LaneGrid, build_program, integer_cells
from supply.engine.network import SupplyNetwork, supply_network
from supply.engine.polish import take_paying_options
from supply.engine.program import FloatArray, LinearProgram
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
from supply.engine.rounding import BoolArray, fix_purchases, rounded_lanes, rounded_purchases
from supply.engine.shortage_reasons import shortage_reasons
from supply.engine.solve import SolverResult, SupplySolveError, solve_program, solve_program_from
from supply.engine.usage import decode


def integer_columns_needed(network: SupplyNetwork) -> int:
    """Binary order and run flags plus integer multiples the exact MIP would need."""
    grid = LaneGrid.of(network.buy_lanes["lead_time_months"], network.months)
    flags, multiples = integer_cells(network, grid)
    return len(flags) + len(multiples) + len(make_flag_cells(network))


def _fix_small_runs(
    network: SupplyNetwork, config: SupplyConfig, program: LinearProgram, result: SolverResult
) -> tuple[LinearProgram, SolverResult, float]:
    """Re-solve with production runs below their MOQ fixed at 0 until none is left
    (`make_moq`); returns the final program, result and the extra solve seconds."""
    seconds = 0.0
    tolerance = config.quantity_tolerance_units
    for _ in range(MAX_ROUNDS):
        small = production_below_moq(network, program, result.x, tolerance)
        if len(small) == 0:
            break
        program = without_small_runs(program, small)
        result = solve_program(program, config.time_limit_seconds, config.mip_relative_gap)
        seconds += result.seconds
    return program, result, seconds


def _honour_make_minimums(
    network: SupplyNetwork, config: SupplyConfig, program: LinearProgram, result: SolverResult
) -> tuple[LinearProgram, SolverResult, float]:
    """Production meeting every make MOQ (`make_moq` heuristic): the lot-sized runs and the
    zero-only rounding, the cheaper kept; returns (program, result, extra solve seconds)."""
    if len(make_flag_cells(network)) == 0:
        return program, result, 0.0
    best_program, best, seconds = _fix_small_runs(network, config, program, result)
    production = program.block(result.x, "production").reshape(-1, network.months)
    for shared in (True, False):
        runs = planned_runs(network, production, config.quantity_tolerance_units, shared)
        try:
            run_program = with_runs(network, program, runs)
            batched = solve_program(run_program, config.time_limit_seconds,
                                    config.mip_relative_gap)  # fmt: skip
        except SupplySolveError:  # minimums above a run-out cap: this variant is dropped
            continue
        run_program, batched, more = _fix_small_runs(network, config, run_program, batched)
        seconds += batched.seconds + more
        if batched.objective < best.objective:
            best_program, best = run_program, batched
    return best_program, best, seconds


def choose_method(network: SupplyNetwork, config: SupplyConfig) -> str:
    if config.integer_method != "auto":
        return config.integer_method
    needed = integer_columns_needed(network)
    return "mip" if needed <= config.mip_max_integer_columns else "heuristic"


def _solve_heuristic(
    network: SupplyNetwork, config: SupplyConfig
) -> tuple[LinearProgram, SolverResult, float, bool]:
    """LP relaxation, rounding, re-solve with purchases fixed, then the neighbourhood repair;
    returns (program, result, seconds of all solves, whether the repair improved the plan)."""
    relaxed_program = build_program(network, "lp")
    relaxed = solve_program(relaxed_program, config.time_limit_seconds, config.mip_relative_gap)
    purchases = relaxed_program.block(relaxed.x, "purchase").reshape(-1, network.months)
    rounded = rounded_purchases(network, purchases, config.quantity_tolerance_units)
    fixed_program = fix_purchases(relaxed_program, rounded, rounded_lanes(network))
    fixed = solve_program(fixed_program, config.time_limit_seconds, config.mip_relative_gap)
    fixed_program, fixed, extra = _honour_make_minimums(network, config, fixed_program, fixed)
    seconds = relaxed.seconds + fixed.seconds + extra
    repair = _repair(network, config, purchases, rounded, (fixed_program, fixed))
    if repair is not None:
        program, result = repair
        seconds += result.seconds
        if result.objective < fixed.objective - 1e-9 * max(abs(fixed.objective), 1.0):
            return program, result, seconds, True
    return fixed_program, fixed, seconds, False


def _neighbourhoods(network: SupplyNetwork, relaxed: FloatArray, rounded: FloatArray,
                    short: BoolArray, tolerance: float) -> list[BoolArray]:  # fmt: skip
    """Free purchase cells, each neighbourhood containing the one before (module docstring)."""
    ordered = (relaxed > tolerance) | (rounded > tolerance)
    lanes = ordered.any(axis=1) | short[network.buy_lanes["position"].to_numpy()]
    near = ordered.copy()
    near[:, 1:] |= ordered[:, :-1]
    near[:, :-1] |= ordered[:, 1:]
    whole_lanes = np.repeat(lanes[:, None], ordered.shape[1], axis=1)
    return [near, whole_lanes | near, np.ones_like(ordered)]


def _mip_start(network: SupplyNetwork, mip: LinearProgram, lp: LinearProgram, x: FloatArray,
               tolerance: float) -> FloatArray:  # fmt: skip
    """The LP-layout solution of the rounded plan as a MIP solution (flags, multiples, runs)."""
    start = np.zeros(len(mip.cost))
    for name, block in lp.columns.items():
        start[mip.columns[name]] = x[block]
    purchase, production = lp.block(x, "purchase"), lp.block(x, "production")
    flag_cells, multiple_cells = mip.index["flag_cells"], mip.index["multiple_cells"]
    start[mip.columns["order_flag"]] = purchase[flag_cells] > tolerance
    multiple = network.buy_lanes["order_multiple_units"].to_numpy(float)
    lane = multiple_cells // network.months
    start[mip.columns["order_multiples"]] = np.rint(purchase[multiple_cells] / multiple[lane])
    start[mip.columns["run_flag"]] = production[mip.index["run_flag_cells"]] > tolerance
    return start


def _repair(
    network: SupplyNetwork,
    config: SupplyConfig,
    relaxed: FloatArray,
    rounded: FloatArray,
    heuristic: tuple[LinearProgram, SolverResult],
) -> tuple[LinearProgram, SolverResult] | None:
    """The MIP over ever wider neighbourhoods (module docstring), each started from the best
    plan so far, while they fit ``repair_max_integer_columns``; None when none fits."""
    tolerance = config.quantity_tolerance_units
    lost = heuristic[0].block(heuristic[1].x, "lost_sales") > tolerance
    short = np.zeros(len(network.positions), dtype=bool)
    short[network.demand["position"].to_numpy()[lost]] = True
    program = build_program(network, "mip")
    x = _mip_start(network, program, heuristic[0], heuristic[1].x, tolerance)
    integer_cells = np.concatenate([program.index["flag_cells"], program.index["multiple_cells"]])
    runs = len(program.index["run_flag_cells"])
    best: tuple[LinearProgram, SolverResult] | None = None
    for cells in _neighbourhoods(network, relaxed, rounded, short, tolerance):
        if (
            not 0
            < int(cells.ravel()[integer_cells].sum()) + runs
            <= config.repair_max_integer_columns
        ):
            break
        restricted = _restricted(program, network, cells.ravel())
        try:
            result = solve_program_from(restricted, x, config.repair_time_limit_seconds,
                                        config.mip_relative_gap)  # fmt: skip
        except SupplySolveError:
            break
        best, x = (restricted, result), result.x
    return best


def _restricted(program: LinearProgram, network: SupplyNetwork, cells: BoolArray) -> LinearProgram:
    """The program with every purchase cell outside ``cells`` (and not firm) fixed at 0."""
    upper = program.col_upper.copy()
    block = program.columns["purchase"]
    firm = ~np.isnan(network.firm_buy.ravel())
    upper[block] = np.where(cells | firm, upper[block], 0.0)
    return program.with_column_bounds(program.col_lower, upper)


def solve_network(
    network: SupplyNetwork, config: SupplyConfig
) -> tuple[LinearProgram, SolverResult, str, str, float]:
    """(program, result, method, status, seconds) for the configured or chosen method."""
    method = choose_method(network, config)
    if method == "mip":
        program = build_program(network, "mip")
        try:
            result = solve_program(program, config.time_limit_seconds, config.mip_relative_gap)
            status, seconds = result.status, result.seconds
            bound = result.best_bound  # the MIP's dual bound stays the reported bound
            program, polished, extra = take_paying_options(network, config, program, result)
            gap = (polished.objective - bound) / max(abs(polished.objective), 1e-9)
            result = replace(polished, best_bound=bound, mip_gap=max(gap, 0.0))
            return program, result, "mip", status, seconds + extra
        except SupplySolveError:
            method = "heuristic"
    if method == "heuristic":
        program, result, seconds, repaired = _solve_heuristic(network, config)
        program, result, extra = take_paying_options(network, config, program, result)
        status = "optimal" if integer_columns_needed(network) == 0 else "heuristic"
        how = "lp_rounded_repaired" if repaired else "lp_rounded"
        return program, result, how, status, seconds + extra
    program = build_program(network, "lp")
    result = solve_program(program, config.time_limit_seconds, config.mip_relative_gap)
    status = "optimal" if integer_columns_needed(network) == 0 else "relaxed"
    return program, result, "lp_relaxed", status, result.seconds


def plan_supply(inputs: SupplyInputs, config: SupplyConfig | None = None, *,
                network: SupplyNetwork | None = None) -> SupplyPlan:  # fmt: skip
    """Constrained supply plan; raises `SupplyInputError` (list of problems) on bad input.
    ``network``: `supply_network(inputs, config)` when the caller already built it."""
    config = config or SupplyConfig()
    network = network or supply_network(inputs, config)
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
