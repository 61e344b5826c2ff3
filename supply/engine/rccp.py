"""Rough-cut capacity planning (RCCP): the load that demand and inventory targets put on each
resource per month, before any optimisation, against its capacity.

Requirement per made position, lot-for-lot netting on cumulative quantities:
    need_cum[t]     = demand[0..t] + safety_stock - on_hand - receipts[0..t]
    required_cum[t] = max(0, need_cum[0], ..., need_cum[t])   (never decreases)
    build[t]        = required_cum[t] - required_cum[t-1]
so the first months also build the stock up to the safety-stock target, and a later month only
builds what stock on hand and receipts no longer cover. The build of month t is released in
t - L (L = make lead time); what would have to be released before the horizon lands in the
first month, which is the earliest it can be made, so an early overload shows the backlog.
A position with several make terms (alternative resources) splits its build equally between
them; positions with only buy terms load no resource. Firm orders are not added: the RCCP
checks the requirement, the constrained plan (`plan_supply`) the supply.

Output, one row per resource x month: resource, site, period, load_hours, capacity_hours,
overtime_limit_hours, utilisation_pct (load / capacity x 100; NaN at zero capacity),
overload_hours (load beyond capacity), overload_after_overtime_hours (beyond capacity plus
allowed overtime). All steps are numpy over position x month grids.

A resource-month is *overloaded* only when the requirement exceeds regular capacity plus the
allowed overtime (`is_overloaded`, the one rule the supply page uses): overtime that is
available absorbs the load, so allowing more overtime clears the flag. A month above regular
capacity but within overtime is reported separately (`needs_overtime`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from supply.engine.inputs import SupplyConfig, SupplyInputs
from supply.engine.model_builder import demand_grid
from supply.engine.network import SupplyNetwork, supply_network
from supply.engine.program import FloatArray

# Hours of float noise (relative to capacity) that never flag a month.
OVERLOAD_TOLERANCE = 1e-6


def is_overloaded(
    required_hours: npt.ArrayLike,
    capacity_hours: npt.ArrayLike,
    overtime_limit_hours: npt.ArrayLike,
) -> npt.NDArray[np.bool_]:
    """Requirement above regular capacity plus allowed overtime (element-wise, hours)."""
    capacity = np.asarray(capacity_hours, dtype=float)
    limit = capacity + np.asarray(overtime_limit_hours, dtype=float)
    slack = OVERLOAD_TOLERANCE * np.maximum(capacity, 1.0)
    return np.asarray(np.asarray(required_hours, dtype=float) > limit + slack)


def needs_overtime(
    required_hours: npt.ArrayLike,
    capacity_hours: npt.ArrayLike,
    overtime_limit_hours: npt.ArrayLike,
) -> npt.NDArray[np.bool_]:
    """Requirement above regular capacity but within the allowed overtime (element-wise)."""
    capacity = np.asarray(capacity_hours, dtype=float)
    above = np.asarray(required_hours, dtype=float) > capacity + OVERLOAD_TOLERANCE * np.maximum(
        capacity, 1.0
    )
    return np.asarray(above & ~is_overloaded(required_hours, capacity, overtime_limit_hours))


def required_build_units(network: SupplyNetwork) -> FloatArray:
    """Units to build per position x month (lot-for-lot, see the module docstring)."""
    positions = network.positions
    start = (positions["safety_stock_units"] - positions["on_hand_units"]).to_numpy(dtype=float)
    need = start[:, None] + np.cumsum(demand_grid(network) - network.receipt_units, axis=1)
    required = np.maximum.accumulate(np.maximum(need, 0.0), axis=1)
    return np.diff(required, axis=1, prepend=0.0)


def resource_load_hours(network: SupplyNetwork, build: FloatArray) -> FloatArray:
    """Hours per resource x month from each position's build, split over its make lanes."""
    make, months = network.make_lanes, network.months
    lanes_per_position = make.groupby("position")["resource"].transform("count").to_numpy(float)
    position = make["position"].to_numpy()
    lead = make["lead_time_months"].to_numpy(dtype=np.int64)
    lane_units = build[position] / lanes_per_position[:, None]
    release = np.maximum(np.arange(months)[None, :] - lead[:, None], 0)
    released = np.zeros_like(lane_units)
    np.add.at(released, (np.arange(len(make))[:, None], release), lane_units)
    return network.lane_load_hours(released)


def rough_cut_capacity(inputs: SupplyInputs, config: SupplyConfig | None = None, *,
                       network: SupplyNetwork | None = None) -> pd.DataFrame:  # fmt: skip
    """RCCP per resource and month; raises `SupplyInputError` on invalid input.
    ``network``: `supply_network(inputs, config)` when the caller already built it."""
    network = network or supply_network(inputs, config or SupplyConfig())
    load = resource_load_hours(network, required_build_units(network))
    resources, months = network.resources, network.months
    capacity = network.capacity_hours
    overtime = resources["overtime_hours_per_month"].to_numpy(dtype=float)[:, None]
    safe_capacity = np.where(capacity > 0, capacity, 1.0)
    frame = resources.loc[np.repeat(resources.index, months), ["resource", "site"]]
    return frame.reset_index(drop=True).assign(
        period=np.tile(network.horizon, len(resources)),
        load_hours=load.ravel(),
        capacity_hours=capacity.ravel(),
        overtime_limit_hours=np.broadcast_to(overtime, load.shape).ravel(),
        utilisation_pct=np.where(capacity > 0, load / safe_capacity * 100.0, np.nan).ravel(),
        overload_hours=np.maximum(load - capacity, 0.0).ravel(),
        overload_after_overtime_hours=np.maximum(load - capacity - overtime, 0.0).ravel(),
    )
