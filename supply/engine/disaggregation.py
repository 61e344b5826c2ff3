"""Disaggregation of an aggregate supply plan to SKUs, without a second large LP.

Steps (see `aggregation` for the whole method):
1. `requirement_shares` + `split_releases`: each aggregate release is split to the group's
   members by their share of the group's arrivals in the arrival month; the shares come from
   matching the group's cumulative arrivals against the members' net requirements
   (`rccp.required_build_units`) in time order, so a pre-build goes to the members whose later
   peak it covers; units beyond every requirement follow demand weights.
2. `fit_resources` / `fit_suppliers`: where members' hours per unit (or MOQ round-ups) push a
   resource or supplier month over its limit, the planned (non-firm) part is scaled down.
   `sized_runs`: production on make lanes with a minimum run is lot-sized (`make_moq`), so
   every make order is 0 or at least the lane's minimum and the runs fit their lines.
3. `serve_demand`: with every release fixed, SKUs no longer interact; each month's stock
   serves its demand rows highest shortage cost (channel priority) first, the rest is lost,
   and what remains is carried at the holding cost. Serving now is what the full model does
   unless a later, more valuable demand needs the same units -- the one case the greedy
   misses, and part of the measured cost gap.
4. `repair_releases`: gap options that pay (spare or overtime hours, supplier units, air) are
   applied best first while their capacity is free, and demand is served again.
5. `solution_vector`: the decisions as a solution of the full model's LP (same blocks and
   costs), so `plan.report_plan` reports it exactly like a solved plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supply.engine.make_moq import flag_grid, run_quantities
from supply.engine.model_builder import LaneGrid, demand_grid, round_up_order
from supply.engine.network import SupplyNetwork
from supply.engine.program import FloatArray, IntArray, LinearProgram
from supply.engine.rccp import required_build_units

# Rounds of the make lot sizing (`make_moq.run_quantities`): thousands of lanes share a line at
# 10,000 SKUs, and a round per lane took most of a minute; 100 rounds keep the plan of the
# 150-SKU benchmark instance identical to one round per lane (24 rounds cost it 1.6 %).
SIZING_ROUNDS = 100


def _allocated_cumulative(need: FloatArray, group: IntArray, arrived: FloatArray,
                          static: FloatArray) -> FloatArray:  # fmt: skip
    """Cumulative units allocated to each position: the group's cumulative arrivals cover the
    members' requirements in time order (a month reached only partly is shared pro rata to
    the members' requirement in it; units beyond all requirement by the static weights)."""
    positions, months = need.shape
    group_need = np.zeros((arrived.shape[0], months))
    np.add.at(group_need, group, need)
    group_cum, member_cum = np.cumsum(group_need, axis=1), np.cumsum(need, axis=1)
    member_cum0 = np.column_stack([np.zeros(positions), member_cum])
    group_cum0 = np.column_stack([np.zeros(len(group_need)), group_cum])
    arrived_cum = np.cumsum(arrived, axis=1)
    rows = np.arange(positions)
    allocated = np.zeros((positions, months))
    for t in range(months):
        units = arrived_cum[:, t]
        covered = (group_cum <= units[:, None] + 1e-9).sum(axis=1)[group]
        base = member_cum0[rows, covered]
        left = units[group] - group_cum0[group, covered]
        month = np.minimum(covered, months - 1)
        month_need = group_need[group, month]
        partial = np.where(month_need > 0, left / np.where(month_need > 0, month_need, 1.0), 0.0)
        extra = np.where(covered < months, partial * need[rows, month], left * static)
        allocated[:, t] = base + extra
    return allocated


def requirement_shares(network: SupplyNetwork, group: IntArray, arrived: FloatArray) -> FloatArray:
    """Share of each position in its group's arrivals per month (positions x months);
    ``arrived`` = the aggregate plan's arrivals per group x month."""
    need = required_build_units(network)
    weight = demand_grid(network).sum(axis=1) + 1.0
    static = weight / np.bincount(group, weights=weight)[group]
    allocated = np.diff(_allocated_cumulative(need, group, arrived, static), axis=1, prepend=0.0)
    group_arrived = arrived[group]
    safe = np.where(group_arrived > 1e-9, group_arrived, 1.0)
    return np.where(group_arrived > 1e-9, np.maximum(allocated, 0.0) / safe, static[:, None])


