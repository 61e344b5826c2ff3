"""Why each shortage in a plan could not be avoided, from the plan's own capacity use.

For a shortage of position p in month t, every supply lane of p is examined:
* the lane is *too late* if even a release in the first month arrives after t (t - L < 0);
* it is *blocked* if its resource (regular hours and allowed overtime) or its capacitated
  supplier is full in every release month from the first up to t - L -- a cumulative AND over
  months, because a free earlier month could have pre-built or ordered ahead.
Reason, first match:
    no_supply_source  p has no make or buy term;
    lead_time         every lane is too late (only opening stock and receipts could serve t);
    capacity          every lane is too late or blocked;
    economic          some lane still had room: supplying would cost more than the shortage
                      (cost above unit_price x weight, an MOQ too big for the need, or a
                      higher-priority channel or month took the capacity).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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
    reason = pd.Series("no_supply_source", index=shortages.index, dtype=object)
    reason.loc[all_late.index] = np.where(all_late, "lead_time",
                                          np.where(all_stuck, "capacity", "economic"))  # fmt: skip
    return reason
