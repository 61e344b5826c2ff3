"""Constrained supply plan as a linear (or mixed-integer) program, built with numpy arrays.

Variables, each a dense block (lanes x months unless said), all >= 0:
    production[m, t]   units released on make lane m in month t (available in t + L_m)
    purchase[b, t]     units ordered on buy lane b in month t (received in t + L_b). The
                       lead-time constraint is structural: a month-t need can only be met by
                       releases in t - L >= 0, there is no order "before the horizon". A
                       release arriving after the horizon is fixed at 0 (it could only cost).
    inventory[p, t]    on-hand units of position p at the end of month t (holding cost)
    safety_gap[p, t]   units below the safety-stock target (positions with a target > 0)
    lost_sales[d]      unmet units of demand row d (position, channel, month), <= demand
    overtime[r, t]     overtime hours (resources that allow overtime), <= the allowance
    order_flag[c]      binary: purchase cell c is ordered (MIP; cells with MOQ > multiple)
    order_multiples[c] integer number of order multiples in purchase cell c (MIP)
Shortages are lost sales, not backlog: a unit not delivered in its month is lost and costs
unit_price x channel weight. Each channel-month shortage is then one variable, the weights
decide which channel is served first, and late supply cannot "recover" a sale that S&OP
counts as lost anyway; backlog would need a balance per channel and a lateness cost.

Rows:
    balance[p, t]   inventory[t] - inventory[t-1] - arrivals[t] - lost_sales[t]
                    = receipts[t] - demand[t]  (+ opening on-hand in month 0)
    capacity[r, t]  hours_per_unit x production (primary and secondary loads) - overtime
                    <= capacity hours
    supplier[s, t]  purchases over the supplier's lanes <= capacity (capacitated suppliers)
    safety[p, t]    inventory + safety_gap >= safety-stock target (a soft target)
    moq_low[c]      purchase - MOQ x order_flag >= 0
    moq_high[c]     purchase - M x order_flag <= 0 with M = the position's demand from the
                    arrival month on plus its safety stock, rounded up to MOQ / multiple (a
                    bigger order cannot pay off), and at most the supplier's monthly capacity
                    in whole multiples (a bigger order cannot be placed): M is valid and tight
    multiple[c]     purchase - multiple x order_multiples = 0
    run_out[p]      sum of the arrivals of a position that runs out (phase-out or end of life)
                    <= its remaining need (see `lifecycle`); M above is capped by it too
Objective: production + purchase + transport + holding + overtime + lost-sales + safety-gap
costs. Costs are >= 0 and lost sales can absorb any demand, so the model is feasible and
bounded whenever the firm orders fit capacity (checked in `network`).

Firm orders are the lower bound of their cell (the plan may add to a firm order, never cut it);
a cell holding a firm order is exempt from MOQ / multiples.
Every entry comes from index arithmetic over the dense grids (see `network`); no loop runs
per variable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from supply.engine.make_moq import add_make_moq_block
from supply.engine.network import SupplyNetwork
from supply.engine.program import FloatArray, IntArray, LinearProgram, ProgramBuilder

INF = np.inf
IntegerModel = Literal["mip", "lp"]


@dataclass(frozen=True)
class LaneGrid:
    """Flattened lane x month cells of a lane block: cell = lane * months + release month."""

    lane: IntArray
    month: IntArray
    arrival: IntArray
    inside: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, lead_time_months: npt.ArrayLike, months: int) -> LaneGrid:
        leads = np.asarray(lead_time_months, dtype=np.int64)
        lane = np.repeat(np.arange(len(leads), dtype=np.int64), months)
        month = np.tile(np.arange(months, dtype=np.int64), len(leads))
        arrival = month + leads[lane]
        return cls(lane, month, arrival, arrival < months)


def demand_grid(network: SupplyNetwork) -> FloatArray:
    """Demand units per position x month (all channels)."""
    grid = np.zeros((len(network.positions), network.months))
    demand = network.demand
    np.add.at(
        grid,
        (demand["position"].to_numpy(), demand["month"].to_numpy()),
        demand["demand_units"].to_numpy(dtype=float),
    )
    return grid


def _lane_bounds(grid: LaneGrid, firm: FloatArray) -> tuple[FloatArray, FloatArray]:
    """A firm order is a floor of its cell: the plan may add to it but never cut it. A firm
    cell arriving after the horizon is fixed at the firm quantity (more could only cost)."""
    firm_cells = firm.ravel()
    is_firm = ~np.isnan(firm_cells)
    upper = np.where(grid.inside, INF, np.where(is_firm, firm_cells, 0.0))
    return np.where(is_firm, firm_cells, 0.0), upper


def _add_arrivals(
    builder: ProgramBuilder, grid: LaneGrid, start: int, position: IntArray, months: int
) -> None:
    inside = grid.inside
    balance = builder.rows["balance"].start
    rows = balance + position[grid.lane[inside]] * months + grid.arrival[inside]
    builder.add_entries(rows, start + np.flatnonzero(inside), -1.0)


def _production_block(builder: ProgramBuilder, network: SupplyNetwork) -> None:
    make, months = network.make_lanes, network.months
    grid = LaneGrid.of(make["lead_time_months"], months)
    lower, upper = _lane_bounds(grid, network.firm_make)
    cost = make["cost_per_unit"].to_numpy(dtype=float)[grid.lane]
    start = builder.add_columns("production", cost, lower, upper)
    _add_arrivals(builder, grid, start, make["position"].to_numpy(), months)
    hours = make["hours_per_unit"].to_numpy(dtype=float)[grid.lane]
    resource = make["resource_index"].to_numpy()[grid.lane]
    loaded = np.flatnonzero(hours > 0)
    capacity_rows = builder.rows["capacity"].start + resource * months + grid.month
    builder.add_entries(capacity_rows[loaded], start + loaded, hours[loaded])
    extra = network.extra_loads
    cells = (extra["lane"].to_numpy()[:, None] * months + np.arange(months)).ravel()
    rows = (extra["resource_index"].to_numpy()[:, None] * months + np.arange(months)).ravel()
    builder.add_entries(builder.rows["capacity"].start + rows, start + cells,
                        np.repeat(extra["hours_per_unit"].to_numpy(dtype=float), months))  # fmt: skip


def _purchase_block(builder: ProgramBuilder, network: SupplyNetwork) -> LaneGrid:
    buy, months = network.buy_lanes, network.months
    grid = LaneGrid.of(buy["lead_time_months"], months)
    lower, upper = _lane_bounds(grid, network.firm_buy)
    landed = (buy["purchase_cost_per_unit"] + buy["transport_cost_per_unit"]).to_numpy(float)
    start = builder.add_columns("purchase", landed[grid.lane], lower, upper)
    _add_arrivals(builder, grid, start, buy["position"].to_numpy(), months)
    supplier = buy["supplier_index"].to_numpy()[grid.lane]
    row_of_supplier = np.full(len(network.suppliers), -1)
    capped = builder.index["capped_suppliers"]
    row_of_supplier[capped] = np.arange(len(capped))
    supplier_row = row_of_supplier[supplier]
    on_capped = np.flatnonzero(supplier_row >= 0)
    rows = builder.rows["supplier"].start + supplier_row[on_capped] * months + grid.month[on_capped]
    builder.add_entries(rows, start + on_capped, 1.0)
    return grid


def _inventory_blocks(builder: ProgramBuilder, network: SupplyNetwork) -> None:
    positions, months = network.positions, network.months
    cells = np.arange(len(positions) * months)
    holding = np.repeat(positions["holding_cost_per_unit_month"].to_numpy(dtype=float), months)
    start = builder.add_columns("inventory", holding, 0.0, INF)
    balance = builder.rows["balance"].start
    builder.add_entries(balance + cells, start + cells, 1.0)
    carried = cells[(cells % months) < months - 1]
    builder.add_entries(balance + carried + 1, start + carried, -1.0)

    safety = builder.index["safety_positions"]
    safety_cells = (safety[:, None] * months + np.arange(months)).ravel()
    penalty = positions["safety_penalty_per_unit_month"].to_numpy(dtype=float)[safety]
    gap_start = builder.add_columns("safety_gap", np.repeat(penalty, months), 0.0, INF)
    safety_rows = builder.rows["safety"].start + np.arange(len(safety_cells))
    builder.add_entries(safety_rows, start + safety_cells, 1.0)
    builder.add_entries(safety_rows, gap_start + np.arange(len(safety_cells)), 1.0)

    demand = network.demand
    shortage_cost = demand["shortage_cost_per_unit"].to_numpy(dtype=float)
    lost = builder.add_columns("lost_sales", shortage_cost, 0.0, demand["demand_units"])
    rows = balance + demand["position"].to_numpy() * months + demand["month"].to_numpy()
    builder.add_entries(rows, lost + np.arange(len(demand)), -1.0)


def _overtime_block(builder: ProgramBuilder, network: SupplyNetwork) -> None:
    resources, months = network.resources, network.months
    allowed = builder.index["overtime_resources"]
    hours = np.repeat(resources["overtime_hours_per_month"].to_numpy(dtype=float)[allowed], months)
    cost = np.repeat(resources["overtime_cost_per_hour"].to_numpy(dtype=float)[allowed], months)
    start = builder.add_columns("overtime", cost, 0.0, hours)
    cells = (allowed[:, None] * months + np.arange(months)).ravel()
    builder.add_entries(builder.rows["capacity"].start + cells, start + np.arange(len(cells)), -1.0)


def useful_order_limit(network: SupplyNetwork, grid: LaneGrid) -> FloatArray:
    """Largest order per purchase cell that can pay off (the big-M; see module docstring)."""
    demand = demand_grid(network)
    from_month_on = np.cumsum(demand[:, ::-1], axis=1)[:, ::-1]
    buy = network.buy_lanes
    position = buy["position"].to_numpy()[grid.lane]
    arrival = np.minimum(grid.arrival, network.months - 1)
    safety = network.positions["safety_stock_units"].to_numpy(dtype=float)
    need = from_month_on[position, arrival] + safety[position]
    moq = buy["min_order_qty_units"].to_numpy(float)[grid.lane]
    multiple = buy["order_multiple_units"].to_numpy(float)[grid.lane]
    limit = round_up_order(need, moq, multiple)
    # No order can exceed its supplier's monthly capacity: the tighter M, the tighter the LP
    # bound of the MIP (and the faster HiGHS proves the optimum).
    capacity = network.suppliers["capacity_units_per_month"].to_numpy(dtype=float)
    cap = capacity[buy["supplier_index"].to_numpy()][grid.lane]
    cap_in_multiples = np.where(multiple > 0, np.floor(cap / np.where(multiple > 0, multiple, 1.0)
                                                       + 1e-9) * multiple, cap)  # fmt: skip
    limit = np.where(np.isnan(cap), limit, np.minimum(limit, cap_in_multiples))
    # A position that runs out never receives more than its run-out cap (`lifecycle`).
    run_out = network.positions["run_out_cap_units"].to_numpy(dtype=float)[position]
    return np.fmin(limit, run_out)


def round_up_order(units: FloatArray, moq: FloatArray, multiple: FloatArray) -> FloatArray:
    """Smallest order >= units that is a whole number of multiples and at least the MOQ."""
    safe_multiple = np.where(multiple > 0, multiple, 1.0)
    # 1e-9 keeps a quantity that is a multiple up to float noise from jumping a whole multiple.
    in_multiples = np.ceil(units / safe_multiple - 1e-9) * safe_multiple
    rounded = np.where(multiple > 0, in_multiples, units)
    moq_in_multiples = np.where(
        multiple > 0, np.ceil(moq / safe_multiple - 1e-9) * safe_multiple, moq
    )
    return np.where(units > 0, np.maximum(rounded, moq_in_multiples), 0.0)


def integer_cells(network: SupplyNetwork, grid: LaneGrid) -> tuple[IntArray, IntArray]:
    """Purchase cells needing an order flag (MOQ above the multiple) and a multiples count."""
    buy = network.buy_lanes
    moq = buy["min_order_qty_units"].to_numpy(float)[grid.lane]
    multiple = buy["order_multiple_units"].to_numpy(float)[grid.lane]
    free = grid.inside & np.isnan(network.firm_buy.ravel())
    flag = free & (moq > 0) & ((multiple <= 0) | (moq > multiple))
    return np.flatnonzero(flag), np.flatnonzero(free & (multiple > 0))


def _integer_blocks(builder: ProgramBuilder, network: SupplyNetwork, grid: LaneGrid) -> None:
    flag_cells, multiple_cells = integer_cells(network, grid)
    limit = useful_order_limit(network, grid)
    purchase = builder.columns["purchase"].start
    tightened = np.unique(np.concatenate([flag_cells, multiple_cells]))
    builder.tighten_upper("purchase", tightened, limit[tightened])
    buy = network.buy_lanes
    moq = buy["min_order_qty_units"].to_numpy(float)[grid.lane[flag_cells]]
    flags = builder.add_columns("order_flag", np.zeros(len(flag_cells)), 0.0, 1.0, integer=True)
    low = builder.add_rows("moq_low", np.zeros(len(flag_cells)), INF)
    high = builder.add_rows("moq_high", np.full(len(flag_cells), -INF), 0.0)
    count = np.arange(len(flag_cells))
    builder.add_entries(np.concatenate([low + count, high + count]),
                        np.tile(purchase + flag_cells, 2), 1.0)  # fmt: skip
    builder.add_entries(low + count, flags + count, -moq)
    builder.add_entries(high + count, flags + count, -limit[flag_cells])

    multiple = buy["order_multiple_units"].to_numpy(float)[grid.lane[multiple_cells]]
    most = np.floor(limit[multiple_cells] / multiple + 1e-9)
    counts = builder.add_columns("order_multiples", np.zeros(len(multiple_cells)), 0.0, most,
                                 integer=True)  # fmt: skip
    rows = builder.add_rows("multiple", np.zeros(len(multiple_cells)), 0.0)
    count = np.arange(len(multiple_cells))
    builder.add_entries(rows + count, purchase + multiple_cells, 1.0)
    builder.add_entries(rows + count, counts + count, -multiple)
    builder.index["flag_cells"], builder.index["multiple_cells"] = flag_cells, multiple_cells


def _rows(builder: ProgramBuilder, network: SupplyNetwork) -> None:
    positions = network.positions
    balance = network.receipt_units - demand_grid(network)
    balance[:, 0] += positions["on_hand_units"].to_numpy(dtype=float)
    builder.add_rows("balance", balance.ravel(), balance.ravel())
    builder.add_rows("capacity", -INF, network.capacity_hours.ravel())
    capacity = network.suppliers["capacity_units_per_month"].to_numpy(dtype=float)
    capped = np.flatnonzero(~np.isnan(capacity))
    builder.index["capped_suppliers"] = capped
    builder.add_rows("supplier", -INF, np.repeat(capacity[capped], network.months))
    target = positions["safety_stock_units"].to_numpy(dtype=float)
    safety = np.flatnonzero(target > 0)
    builder.index["safety_positions"] = safety
    builder.add_rows("safety", np.repeat(target[safety], network.months), INF)
    overtime = network.resources["overtime_hours_per_month"].to_numpy(dtype=float)
    builder.index["overtime_resources"] = np.flatnonzero(overtime > 0)


def _run_out_rows(builder: ProgramBuilder, network: SupplyNetwork) -> None:
    """Total arrivals of a position that runs out <= its run-out cap (see `lifecycle`)."""
    cap = network.positions["run_out_cap_units"].to_numpy(dtype=float)
    capped = np.flatnonzero(~np.isnan(cap))
    row_of_position = np.full(len(cap), -1)
    row_of_position[capped] = np.arange(len(capped))
    first = builder.add_rows("run_out", -INF, cap[capped])
    for block, lanes in (("production", network.make_lanes), ("purchase", network.buy_lanes)):
        grid = LaneGrid.of(lanes["lead_time_months"], network.months)
        row = row_of_position[lanes["position"].to_numpy()[grid.lane]]
        cells = np.flatnonzero(grid.inside & (row >= 0))
        builder.add_entries(first + row[cells], builder.columns[block].start + cells, 1.0)


def build_program(network: SupplyNetwork, model: IntegerModel) -> LinearProgram:
    """The supply LP ("lp": MOQ / multiples relaxed) or MIP ("mip": modelled exactly)."""
    builder = ProgramBuilder()
    _rows(builder, network)
    _production_block(builder, network)
    grid = _purchase_block(builder, network)
    _inventory_blocks(builder, network)
    _overtime_block(builder, network)
    _run_out_rows(builder, network)
    if model == "mip":
        _integer_blocks(builder, network, grid)
        add_make_moq_block(builder, network)
    else:
        empty = np.zeros(0, np.int64)
        builder.index["flag_cells"] = builder.index["multiple_cells"] = empty
        builder.index["run_flag_cells"] = empty
    return builder.build()
