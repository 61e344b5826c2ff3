"""Why each shortage in a plan could not be avoided, from the plan's own capacity use.

For a shortage of position p in month t, every supply lane of p is examined:
* the lane is *too late* if even a release in the first month arrives after t (t - L < 0);
* it is *blocked* if its resource (regular hours and allowed overtime) or its capacitated
  supplier is full in every release month from the first up to t - L -- a cumulative AND over
  months, because a free earlier month could have pre-built or ordered ahead.
A lane is also blocked, in every month, when its order minimum cannot be placed at all: a buy
lane whose MOQ (in whole multiples) exceeds its supplier's monthly capacity, a make lane whose
minimum run exceeds what its resource can make in a month (capacity plus overtime).
Reason, first match:
    no_supply_source  p has no make or buy term;
    lead_time         every lane is too late (only opening stock and receipts could serve t);
    moq_above_capacity  every lane is too late or blocked, and a lane is blocked by an order
                      minimum above its supplier's (or resource's) capacity: the minimum, not
                      the capacity, is what to renegotiate;
    capacity          every lane is too late or blocked;
    phase_out_limit   p runs out (phase-out or end of life) and its supply already reaches
                      the remaining need, or the order minimum of every lane exceeds what is
                      left of it: buying more would only be written off (see `lifecycle`);
    economic          some lane still had room: supplying would cost more than the shortage
                      (cost above unit_price x weight, an MOQ too big for the need, or a
                      higher-priority channel or month took the capacity).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supply.engine.model_builder import round_up_order
from supply.engine.network import SupplyNetwork
from supply.engine.rounding import BoolArray
from supply.engine.usage import FULL_TOLERANCE, PlanGrids


def _resource_full(network: SupplyNetwork, grids: PlanGrids) -> BoolArray:
    regular, overtime = grids.resource_spare_hours(network)
    scale = np.maximum(network.capacity_hours, 1.0)
    return (regular + overtime) <= FULL_TOLERANCE * scale


def _supplier_full(network: SupplyNetwork, grids: PlanGrids) -> BoolArray:
    spare = grids.supplier_spare_units(network)
    capacity = np.nan_to_num(network.suppliers["capacity_units_per_month"].to_numpy(float), nan=1.0)
    return spare <= FULL_TOLERANCE * np.maximum(capacity, 1.0)[:, None]


def shortage_reasons(
    network: SupplyNetwork, grids: PlanGrids, shortages: pd.DataFrame
) -> pd.Series:
    """Reason per shortage row (``position`` and ``month`` columns), aligned to its index."""
    if shortages.empty:
        return pd.Series([], index=shortages.index, dtype=object)
    make, buy = network.make_lanes, network.buy_lanes
    full = _resource_full(network, grids)
    lane_full = full[make["resource_index"].to_numpy()]
    extra = network.extra_loads  # a lane is blocked when any resource it loads is full
    np.logical_or.at(lane_full, extra["lane"].to_numpy(), full[extra["resource_index"].to_numpy()])
    lane_full = np.logical_and.accumulate(lane_full, axis=1)
    supplier_full = np.logical_and.accumulate(_supplier_full(network, grids), axis=1)
    full_so_far = np.vstack([lane_full,
                             supplier_full[buy["supplier_index"].to_numpy()]])  # fmt: skip
    minimum_blocked = _minimum_above_capacity(network)
    full_so_far |= minimum_blocked[:, None]
    lanes = pd.DataFrame({
        "position": np.concatenate([make["position"].to_numpy(), buy["position"].to_numpy()]),
        "lead": np.concatenate([make["lead_time_months"].to_numpy(np.int64),
                                buy["lead_time_months"].to_numpy(np.int64)]),
    })  # fmt: skip
    lanes["lane_row"] = np.arange(len(lanes))
    pairs = (
        shortages[["position", "month"]].reset_index(names="shortage").merge(lanes, on="position")
    )
    latest_release = pairs["month"].to_numpy() - pairs["lead"].to_numpy()
    too_late = latest_release < 0
    blocked = np.zeros(len(pairs), dtype=bool)
    usable = np.flatnonzero(~too_late)
    blocked[usable] = full_so_far[pairs["lane_row"].to_numpy()[usable], latest_release[usable]]
    verdict = pairs.assign(too_late=too_late, stuck=too_late | blocked).groupby("shortage")
    all_late, all_stuck = verdict["too_late"].all(), verdict["stuck"].all()
    by_minimum = pairs.assign(by_minimum=minimum_blocked[pairs["lane_row"].to_numpy()] & ~too_late)
    any_minimum = by_minimum.groupby("shortage")["by_minimum"].any()
    stuck = np.where(any_minimum, "moq_above_capacity", "capacity")
    capped = _run_out_reached(network, grids)[shortages.loc[all_late.index, "position"].to_numpy()]
    reason = pd.Series("no_supply_source", index=shortages.index, dtype=object)
    reason.loc[all_late.index] = np.where(
        all_late, "lead_time",
        np.where(all_stuck, stuck, np.where(capped, "phase_out_limit", "economic")),
    )  # fmt: skip
    return reason


def _minimum_above_capacity(network: SupplyNetwork) -> BoolArray:
    """Per lane (make lanes first, then buy lanes): its minimum order can never be placed."""
    make = network.make_lanes
    hours = make["hours_per_unit"].to_numpy(dtype=float)
    overtime = network.resources["overtime_hours_per_month"].to_numpy(dtype=float)
    most_hours = (network.capacity_hours.max(axis=1) + overtime)[make["resource_index"].to_numpy()]
    makeable = np.where(hours > 0, most_hours / np.where(hours > 0, hours, 1.0), np.inf)
    make_blocked = make["min_order_qty_units"].to_numpy(dtype=float) > makeable + 1e-9
    buy = network.buy_lanes
    smallest = round_up_order(np.full(len(buy), 1e-9), buy["min_order_qty_units"].to_numpy(float),
                              buy["order_multiple_units"].to_numpy(float))  # fmt: skip
    capacity = network.suppliers["capacity_units_per_month"].to_numpy(dtype=float)
    supplier_cap = capacity[buy["supplier_index"].to_numpy()]
    buy_blocked = ~np.isnan(supplier_cap) & (smallest > np.nan_to_num(supplier_cap) + 1e-9)
    return np.concatenate([make_blocked, buy_blocked])


def _run_out_reached(network: SupplyNetwork, grids: PlanGrids) -> BoolArray:
    """Per position: it runs out and its supply reaches the cap, or no lane's minimum fits
    what is left of it."""
    cap = network.positions["run_out_cap_units"].to_numpy(dtype=float)
    left = cap - grids.arrivals.sum(axis=1)
    smallest = np.full(len(cap), np.inf)
    buy = network.buy_lanes
    moq = round_up_order(np.full(len(buy), 1e-9), buy["min_order_qty_units"].to_numpy(float),
                         buy["order_multiple_units"].to_numpy(float))  # fmt: skip
    np.minimum.at(smallest, buy["position"].to_numpy(), moq)
    make = network.make_lanes
    np.minimum.at(smallest, make["position"].to_numpy(),
                  np.maximum(make["min_order_qty_units"].to_numpy(dtype=float), 1e-9))  # fmt: skip
    return np.asarray(~np.isnan(cap) & ((left <= 1e-6) | (smallest > left + 1e-9)))