def split_releases(lanes: pd.DataFrame, agg_lanes: pd.DataFrame, keys: list[str], names: np.ndarray,
           releases: FloatArray, shares: FloatArray) -> FloatArray:  # fmt: skip
    """Member lane x month releases: the aggregate lane's release x the member's share."""
    months = releases.shape[1]
    index = pd.MultiIndex.from_frame(agg_lanes[keys].astype(str))
    member = lanes.assign(product=names[lanes["position"].to_numpy()])
    found = index.get_indexer(pd.MultiIndex.from_frame(member[keys].astype(str)))
    grid = LaneGrid.of(lanes["lead_time_months"], months)
    arrival = np.minimum(grid.arrival, months - 1)
    position = lanes["position"].to_numpy()[grid.lane]
    source = np.where(found[grid.lane] >= 0, releases[np.maximum(found[grid.lane], 0), grid.month],
                      0.0)  # fmt: skip
    return (source * shares[position, arrival]).reshape(len(lanes), months)


def fit_resources(network: SupplyNetwork, production: FloatArray) -> FloatArray:
    """Scale planned production down where the split load exceeds capacity plus overtime."""
    make = network.make_lanes
    firm = np.nan_to_num(network.firm_make)
    production = np.maximum(production, firm)
    hours = make["hours_per_unit"].to_numpy(dtype=float)[:, None]
    resource = make["resource_index"].to_numpy()
    planned_load = np.zeros((len(network.resources), network.months))
    firm_load = np.zeros_like(planned_load)
    np.add.at(planned_load, resource, (production - firm) * hours)
    np.add.at(firm_load, resource, firm * hours)
    overtime = network.resources["overtime_hours_per_month"].to_numpy(dtype=float)[:, None]
    room = np.maximum(network.capacity_hours + overtime - firm_load, 0.0)
    factor = np.where(planned_load > room, room / np.maximum(planned_load, 1e-12), 1.0)
    # 1e-9 below the limit: float noise must not make the fixed LP infeasible.
    factor = np.where(factor < 1.0, factor * (1 - 1e-9), 1.0)
    return firm + (production - firm) * factor[resource]


def sized_runs(network: SupplyNetwork, program: LinearProgram, production: FloatArray,
               purchases: FloatArray, tolerance: float) -> FloatArray:  # fmt: skip
    """Production (lanes x months) whose make runs meet their lanes' minimums, by the exact
    path's rule (`make_moq`): the split production of every lane with an MOQ lot-sized with the
    line's hours shared between lanes and with each lane seeing them all
    (`make_moq.run_quantities`), and the zero-only rounding (runs below the minimum dropped);
    the variant whose plan (``purchases`` fixed, `solution_vector`) costs least is kept. Each
    cell is then 0 or a run of at least the MOQ; a run that would overload a resource
    (secondary loads included) is dropped (`_drop_overloading_runs`)."""
    flagged, _ = flag_grid(network)
    if not flagged.any():
        return production
    overtime = network.resources["overtime_hours_per_month"].to_numpy(dtype=float)[:, None]
    # A load the split already had (secondary hours fit_resources does not see) is not the
    # runs' doing: the runs only must not add to it.
    allowed = network.capacity_hours + overtime
    allowed = np.maximum(allowed, network.lane_load_hours(production)) + 1e-6
    moq = network.make_lanes["min_order_qty_units"].to_numpy(dtype=float)[:, None]
    zero_only = np.where(flagged & (production < moq - tolerance), 0.0, production)
    best, best_cost = zero_only, float(program.cost @ solution_vector(network, program, zero_only,
                                                                      purchases))  # fmt: skip
    for shared in (True, False):
        runs = run_quantities(network, production, tolerance, shared, SIZING_ROUNDS)
        candidate = _drop_overloading_runs(network, np.where(flagged, runs, production), flagged,
                                           allowed)  # fmt: skip
        cost = float(program.cost @ solution_vector(network, program, candidate, purchases))
        if cost < best_cost:
            best, best_cost = candidate, cost
    return best


def _drop_overloading_runs(network: SupplyNetwork, production: FloatArray, flagged: np.ndarray,
                           allowed: FloatArray) -> FloatArray:  # fmt: skip
    """Runs dropped, lowest price per hour first, from each resource-month loaded above
    ``allowed`` (resources x months) until it fits."""
    load = network.lane_load_hours(production)
    over = np.argwhere(load > allowed)
    if len(over) == 0:
        return production
    production = production.copy()
    start, resource, per_unit = _lane_hours(network)
    lane_of = np.repeat(np.arange(len(start) - 1), np.diff(start))
    price = network.positions["unit_price"].to_numpy(dtype=float)[
        network.make_lanes["position"].to_numpy()[lane_of]]  # fmt: skip
    value = price / np.maximum(per_unit, 1e-12)
    for res, month in over:
        entries = np.flatnonzero((resource == res) & flagged[lane_of, month])
        for lane in lane_of[entries[np.argsort(value[entries], kind="stable")]]:
            if load[res, month] <= allowed[res, month]:
                break
            own = slice(start[lane], start[lane + 1])
            np.subtract.at(load[:, month], resource[own], per_unit[own] * production[lane, month])
            production[lane, month] = 0.0
    return production


