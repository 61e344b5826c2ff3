"""MOQ / order-multiple heuristic for instances too big for the MIP.

Only buy lanes with an MOQ or an order multiple ("rounded lanes") are treated; everything
else stays continuous.
1. Solve the LP relaxation (MOQ and multiples ignored): the cheapest fractional plan.
2. Lot-size each position in *arrival* months (Wagner-Whitin on the LP's quantities): take
   the LP's arrivals over the position's rounded lanes, and let a dynamic programme choose
   which months receive a lot, which later months' quantities it covers and which lane
   ships it, minimising landed cost of the lot rounded up to that lane's MOQ / multiple plus
   holding while the covered units wait. Lanes are compared per lot because the LP often
   splits a need over ocean and air or two suppliers, and rounding each of those up
   separately buys several MOQs where one lot would do. A lane qualifies for a lot arriving
   in month a only if it can still be ordered (a - L >= 0); a lot spanning several months
   may not exceed the supplier's monthly capacity. O(T^2 x lanes per position) numpy steps
   over all positions at once.
3. Round the lots into orders, arrival month by arrival month: a lot's order is its quantity
   less what earlier round-ups already brought in, rounded up to MOQ / multiples. Orders go
   to their release month (arrival - lead time) and fill the supplier's capacity (less firm
   orders) greedily, highest unit price first. An order that no longer fits is rounded *down*
   to the room left (0 below its MOQ); the cut, rounded up, moves whole to another of the
   position's lanes arriving in the same month (air instead of a full ocean month), else to
   the latest earlier release month of its lane with room (early stock costs holding, a
   lost sale more), and whatever still finds no room is added to the position's next lot.
4. Fix the rounded lanes' purchases and re-solve the LP: production, overtime, inventory,
   lost sales and unrounded lanes adapt to the lumpy orders. This LP is always feasible
   (lost sales absorb any deficit; the fixed orders fit the suppliers) and meets MOQ and
   multiples exactly.

The result is an upper bound on the MIP optimum and the relaxed LP a lower bound; the
benchmark reports the heuristic's gap against the MIP on a small instance. Firm orders are
fixed in both LPs and never rounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from supply.engine.lots import lot_prefix_sums
from supply.engine.model_builder import round_up_order
from supply.engine.network import SupplyNetwork
from supply.engine.program import FloatArray, IntArray, LinearProgram

BoolArray = npt.NDArray[np.bool_]


def round_down_order(units: FloatArray, moq: FloatArray, multiple: FloatArray) -> FloatArray:
    """Largest order <= units that is a whole number of multiples and at least the MOQ (or 0)."""
    safe_multiple = np.where(multiple > 0, multiple, 1.0)
    # 1e-9 keeps a quantity that is a multiple up to float noise from losing a whole multiple.
    floored = np.where(multiple > 0, np.floor(units / safe_multiple + 1e-9) * safe_multiple, units)
    return np.where(floored >= moq - 1e-9, floored, 0.0)


def rounded_lanes(network: SupplyNetwork) -> BoolArray:
    """Buy lanes with an MOQ or a multiple: the only ones the heuristic rounds and fixes."""
    buy = network.buy_lanes
    return ((buy["min_order_qty_units"] > 0) | (buy["order_multiple_units"] > 0)).to_numpy()


@dataclass(frozen=True)
class LaneData:
    """Per buy lane arrays; ``by_position`` pads each position's rounded lanes (-1 = none)."""

    position: IntArray
    lead: IntArray
    supplier: IntArray
    landed: FloatArray
    moq: FloatArray
    multiple: FloatArray
    capacity: FloatArray
    by_position: IntArray

    @classmethod
    def of(cls, network: SupplyNetwork, rounded: BoolArray) -> LaneData:
        buy = network.buy_lanes
        position = buy["position"].to_numpy()
        supplier = buy["supplier_index"].to_numpy()
        capacity = network.suppliers["capacity_units_per_month"].to_numpy(dtype=float)
        lanes = np.flatnonzero(rounded)
        slot = buy.loc[rounded].groupby("position").cumcount().to_numpy()
        by_position = np.full((len(network.positions), int(slot.max(initial=-1)) + 1), -1)
        by_position[position[lanes], slot] = lanes
        return cls(
            position, buy["lead_time_months"].to_numpy(np.int64), supplier,
            (buy["purchase_cost_per_unit"] + buy["transport_cost_per_unit"]).to_numpy(float),
            buy["min_order_qty_units"].to_numpy(float), buy["order_multiple_units"].to_numpy(float),
            np.where(np.isnan(capacity), np.inf, capacity)[supplier], by_position,
        )  # fmt: skip


