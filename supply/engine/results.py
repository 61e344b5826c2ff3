"""Output of the supply review: a frozen `SupplyPlan` of DataFrames plus a solve summary.

Frames (quantities in units, capacity in hours, money in currency; ``period`` = monthly
pandas.Period):
orders        product, site, source_type ("make" | "buy"), source (resource | supplier), mode
              ("" for make), release_period, receipt_period, quantity_units, load_hours,
              supply_cost (production or purchase), transport_cost, is_firm, firm_units (the
              firm floor; the plan may add to it). Non-zero only.
inventory     product, site, period, opening_units, scheduled_receipt_units,
              planned_receipt_units, demand_units, served_units, lost_sales_units,
              closing_units, safety_stock_units, below_safety_stock_units, holding_cost.
shortages     product, site, channel, period, demand_units, shortage_units, shortage_cost,
              reason (see `shortage_reasons`). Non-zero only.
resource_utilisation  resource, site, period, load_hours, capacity_hours, overtime_hours,
              overtime_limit_hours, overload_hours (load beyond capacity + allowed overtime:
              always 0 in a plan), utilisation_pct (load / capacity; NaN at zero capacity),
              overtime_cost.
supplier_utilisation  supplier, period, ordered_units, capacity_units (NaN = unconstrained),
              utilisation_pct.
costs         component, cost: production, purchase, transport, holding, overtime, shortage
              (lost sales x unit_price x channel weight), safety_stock (penalty below target),
              and total. Computed from the solution with the objective's own coefficients, so
              total equals the objective up to float rounding.
gap_options   see `gaps`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supply.engine.network import SupplyNetwork
from supply.engine.program import FloatArray, LinearProgram, ModelSize
from supply.engine.usage import PlanGrids

COST_COMPONENTS = ("production", "purchase", "transport", "holding", "overtime", "shortage",
                   "safety_stock")  # fmt: skip


@dataclass(frozen=True)
class SolveSummary:
    """status: "optimal" (MIP, or LP without MOQ/multiples), "time_limit" (best found),
    "heuristic" (LP + rounding, see `rounding`) or "relaxed" (MOQ / multiples ignored).
    method: "mip", "lp_rounded" (LP + rounding), "lp_rounded_repaired" (+ the neighbourhood
    MIP repair, see `plan`) or "lp_relaxed". mip_gap and best_bound_cost (the MIP's dual
    bound) describe the MIP; for an LP they are 0 and the objective."""

    status: str
    method: str
    objective_cost: float
    solve_seconds: float
    model_size: ModelSize
    mip_gap: float
    best_bound_cost: float
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class SupplyPlan:
    orders: pd.DataFrame
    inventory: pd.DataFrame
    shortages: pd.DataFrame
    resource_utilisation: pd.DataFrame
    supplier_utilisation: pd.DataFrame
    costs: pd.DataFrame
    gap_options: pd.DataFrame
    summary: SolveSummary

    def cost(self, component: str) -> float:
        return float(self.costs.set_index("component").loc[component, "cost"])


def _lane_orders(lanes: pd.DataFrame, releases: FloatArray, firm: FloatArray,
                 horizon: pd.PeriodIndex, tolerance: float) -> pd.DataFrame:  # fmt: skip
    lane, month = np.nonzero(releases > tolerance)
    orders = lanes.iloc[lane].reset_index(drop=True)
    orders["release_period"] = horizon[month]
    receipt = horizon[0].ordinal + month + orders["lead_time_months"].to_numpy(np.int64)
    orders["receipt_period"] = pd.PeriodIndex.from_ordinals(receipt, freq="M")  # not per row
    orders["quantity_units"] = releases[lane, month]
    orders["is_firm"] = ~np.isnan(firm[lane, month])
    orders["firm_units"] = np.nan_to_num(firm[lane, month])
    return orders


def orders_frame(network: SupplyNetwork, grids: PlanGrids, tolerance: float) -> pd.DataFrame:
    made = _lane_orders(network.make_lanes, grids.production, network.firm_make, network.horizon,
                        tolerance)  # fmt: skip
    made = made.assign(source_type="make", source=made["resource"], mode="",
                       load_hours=made["quantity_units"] * made["hours_per_unit"],
                       supply_cost=made["quantity_units"] * made["cost_per_unit"],
                       transport_cost=0.0)  # fmt: skip
    bought = _lane_orders(network.buy_lanes, grids.purchases, network.firm_buy, network.horizon,
                          tolerance)  # fmt: skip
    bought = bought.assign(source_type="buy", source=bought["supplier"], load_hours=0.0,
                           supply_cost=bought["quantity_units"] * bought["purchase_cost_per_unit"],
                           transport_cost=bought["quantity_units"] * bought["transport_cost_per_unit"])  # fmt: skip
    columns = ["product", "site", "source_type", "source", "mode", "release_period",
               "receipt_period", "quantity_units", "load_hours", "supply_cost", "transport_cost",
               "is_firm", "firm_units"]  # fmt: skip
    parts = [frame[columns] for frame in (made, bought) if len(frame)]
    orders = pd.concat(parts, ignore_index=True) if parts else made[columns]
    return orders.sort_values(["product", "site", "release_period", "source"], ignore_index=True)


def inventory_frame(network: SupplyNetwork, grids: PlanGrids) -> pd.DataFrame:
    positions, months = network.positions, network.months
    closing = grids.inventory
    opening = np.column_stack([positions["on_hand_units"].to_numpy(dtype=float), closing[:, :-1]])
    target = positions["safety_stock_units"].to_numpy(dtype=float)
    holding = positions["holding_cost_per_unit_month"].to_numpy(dtype=float)
    frame = positions.loc[np.repeat(positions.index, months), ["product", "site"]]
    frame = frame.reset_index(drop=True).assign(
        period=np.tile(network.horizon, len(positions)),
        opening_units=opening.ravel(),
        scheduled_receipt_units=network.receipt_units.ravel(),
        planned_receipt_units=grids.arrivals.ravel(),
        demand_units=grids.demand.ravel(),
        served_units=(grids.demand - grids.lost_sales).ravel(),
        lost_sales_units=grids.lost_sales.ravel(),
        closing_units=closing.ravel(),
        safety_stock_units=np.repeat(target, months),
        below_safety_stock_units=grids.safety_gap.ravel(),
        holding_cost=(closing * holding[:, None]).ravel(),
    )
    return frame


def shortages_frame(network: SupplyNetwork, grids: PlanGrids, tolerance: float) -> pd.DataFrame:
    demand = network.demand.assign(shortage_units=grids.lost_sales_rows)
    short = demand.loc[demand["shortage_units"] > tolerance].reset_index(drop=True)
    short["period"] = network.horizon[short["month"].to_numpy()]
    short["shortage_cost"] = short["shortage_units"] * short["shortage_cost_per_unit"]
    return short[["position", "product", "site", "channel", "month", "period", "demand_units",
                  "shortage_units", "shortage_cost"]]  # fmt: skip


def _utilisation_pct(used: FloatArray, capacity: FloatArray) -> FloatArray:
    safe = np.where(capacity > 0, capacity, 1.0)
    return np.where(capacity > 0, used / safe * 100.0, np.nan)


def resource_frame(network: SupplyNetwork, grids: PlanGrids) -> pd.DataFrame:
    resources, months = network.resources, network.months
    allowance = np.repeat(resources["overtime_hours_per_month"].to_numpy(dtype=float), months)
    rate = np.repeat(resources["overtime_cost_per_hour"].to_numpy(dtype=float), months)
    load, capacity = grids.load_hours.ravel(), network.capacity_hours.ravel()
    overtime = grids.overtime_hours.ravel()
    frame = resources.loc[np.repeat(resources.index, months), ["resource", "site"]]
    return frame.reset_index(drop=True).assign(
        period=np.tile(network.horizon, len(resources)), load_hours=load, capacity_hours=capacity,
        overtime_hours=overtime, overtime_limit_hours=allowance,
        overload_hours=np.maximum(load - capacity - allowance, 0.0),
        utilisation_pct=_utilisation_pct(load, capacity), overtime_cost=overtime * rate,
    )  # fmt: skip


def supplier_frame(network: SupplyNetwork, grids: PlanGrids) -> pd.DataFrame:
    suppliers, months = network.suppliers, network.months
    capacity = np.repeat(suppliers["capacity_units_per_month"].to_numpy(dtype=float), months)
    ordered = grids.ordered_units.ravel()
    frame = suppliers.loc[np.repeat(suppliers.index, months), ["supplier"]]
    return frame.reset_index(drop=True).assign(
        period=np.tile(network.horizon, len(suppliers)), ordered_units=ordered,
        capacity_units=capacity, utilisation_pct=_utilisation_pct(ordered, np.nan_to_num(capacity)),
    )  # fmt: skip


def costs_frame(network: SupplyNetwork, program: LinearProgram, x: FloatArray) -> pd.DataFrame:
    """Each component is the objective's coefficients times the solution, block by block."""
    buy, months = network.buy_lanes, network.months
    purchases = program.block(x, "purchase").reshape(-1, months)
    purchase_cost = buy["purchase_cost_per_unit"].to_numpy(dtype=float)
    transport_cost = buy["transport_cost_per_unit"].to_numpy(dtype=float)

    def block_cost(name: str) -> float:
        return float(program.cost[program.columns[name]] @ program.block(x, name))

    values = [
        block_cost("production"),
        float((purchases * purchase_cost[:, None]).sum()),
        float((purchases * transport_cost[:, None]).sum()),
        block_cost("inventory"),
        block_cost("overtime"),
        block_cost("lost_sales"),
        block_cost("safety_gap"),
    ]
    return pd.DataFrame(
        {"component": [*COST_COMPONENTS, "total"], "cost": [*values, float(sum(values))]}
    )