def fit_suppliers(network: SupplyNetwork, purchases: FloatArray, fixed: np.ndarray) -> FloatArray:
    """Scale the non-firm purchases of lanes that are not ``fixed`` (rounded orders) down where
    a supplier month would exceed its capacity."""
    buy = network.buy_lanes
    firm = np.nan_to_num(network.firm_buy)
    supplier = buy["supplier_index"].to_numpy()
    capacity = network.suppliers["capacity_units_per_month"].to_numpy(dtype=float)[:, None]
    movable = np.where(fixed[:, None], 0.0, np.maximum(purchases - firm, 0.0))
    used = np.zeros((len(network.suppliers), network.months))
    np.add.at(used, supplier, purchases - movable)
    wanted = np.zeros_like(used)
    np.add.at(wanted, supplier, movable)
    room = np.where(np.isnan(capacity), np.inf, np.maximum(capacity - used, 0.0))
    factor = np.where(wanted > room, room / np.maximum(wanted, 1e-12) * (1 - 1e-9), 1.0)
    return purchases - movable + movable * factor[supplier]


def _arrivals(network: SupplyNetwork, production: FloatArray, purchases: FloatArray
              ) -> FloatArray:  # fmt: skip
    """Units arriving per position x month: receipts, opening stock (month 0) and releases."""
    months = network.months
    arrived = network.receipt_units.copy()
    arrived[:, 0] += network.positions["on_hand_units"].to_numpy(dtype=float)
    for lanes, releases in ((network.make_lanes, production), (network.buy_lanes, purchases)):
        grid = LaneGrid.of(lanes["lead_time_months"], months)
        inside = grid.inside
        position = lanes["position"].to_numpy()[grid.lane[inside]]
        np.add.at(arrived, (position, grid.arrival[inside]), releases.ravel()[inside])
    return arrived