def _cheapest_lane(lanes: LaneData, units: FloatArray, start: int, spans_months: bool
                   ) -> tuple[FloatArray, IntArray]:  # fmt: skip
    """Cheapest rounded-up landed cost of a lot arriving in ``start``, and its lane."""
    best_cost = np.full(len(units), np.inf)
    best_lane = np.full(len(units), -1)
    for slot in range(lanes.by_position.shape[1]):
        lane = lanes.by_position[:, slot]
        safe = np.maximum(lane, 0)
        lot = round_up_order(units, lanes.moq[safe], lanes.multiple[safe])
        usable = (lane >= 0) & (start - lanes.lead[safe] >= 0)
        if spans_months:
            usable &= lot <= lanes.capacity[safe]
        cost = np.where(usable, lanes.landed[safe] * lot, np.inf)
        better = cost < best_cost
        best_cost, best_lane = np.where(better, cost, best_cost), np.where(better, lane, best_lane)
    return best_cost, best_lane


def plan_lots(need: FloatArray, holding: FloatArray, lanes: LaneData, tolerance: float
              ) -> tuple[FloatArray, IntArray]:  # fmt: skip
    """(lot units, lane) per position x arrival month; lane -1 where no lot arrives.

    best[:, u] is the cheapest cost of covering months 0..u-1; a lot arriving in s that
    covers s..u-1 costs its lane's landed cost x rounded-up units + holding x sum (v - s) x
    need[v]. A lot no lane can ship costs inf, so the LP's own months stay available.
    """
    positions, months = need.shape
    cumulative, weighted = lot_prefix_sums(need)
    best = np.full((positions, months + 1), np.inf)
    best[:, 0] = 0.0
    chosen_start = np.zeros((positions, months + 1), dtype=np.int64)
    chosen_lane = np.full((positions, months + 1), -1)
    for end in range(1, months + 1):
        for start in range(end):
            units = cumulative[:, end] - cumulative[:, start]
            waiting = weighted[:, end] - weighted[:, start] - start * units
            lot_cost, lane = _cheapest_lane(lanes, units, start, end - start > 1)
            ordering = units > tolerance
            candidate = best[:, start] + np.where(ordering, lot_cost + holding * waiting, 0.0)
            better = candidate < best[:, end] - 1e-9
            best[:, end] = np.where(better, candidate, best[:, end])
            chosen_start[:, end] = np.where(better, start, chosen_start[:, end])
            chosen_lane[:, end] = np.where(
                better, np.where(ordering, lane, -1), chosen_lane[:, end]
            )
    return _lots_from_choices(cumulative, chosen_start, chosen_lane)


def _lots_from_choices(cumulative: FloatArray, chosen_start: IntArray, chosen_lane: IntArray
                       ) -> tuple[FloatArray, IntArray]:  # fmt: skip
    positions, months = cumulative.shape[0], cumulative.shape[1] - 1
    lot_units, lot_lane = np.zeros((positions, months)), np.full((positions, months), -1)
    rows, end = np.arange(positions), np.full(positions, months)
    for _ in range(months):
        active = rows[end > 0]
        start = chosen_start[active, end[active]]
        lot_units[active, start] = cumulative[active, end[active]] - cumulative[active, start]
        lot_lane[active, start] = chosen_lane[active, end[active]]
        end[active] = start
    return lot_units, lot_lane


def fit_capacity(order: FloatArray, group: IntArray, room: FloatArray, priority: FloatArray,
                 moq: FloatArray, multiple: FloatArray) -> FloatArray:  # fmt: skip
    """Orders kept whole by priority while their group's room lasts; the first that does not
    fit is rounded down to what is left (0 below its MOQ), later ones get 0. Cutting all pro
    rata would push many orders under their MOQ."""
    rank = np.lexsort((-priority, group))
    ordered, sorted_group = order[rank], group[rank]
    running = np.cumsum(ordered)
    first = np.searchsorted(sorted_group, sorted_group, side="left")
    before = running - ordered - np.where(first > 0, running[np.maximum(first - 1, 0)], 0.0)
    left = np.maximum(room[rank] - before, 0.0)
    partial = np.minimum(round_down_order(left, moq[rank], multiple[rank]), ordered)
    kept = np.empty_like(order)
    kept[rank] = np.where(before + ordered <= room[rank] + 1e-9, ordered, partial)
    return kept


