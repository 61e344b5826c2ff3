"""A solved plan as grids: releases per lane, arrivals per position, use of every capacity.

Shared by `results` (output frames), `shortage_reasons` and `gaps` (spare capacity), so the
solution vector is decoded in one place. Grids are rows x months numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from supply.engine.model_builder import demand_grid
from supply.engine.network import SupplyNetwork
from supply.engine.program import FloatArray, IntArray, LinearProgram

# Relative tolerance for "this capacity is full": HiGHS' primal feasibility tolerance is 1e-7.
FULL_TOLERANCE = 1e-6


@dataclass(frozen=True)
class PlanGrids:
    """production / purchases: lanes x release months; inventory, safety_gap, arrivals,
    demand, lost_sales: positions x months; load_hours, overtime_hours: resources x months;
    ordered_units: suppliers x months (incl. firm orders arriving after the horizon)."""

    production: FloatArray
    purchases: FloatArray
    inventory: FloatArray
    safety_gap: FloatArray
    lost_sales_rows: FloatArray
    arrivals: FloatArray
    demand: FloatArray
    lost_sales: FloatArray
    load_hours: FloatArray
    overtime_hours: FloatArray
    ordered_units: FloatArray

    def resource_spare_hours(self, network: SupplyNetwork) -> tuple[FloatArray, FloatArray]:
        """(regular hours left, overtime hours left) per resource x month, floored at 0."""
        allowance = network.resources["overtime_hours_per_month"].to_numpy(dtype=float)[:, None]
        regular = np.maximum(network.capacity_hours - self.load_hours + self.overtime_hours, 0.0)
        return regular, np.maximum(allowance - self.overtime_hours, 0.0)

    def supplier_spare_units(self, network: SupplyNetwork) -> FloatArray:
        """Units each supplier could still ship per order month (inf when unconstrained)."""
        capacity = network.suppliers["capacity_units_per_month"].to_numpy(dtype=float)[:, None]
        spare = np.where(np.isnan(capacity), np.inf, capacity - self.ordered_units)
        return np.maximum(spare, 0.0)


def _sum_rows(group: IntArray, grid: FloatArray, groups: int) -> FloatArray:
    totals = np.zeros((groups, grid.shape[1]))
    np.add.at(totals, group, grid)
    return totals


def _arrivals(position: IntArray, lead: IntArray, releases: FloatArray, shape: tuple[int, int]
              ) -> FloatArray:  # fmt: skip
    months = shape[1]
    lane, month = np.nonzero(releases)
    arrival = month + lead[lane]
    inside = arrival < months
    grid = np.zeros(shape)
    np.add.at(
        grid, (position[lane[inside]], arrival[inside]), releases[lane[inside], month[inside]]
    )
    return grid


def _overtime(program: LinearProgram, x: FloatArray, shape: tuple[int, int]) -> FloatArray:
    grid = np.zeros(shape)
    grid[program.index["overtime_resources"]] = program.block(x, "overtime").reshape(-1, shape[1])
    return grid


def decode(network: SupplyNetwork, program: LinearProgram, x: FloatArray) -> PlanGrids:
    """Turn the solution vector into grids (tiny negative float noise is clipped to 0)."""
    months = network.months
    make, buy = network.make_lanes, network.buy_lanes
    production = np.maximum(program.block(x, "production").reshape(-1, months), 0.0)
    purchases = np.maximum(program.block(x, "purchase").reshape(-1, months), 0.0)
    n_positions = len(network.positions)
    shape = (n_positions, months)
    arrivals = _arrivals(make["position"].to_numpy(), make["lead_time_months"].to_numpy(np.int64),
                         production, shape)  # fmt: skip
    arrivals += _arrivals(buy["position"].to_numpy(), buy["lead_time_months"].to_numpy(np.int64),
                          purchases, shape)  # fmt: skip
    safety_gap = np.zeros(shape)
    safety_gap[program.index["safety_positions"]] = program.block(x, "safety_gap").reshape(
        -1, months
    )
    lost_rows = np.maximum(program.block(x, "lost_sales"), 0.0)
    lost = np.zeros(shape)
    demand = network.demand
    np.add.at(lost, (demand["position"].to_numpy(), demand["month"].to_numpy()), lost_rows)
    n_resources, n_suppliers = len(network.resources), len(network.suppliers)
    return PlanGrids(
        production, purchases, np.maximum(program.block(x, "inventory").reshape(shape), 0.0),
        safety_gap, lost_rows, arrivals, demand_grid(network), lost,
        network.lane_load_hours(production),
        _overtime(program, x, (n_resources, months)),
        _sum_rows(buy["supplier_index"].to_numpy(), purchases, n_suppliers),
    )  # fmt: skip