def serve_demand(network: SupplyNetwork, arrived: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(inventory per position x month, lost units per demand row): greedy, see step 3."""
    demand = network.demand
    order = np.lexsort((-demand["shortage_cost_per_unit"].to_numpy(dtype=float),
                        demand["position"].to_numpy(), demand["month"].to_numpy()))  # fmt: skip
    position = demand["position"].to_numpy()[order]
    month = demand["month"].to_numpy()[order]
    units = demand["demand_units"].to_numpy(dtype=float)[order]
    inventory = np.zeros_like(arrived)
    lost = np.zeros(len(order))
    stock = np.zeros(arrived.shape[0])
    for t in range(network.months):
        stock = stock + arrived[:, t]
        rows = np.flatnonzero(month == t)
        rows_position, rows_units = position[rows], units[rows]
        before = pd.Series(rows_units).groupby(rows_position).cumsum().to_numpy() - rows_units
        served = np.clip(stock[rows_position] - before, 0.0, rows_units)
        lost[rows] = rows_units - served
        np.subtract.at(stock, rows_position, served)
        inventory[:, t] = stock = np.maximum(stock, 0.0)
    lost_rows = np.zeros(len(order))
    lost_rows[order] = lost
    return inventory, lost_rows


def solution_vector(network: SupplyNetwork, program: LinearProgram, production: FloatArray,
                    purchases: FloatArray) -> FloatArray:  # fmt: skip
    """The full model's solution vector for fixed releases (steps 3-4)."""
    inventory, lost = serve_demand(network, _arrivals(network, production, purchases))
    x = np.zeros(len(program.cost))

    def put(name: str, values: FloatArray) -> None:
        x[program.columns[name]] = values.ravel()

    put("production", production)
    put("purchase", purchases)
    put("inventory", inventory)
    put("lost_sales", lost)
    safety = program.index["safety_positions"]
    target = network.positions["safety_stock_units"].to_numpy(dtype=float)[safety, None]
    put("safety_gap", np.maximum(target - inventory[safety], 0.0))
    load = network.lane_load_hours(production)
    overtime = program.index["overtime_resources"]
    put("overtime", np.maximum(load[overtime] - network.capacity_hours[overtime], 0.0))
    return np.clip(x, program.col_lower, program.col_upper)


def _lane_lookup(lanes: pd.DataFrame, keys: list[str]) -> dict[tuple[str, ...], int]:
    return {
        tuple(row): lane for lane, row in enumerate(lanes[keys].astype(str).itertuples(index=False))
    }


def _spare_capacity(network: SupplyNetwork, production: FloatArray, purchases: FloatArray
                    ) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    """Units per supplier-month and hours (overtime included) per resource-month still free."""
    overtime = network.resources["overtime_hours_per_month"].to_numpy(dtype=float)[:, None]
    capacity = network.suppliers["capacity_units_per_month"].to_numpy(dtype=float)[:, None]
    ordered = np.zeros((len(network.suppliers), network.months))
    np.add.at(ordered, network.buy_lanes["supplier_index"].to_numpy(), purchases)
    spare_units = np.where(np.isnan(capacity), np.inf, capacity - ordered)
    spare_hours = network.capacity_hours + overtime - network.lane_load_hours(production)
    return spare_units, spare_hours


def _lane_hours(network: SupplyNetwork) -> tuple[IntArray, IntArray, FloatArray]:
    """Per make lane, the resources a unit loads and its hours there, as CSR-like arrays
    (lane ``l``'s entries are ``start[l]:start[l + 1]``; its primary resource first, then its
    secondary loads in their order, as `SupplyNetwork.lane_load_hours` adds them)."""
    make, extra = network.make_lanes, network.extra_loads
    lane = np.concatenate([np.arange(len(make)), extra["lane"].to_numpy(dtype=np.int64)])
    resource = np.concatenate([make["resource_index"].to_numpy(dtype=np.int64),
                               extra["resource_index"].to_numpy(dtype=np.int64)])  # fmt: skip
    hours = np.concatenate([make["hours_per_unit"].to_numpy(dtype=float),
                            extra["hours_per_unit"].to_numpy(dtype=float)])  # fmt: skip
    order = np.argsort(lane, kind="stable")
    start = np.searchsorted(lane[order], np.arange(len(make) + 1))
    return start, resource[order], hours[order]


def _raised_run(planned: float, units: float, moq: float) -> float:
    """Units to add to a cell's run of ``planned`` for ``units`` more: a run ends at least at
    its lane's minimum ``moq`` (0 = none), as `make_moq` sizes runs."""
    return max(units, moq - planned) if planned + units < moq else units


def repair_releases(network: SupplyNetwork, production: FloatArray, purchases: FloatArray,
                    options: pd.DataFrame) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    """Apply the gap options that pay (net saving > 0), best first, while the capacity they
    need is still free: the disaggregation's split leaves some SKUs short that spare hours or
    supplier units could still serve. Buy options order their MOQ-rounded quantity; make
    options raise a run to at least its lane's minimum.

    Each option costs O(resources) (the hours of one make lane, not a whole production grid),
    so thousands of options take well under a second."""
    paying = options.loc[options["net_saving"].astype(float) > 0.01]
    if paying.empty:
        return production, purchases
    production, purchases = production.copy(), purchases.copy()
    make_lane = _lane_lookup(network.make_lanes, ["product", "site", "resource"])
    buy_lane = _lane_lookup(network.buy_lanes, ["product", "site", "supplier", "mode"])
    supplier = network.buy_lanes["supplier_index"].to_numpy()
    moq = network.buy_lanes["min_order_qty_units"].to_numpy(dtype=float)
    multiple = network.buy_lanes["order_multiple_units"].to_numpy(dtype=float)
    start, resource, per_unit = _lane_hours(network)
    flagged, _ = flag_grid(network)
    run_moq = np.where(flagged, network.make_lanes["min_order_qty_units"].to_numpy(float)[:, None],
                       0.0)  # fmt: skip
    spare_units, spare_hours = _spare_capacity(network, production, purchases)
    open_units = paying.groupby(["product", "site", "period"])["shortage_units"].first().to_dict()
    for option in paying.sort_values("net_saving", ascending=False).itertuples(index=False):
        gap = (option.product, option.site, option.period)
        units = min(float(option.closable_units), open_units[gap])
        month = int(option.release_period.ordinal - network.horizon[0].ordinal)
        if units <= 1e-6:
            continue
        if option.mode:  # a buy option
            lane = buy_lane[(option.product, option.site, option.source, option.mode)]
            order = float(round_up_order(np.array([units]), moq[lane : lane + 1],
                                         multiple[lane : lane + 1])[0])  # fmt: skip
            if order > spare_units[supplier[lane], month] + 1e-6:
                continue
            purchases[lane, month] += order
            spare_units[supplier[lane], month] -= order
        else:
            lane = make_lane[(option.product, option.site, option.source)]
            made = _raised_run(production[lane, month], units, run_moq[lane, month])
            entries = slice(start[lane], start[lane + 1])
            hours = np.zeros(len(network.resources))
            np.add.at(hours, resource[entries], per_unit[entries] * made)
            if (hours > spare_hours[:, month] + 1e-6).any():
                continue
            production[lane, month] += made
            spare_hours[:, month] -= hours
        open_units[gap] -= units
    return production, purchases