@dataclass
class _OrderBook:
    """Orders per lane x release month and the supplier units they (and firm orders) use."""

    network: SupplyNetwork
    lanes: LaneData
    orders: FloatArray
    used: FloatArray
    capacity: FloatArray
    price: FloatArray

    @classmethod
    def empty(cls, network: SupplyNetwork, lanes: LaneData, reserved: FloatArray | None = None
              ) -> _OrderBook:  # fmt: skip
        used = np.zeros((len(network.suppliers), network.months))
        np.add.at(used, lanes.supplier, np.nan_to_num(network.firm_buy))
        if reserved is not None:  # units other (unrounded) lanes already take
            used += reserved
        capacity = network.suppliers["capacity_units_per_month"].to_numpy(dtype=float)
        return cls(network, lanes, np.zeros((len(lanes.position), network.months)), used,
                   np.where(np.isnan(capacity), np.inf, capacity),
                   network.positions["unit_price"].to_numpy(dtype=float)[lanes.position])  # fmt: skip

    def place(
        self, lane: IntArray, release: IntArray, units: FloatArray, whole_only: bool
    ) -> FloatArray:
        """Place what fits (see `fit_capacity`); returns the units placed per order."""
        lanes, months = self.lanes, self.network.months
        supplier = lanes.supplier[lane]
        room = self.capacity[supplier] - self.used[supplier, release]
        kept = fit_capacity(units, supplier * months + release, room, self.price[lane],
                            lanes.moq[lane], lanes.multiple[lane])  # fmt: skip
        # A firm order already occupies its cell; the planned order goes elsewhere.
        kept = np.where(np.isnan(self.network.firm_buy[lane, release]), kept, 0.0)
        if whole_only:
            kept = np.where(kept >= units - 1e-9, units, 0.0)
        np.add.at(self.used, (supplier, release), kept)
        np.add.at(self.orders, (lane, release), kept)
        return kept

    def place_on_other_lanes(self, position: IntArray, lane: IntArray, arrival: int,
                             units: FloatArray) -> FloatArray:  # fmt: skip
        """Whole orders moved to another lane of the position arriving in the same month
        (typically air instead of a full ocean month: dearer, but no lost sale)."""
        placed = np.zeros(len(units))
        for slot in range(self.lanes.by_position.shape[1]):
            other = self.lanes.by_position[position, slot]
            release = arrival - self.lanes.lead[np.maximum(other, 0)]
            todo = np.flatnonzero((units > 0) & (placed == 0) & (other >= 0) & (other != lane)
                                  & (release >= 0))  # fmt: skip
            if len(todo):
                moq, multiple = self.lanes.moq[other[todo]], self.lanes.multiple[other[todo]]
                order = round_up_order(units[todo], moq, multiple)
                placed[todo] = self.place(other[todo], release[todo], order, True)
        return placed

    def place_earlier(self, lane: IntArray, release: IntArray, units: FloatArray) -> FloatArray:
        """Whole orders moved to the latest earlier release month with room (arriving early
        costs holding, arriving late a lost sale)."""
        placed = np.zeros(len(units))
        for shift in range(1, int(release.max(initial=0)) + 1):
            todo = np.flatnonzero((units > 0) & (placed == 0) & (release - shift >= 0))
            if len(todo) == 0:
                break
            placed[todo] = self.place(lane[todo], release[todo] - shift, units[todo], True)
        return placed


def orders_from_lots(network: SupplyNetwork, lanes: LaneData, lot_units: FloatArray,
                     lot_lane: IntArray, tolerance: float, reserved: FloatArray | None = None
                     ) -> FloatArray:  # fmt: skip
    """Rounded orders per lane x release month (step 3 of the module docstring)."""
    book = _OrderBook.empty(network, lanes, reserved)
    brought_ahead = np.zeros(len(network.positions))
    for arrival in range(network.months):
        position = np.flatnonzero(lot_lane[:, arrival] >= 0)
        lane = lot_lane[position, arrival]
        release = arrival - lanes.lead[lane]
        moq, multiple = lanes.moq[lane], lanes.multiple[lane]
        need = lot_units[position, arrival] - brought_ahead[position]
        wanted = np.where(need > tolerance, round_up_order(need, moq, multiple), 0.0)
        kept = book.place(lane, release, wanted, whole_only=False)
        cut = np.where(wanted - kept > tolerance, round_up_order(wanted - kept, moq, multiple), 0.0)
        moved = book.place_on_other_lanes(position, lane, arrival, cut)
        cut = np.where(moved > 0, 0.0, cut)
        kept += moved + book.place_earlier(lane, release, cut)
        brought_ahead[position] += kept - lot_units[position, arrival]
    return book.orders


