"""Minimum production runs of make terms: a month's production on a lane is 0 or >= the MOQ.

Exact (MIP): a binary run flag y per production cell with an MOQ, and
    production - MOQ x y >= 0,   production - M x y <= 0,
M = the least of the position's demand from the arrival month on plus its safety stock (at
least the MOQ), the units the lane's resource can make that month (capacity plus allowed
overtime over hours per unit) and the run-out cap of `lifecycle`. M below the MOQ forces y to
0: a run the line cannot make, or the remaining need does not justify, is not planned.

Heuristic (instances above the MIP size): after purchases are fixed, the LP is re-solved with
every production cell that came out strictly between 0 and its MOQ fixed at 0, until none is
left (each round only removes cells, so it ends; production moves to fewer, fuller months or
to another lane, and what cannot be made is lost). The result meets every MOQ; it is an upper
bound, and the neighbourhood repair of `plan` may improve it.
"""

from __future__ import annotations

import numpy as np

from supply.engine.network import SupplyNetwork
from supply.engine.program import FloatArray, IntArray, LinearProgram, ProgramBuilder

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
