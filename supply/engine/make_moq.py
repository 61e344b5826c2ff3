"""Minimum production runs of make terms: a month's production on a lane is 0 or >= the MOQ.

Exact (MIP): a binary run flag y per production cell with an MOQ, and
    production - MOQ x y >= 0,   production - M x y <= 0,
M = the least of the position's demand from the arrival month on plus its safety stock (at
least the MOQ), the units the lane's resource can make that month (capacity plus allowed
overtime over hours per unit) and the run-out cap of `lifecycle`. M below the MOQ forces y to
0: a run the line cannot make, or the remaining need does not justify, is not planned.

Heuristic (instances above the MIP size), after purchases are fixed (`plan`):
1. Lot-size each lane with an MOQ on the LP's production (`planned_runs`, Wagner-Whitin with a
   minimum run): a dynamic programme over release months chooses, per lane, the months that
   get a run and the later months' production each run brings forward, or a month's
   production that is dropped (lost). A run in s covering s..u-1 costs production cost x
   max(units, MOQ) + holding x units x months brought forward; dropping a month's units costs
   them at the position's cheapest lost sale. A run must fit the cell's run limit (below).
   So a need of 9.4 a month with an MOQ of 50 becomes one run of 50 carried for five months
   when that is cheaper than losing the sales, and is dropped when it is not.
2. Re-solve the LP with each chosen run's production bounded below by the MOQ (above by its
   run limit) and every other flagged cell fixed at 0; runs whose minimums together exceed a
   resource-month's hours (capacity plus overtime) keep no lower bound there.
3. Any production still strictly between 0 and its MOQ is fixed at 0 and the LP re-solved,
   until none is left (each round only removes cells, so it ends).
Both variants and the zero-only rounding (step 3 alone) are solved; the cheapest plan is kept. The result
meets every MOQ; it is an upper bound, and the neighbourhood repair of `plan` may improve it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from supply.engine.lots import lot_prefix_sums
from supply.engine.network import SupplyNetwork
from supply.engine.program import FloatArray, IntArray, LinearProgram, ProgramBuilder

BoolArray = npt.NDArray[np.bool_]
INF = np.inf
MAX_ROUNDS = 50


def make_flag_cells(network: SupplyNetwork) -> IntArray:
    """Production cells (lane x month, row-major) that need a run flag: a release arriving
    inside the horizon, not firm (firm orders are exempt), on a lane with an MOQ."""
    make, months = network.make_lanes, network.months
    lead = make["lead_time_months"].to_numpy(np.int64)
    inside = (np.arange(months)[None, :] + lead[:, None]) < months
    moq = make["min_order_qty_units"].to_numpy(dtype=float)[:, None]
    free = inside & np.isnan(network.firm_make) & (moq > 0)
    return np.flatnonzero(free.ravel())


def _demand_from_month_on(network: SupplyNetwork) -> FloatArray:
    demand = np.zeros((len(network.positions), network.months))
    rows = network.demand
    np.add.at(demand, (rows["position"].to_numpy(), rows["month"].to_numpy()),
              rows["demand_units"].to_numpy(dtype=float))  # fmt: skip
    return np.cumsum(demand[:, ::-1], axis=1)[:, ::-1]


def _run_limit(network: SupplyNetwork, cells: IntArray) -> FloatArray:
    make, months = network.make_lanes, network.months
    lane, month = cells // months, cells % months
    lead = make["lead_time_months"].to_numpy(np.int64)[lane]
    position = make["position"].to_numpy()[lane]
    from_month_on = _demand_from_month_on(network)
    arrival = np.minimum(month + lead, months - 1)
    safety = network.positions["safety_stock_units"].to_numpy(dtype=float)[position]
    moq = make["min_order_qty_units"].to_numpy(dtype=float)[lane]
    need = np.maximum(from_month_on[position, arrival] + safety, moq)
    hours = make["hours_per_unit"].to_numpy(dtype=float)[lane]
    resource = make["resource_index"].to_numpy()[lane]
    overtime = network.resources["overtime_hours_per_month"].to_numpy(dtype=float)[resource]
    available = network.capacity_hours[resource, month] + overtime
    makeable = np.where(hours > 0, available / np.where(hours > 0, hours, 1.0), np.inf)
    run_out = network.positions["run_out_cap_units"].to_numpy(dtype=float)[position]
    return np.fmin(np.minimum(need, makeable), run_out)


def add_make_moq_block(builder: ProgramBuilder, network: SupplyNetwork) -> None:
    """Run flags and their two rows per flagged production cell (module docstring)."""
    cells = make_flag_cells(network)
    moq = network.make_lanes["min_order_qty_units"].to_numpy(dtype=float)[cells // network.months]
    limit = _run_limit(network, cells)
    builder.tighten_upper("production", cells, np.maximum(limit, 0.0))
    flags = builder.add_columns("run_flag", np.zeros(len(cells)), 0.0, 1.0, integer=True)
    low = builder.add_rows("run_low", np.zeros(len(cells)), INF)
    high = builder.add_rows("run_high", np.full(len(cells), -INF), 0.0)
    count = np.arange(len(cells))
    production = builder.columns["production"].start + cells
    builder.add_entries(np.concatenate([low + count, high + count]), np.tile(production, 2), 1.0)
    builder.add_entries(low + count, flags + count, -moq)
    builder.add_entries(high + count, flags + count, -limit)
    builder.index["run_flag_cells"] = cells


def production_below_moq(network: SupplyNetwork, program: LinearProgram, x: FloatArray,
                         tolerance: float) -> IntArray:  # fmt: skip
    """Flag-needing production cells whose quantity lies strictly between 0 and the MOQ."""
    cells = make_flag_cells(network)
    moq = network.make_lanes["min_order_qty_units"].to_numpy(dtype=float)[cells // network.months]
    quantity = program.block(x, "production")[cells]
    return cells[(quantity > tolerance) & (quantity < moq - tolerance)]


def without_small_runs(program: LinearProgram, cells: IntArray) -> LinearProgram:
    """The same program with these production cells fixed at 0."""
    upper = program.col_upper.copy()
    upper[program.columns["production"].start + cells] = 0.0
    return program.with_column_bounds(program.col_lower, upper)


def flag_grid(network: SupplyNetwork) -> tuple[BoolArray, FloatArray]:
    """(flagged cell, run limit) per make lane x month; the limit is 0 off flagged cells."""
    shape = (len(network.make_lanes), network.months)
    cells = make_flag_cells(network)
    flagged, limit = np.zeros(shape, dtype=bool), np.zeros(shape)
    flagged.flat[cells] = True
    limit.flat[cells] = _run_limit(network, cells)
    return flagged, limit


def _lane_costs(network: SupplyNetwork) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per make lane: production cost, holding cost per unit-month, cheapest lost sale."""
    make = network.make_lanes
    position = make["position"].to_numpy()
    lost = np.full(len(network.positions), np.inf)
    np.minimum.at(lost, network.demand["position"].to_numpy(),
                  network.demand["shortage_cost_per_unit"].to_numpy(dtype=float))  # fmt: skip
    holding = network.positions["holding_cost_per_unit_month"].to_numpy(dtype=float)
    return make["cost_per_unit"].to_numpy(dtype=float), holding[position], lost[position]