def _arrivals_by_position(
    network: SupplyNetwork, lanes: LaneData, purchases: FloatArray
) -> FloatArray:
    months = network.months
    lane, release = np.nonzero(purchases)
    arrival = release + lanes.lead[lane]
    inside = arrival < months
    need = np.zeros((len(network.positions), months))
    np.add.at(
        need,
        (lanes.position[lane[inside]], arrival[inside]),
        purchases[lane[inside], release[inside]],
    )
    return need


def rounded_purchases(
    network: SupplyNetwork, relaxed_purchases: FloatArray, tolerance: float,
    reserve_unrounded: bool = False,
) -> FloatArray:  # fmt: skip
    """Heuristic orders (lanes x months) meeting MOQ, multiples and supplier capacity; lanes
    without MOQ / multiple keep their LP quantities. With ``reserve_unrounded`` those kept
    quantities count against supplier capacity first (when they will be fixed too)."""
    rounded = rounded_lanes(network)
    reserved = None
    if reserve_unrounded:
        kept = np.where(rounded[:, None] | ~np.isnan(network.firm_buy), 0.0, relaxed_purchases)
        reserved = np.zeros((len(network.suppliers), network.months))
        np.add.at(reserved, network.buy_lanes["supplier_index"].to_numpy(), kept)
    lanes = LaneData.of(network, rounded)
    firm = ~np.isnan(network.firm_buy)
    free = np.where(firm | ~rounded[:, None], 0.0, relaxed_purchases)
    holding = network.positions["holding_cost_per_unit_month"].to_numpy(dtype=float)
    lot_units, lot_lane = plan_lots(_arrivals_by_position(network, lanes, free), holding, lanes,
                                    tolerance)  # fmt: skip
    orders = orders_from_lots(network, lanes, lot_units, lot_lane, tolerance, reserved)
    orders = np.where(rounded[:, None], orders, relaxed_purchases)
    return within_run_out_caps(network, np.where(firm, network.firm_buy, orders), rounded)


def within_run_out_caps(network: SupplyNetwork, orders: FloatArray, rounded: BoolArray
                        ) -> FloatArray:  # fmt: skip
    """Rounded orders of a position that runs out kept, earliest arrival first, while their
    total (with its firm orders) stays within its run-out cap; later ones are dropped, so the
    fixed LP stays feasible and nothing is bought beyond the remaining need (`lifecycle`)."""
    cap = network.positions["run_out_cap_units"].to_numpy(dtype=float)
    buy = network.buy_lanes
    position, lead = buy["position"].to_numpy(), buy["lead_time_months"].to_numpy(np.int64)
    firm = ~np.isnan(network.firm_buy)
    out = orders.copy()
    for p in np.flatnonzero(~np.isnan(cap)):
        lanes = np.flatnonzero(position == p)
        lane, month = np.nonzero(rounded[lanes, None] & ~firm[lanes] & (orders[lanes] > 0))
        arrival = month + lead[lanes[lane]]
        inside = arrival < network.months
        order = np.argsort(arrival[inside], kind="stable")
        cells = (lanes[lane[inside][order]], month[inside][order])
        room = cap[p] - np.nansum(network.firm_buy[lanes])
        kept = np.cumsum(out[cells]) <= room + 1e-9
        out[cells] = np.where(kept, out[cells], 0.0)
    return out


def fix_purchases(program: LinearProgram, purchases: FloatArray, lanes: BoolArray) -> LinearProgram:
    """The same LP with the purchase cells of the given lanes fixed at ``purchases``."""
    lower, upper = program.col_lower.copy(), program.col_upper.copy()
    block = program.columns["purchase"]
    fixed = np.repeat(lanes, purchases.shape[1])
    cells = np.arange(block.start, block.stop)[fixed]
    lower[cells] = upper[cells] = purchases.ravel()[fixed]
    return program.with_column_bounds(lower, upper)