def _lot_size(need: FloatArray, limit: FloatArray, moq: FloatArray, costs: FloatArray,
              tolerance: float) -> FloatArray:  # fmt: skip
    """Run quantities (rows x months, 0 = no run) of the dynamic programme of step 1 for rows
    with ``need`` and ``limit`` (rows x months), ``moq`` and ``costs`` = (production, holding,
    lost) per row; ``limit`` 0 marks a month that cannot run."""
    cost, holding, lost = costs
    rows, months = need.shape
    cumulative, weighted = lot_prefix_sums(need)
    best = np.full((rows, months + 1), np.inf)
    best[:, 0] = 0.0
    start_of = np.zeros((rows, months + 1), dtype=np.int64)
    runs_at = np.zeros((rows, months + 1), dtype=bool)
    for end in range(1, months + 1):
        for start in range(end):
            units = cumulative[:, end] - cumulative[:, start]
            carried = weighted[:, end] - weighted[:, start] - start * units
            size = np.maximum(units, moq)
            run = np.where(size <= limit[:, start] + tolerance, cost * size + holding * carried,
                           np.inf)  # fmt: skip
            # A lane without demand has an infinite lost-sale cost and needs nothing (inf * 0).
            drop = (
                np.where(units > tolerance, lost, 0.0) * units
                if end == start + 1
                else np.full(rows, np.inf)
            )
            candidate = best[:, start] + np.where(units > tolerance, np.minimum(run, drop), 0.0)
            better = candidate < best[:, end] - 1e-9
            best[:, end] = np.where(better, candidate, best[:, end])
            start_of[:, end] = np.where(better, start, start_of[:, end])
            runs_at[:, end] = np.where(better, (units > tolerance) & (run <= drop), runs_at[:, end])
    quantity, row, last = np.zeros((rows, months)), np.arange(rows), np.full(rows, months)
    for _ in range(months):
        active = row[last > 0]
        first = start_of[active, last[active]]
        units = cumulative[active, last[active]] - cumulative[active, first]
        quantity[active, first] = np.where(runs_at[active, last[active]],
                                           np.maximum(units, moq[active]), 0.0)  # fmt: skip
        last[active] = first
    return quantity


def planned_runs(network: SupplyNetwork, production: FloatArray, tolerance: float,
                 shared: bool = True) -> BoolArray:  # fmt: skip
    """Run cells (make lane x month) of step 1 of the module docstring, for the LP's
    ``production`` (lanes x months); False everywhere on lanes without an MOQ."""
    return run_quantities(network, production, tolerance, shared) > 0


def run_quantities(network: SupplyNetwork, production: FloatArray, tolerance: float,
                   shared: bool = True, max_rounds: int | None = None) -> FloatArray:  # fmt: skip
    """Lot-sized runs (units, make lane x month) for ``production`` (lanes x months): on lanes
    with an MOQ each cell is 0 or a run of at least the MOQ within its run limit (step 1 of the
    module docstring); 0 on every other cell.

    Lanes sharing a resource are lot-sized in rounds, the dearest lost sale per hour first:
    each round sizes one lane per resource against the hours (capacity plus overtime) that
    the production without a minimum and the runs already sized leave, so the runs fit their
    line together. With ``shared`` False every lane sees its line's whole hours (one round).
    ``max_rounds`` caps the rounds (thousands of lanes on a line): a round then sizes several
    lanes per resource, each against an equal share of the hours left."""
    flagged, limit = flag_grid(network)
    make = network.make_lanes
    moq = make["min_order_qty_units"].to_numpy(dtype=float)
    cost, holding, lost = _lane_costs(network)
    hours = make["hours_per_unit"].to_numpy(dtype=float)
    resource = make["resource_index"].to_numpy()
    overtime = network.resources["overtime_hours_per_month"].to_numpy(dtype=float)[:, None]
    free = np.where(flagged, 0.0, np.maximum(production, 0.0))
    room = network.capacity_hours + overtime - network.lane_load_hours(free)
    room = room if shared else np.full_like(room, np.inf)
    quantity = np.zeros_like(production)
    need = np.where(flagged, np.maximum(production, 0.0), 0.0)
    for lanes in _rounds(make, lost, moq, shared, max_rounds):
        per_hour = np.where(hours[lanes, None] > 0, hours[lanes, None], 1.0)
        sharing = np.bincount(resource[lanes], minlength=len(room))[resource[lanes], None]
        line = np.where(hours[lanes, None] > 0,
                        np.maximum(room[resource[lanes]], 0.0) / sharing / per_hour, np.inf)  # fmt: skip
        lane_limit = np.where(flagged[lanes], np.minimum(limit[lanes], line), 0.0)
        quantity[lanes] = _lot_size(need[lanes], lane_limit, moq[lanes],
                                    np.stack([cost[lanes], holding[lanes], lost[lanes]]),
                                    tolerance)  # fmt: skip
        np.subtract.at(room, resource[lanes], quantity[lanes] * hours[lanes, None])
    return quantity


def _rounds(make: pd.DataFrame, lost: FloatArray, moq: FloatArray, shared: bool,
            max_rounds: int | None) -> list[IntArray]:  # fmt: skip
    """The lanes with an MOQ sized in each round of `run_quantities`, in order."""
    hours = make["hours_per_unit"].to_numpy(dtype=float)
    sized = make.assign(value=-lost / np.where(hours > 0, hours, 1e-9)).loc[moq > 0]
    rank = sized.sort_values("value", kind="stable").groupby("resource_index").cumcount()
    if not shared:
        return [rank.index.to_numpy()] if len(rank) else []
    rounds = int(rank.max()) + 1 if len(rank) else 0
    batch = 1 if max_rounds is None else max(1, -(-rounds // max_rounds))
    step = rank // batch
    return [step.index[step == k].to_numpy() for k in range(int(step.max()) + 1 if rounds else 0)]


def with_runs(network: SupplyNetwork, program: LinearProgram, runs: BoolArray) -> LinearProgram:
    """The program with production >= MOQ on ``runs`` (<= the run limit) and every other
    flagged cell at 0; a resource-month whose run minimums exceed its hours plus overtime
    keeps no minimum (step 2 of the module docstring)."""
    flagged, limit = flag_grid(network)
    moq = network.make_lanes["min_order_qty_units"].to_numpy(dtype=float)[:, None]
    minimum = np.where(runs, moq, 0.0)
    overtime = network.resources["overtime_hours_per_month"].to_numpy(dtype=float)[:, None]
    over = network.lane_load_hours(minimum) > network.capacity_hours + overtime + 1e-9
    lane_over = over[network.make_lanes["resource_index"].to_numpy()]
    extra = network.extra_loads
    np.logical_or.at(lane_over, extra["lane"].to_numpy(), over[extra["resource_index"].to_numpy()])
    minimum = np.where(lane_over, 0.0, minimum)
    lower, upper = program.col_lower.copy(), program.col_upper.copy()
    block = program.columns["production"]
    lower[block] = np.where(flagged, minimum, lower[block].reshape(flagged.shape)).ravel()
    capped = np.where(runs, np.minimum(upper[block].reshape(flagged.shape), limit), 0.0)
    upper[block] = np.where(flagged, capped, upper[block].reshape(flagged.shape)).ravel()
    return program.with_column_bounds(lower, upper)
