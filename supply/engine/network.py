"""The supply network as integer-indexed arrays: positions, supply lanes and monthly grids.

A *position* is a product at a site (one inventory balance). A *lane* is one way to supply a
position: a make lane (product, site, resource) or a buy lane (product, site, supplier, mode).
Every lane gets one variable per month of the horizon, indexed by release month (production or
order month); its arrival month is release + lead time. Keeping every lane x month cell, even
those that arrive after the horizon (fixed at 0 unless firm), makes every block a dense
lanes x months grid, so the model builder can address variables by arithmetic instead of
lookups.

Shortage cost per unit = unit_price x channel weight, where the weight is ``shortage_weight``
or, by default, max(service_priority) + 1 - service_priority (priority 1 weighs most).
Firm orders must name an existing lane and fit their month's capacity (incl. overtime); else
`SupplyInputError`.

Safety-stock penalty (`bounded_safety_penalty`): a unit kept in stock instead of being sold
lifts the safety gap by one unit in each remaining month, so losing the sale saves at most
months x penalty. The penalty per unit-month is therefore capped at
cheapest lost sale of the position / (months + 1) -- the cheapest being unit_price x the
smallest channel weight the position has demand on -- which makes serving a sale strictly
cheaper than protecting the target on every horizon, whatever penalty was given (a capped
given penalty is reported in the warnings). The target still wins over holding cost, so
stock is built up to it whenever the cap exceeds the holding cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from supply.engine.inputs import STANDARD_MODE, SupplyConfig, SupplyInputError, SupplyInputs
from supply.engine.lifecycle import run_out_caps, runs_out
from supply.engine.validation import CleanInputs, clean_inputs

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
POSITION_KEYS = ["product", "site"]


@dataclass(frozen=True)
class SupplyNetwork:
    """Integer-indexed planning data; row i of a lane frame is lane i of its variable block.

    positions: product, site, family, unit_cost, unit_price, holding_cost_per_unit_month,
        lifecycle, end_month, on_hand_units, safety_stock_units, safety_penalty_per_unit_month,
        run_out_cap_units (most units that may arrive over the horizon; NaN = no cap).
    make_lanes: position, product, site, resource, resource_index, hours_per_unit,
        lead_time_months, cost_per_unit, min_order_qty_units.
    buy_lanes: position, product, site, supplier, supplier_index, mode, lead_time_months,
        purchase_cost_per_unit, transport_cost_per_unit, min_order_qty_units,
        order_multiple_units.
    demand: position, product, site, channel, month, demand_units, shortage_cost_per_unit.
    resources: resource, site, overtime_hours_per_month, overtime_cost_per_hour.
    suppliers: supplier, capacity_units_per_month (NaN = unconstrained).
    extra_loads: lane (make lane row), resource_index, hours_per_unit -- secondary loads.
    Grids (rows x months): capacity_hours (resources), receipt_units (positions), firm_make and
    firm_buy (lanes; NaN = no firm order).
    """

    horizon: pd.PeriodIndex
    positions: pd.DataFrame
    make_lanes: pd.DataFrame
    buy_lanes: pd.DataFrame
    demand: pd.DataFrame
    resources: pd.DataFrame
    suppliers: pd.DataFrame
    capacity_hours: FloatArray
    receipt_units: FloatArray
    firm_make: FloatArray
    firm_buy: FloatArray
    warnings: tuple[str, ...]
    extra_loads: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {"lane": pd.Series(dtype=np.int64), "resource_index": pd.Series(dtype=np.int64),
             "hours_per_unit": pd.Series(dtype=float)}
        )
    )  # fmt: skip

    def lane_load_hours(self, production: FloatArray) -> FloatArray:
        """Hours per resource x month of a production grid (primary plus secondary loads)."""
        make = self.make_lanes
        hours = make["hours_per_unit"].to_numpy(dtype=float)[:, None] * production
        load = np.zeros((len(self.resources), production.shape[1]))
        np.add.at(load, make["resource_index"].to_numpy(), hours)
        extra = self.extra_loads
        np.add.at(load, extra["resource_index"].to_numpy(),
                  extra["hours_per_unit"].to_numpy(dtype=float)[:, None]
                  * production[extra["lane"].to_numpy()])  # fmt: skip
        return load

    @property
    def months(self) -> int:
        return len(self.horizon)


def _positions(clean: CleanInputs, config: SupplyConfig) -> pd.DataFrame:
    names = ("demand", "make_terms", "buy_terms", "opening_inventory", "scheduled_receipts",
             "safety_stock", "firm_orders")  # fmt: skip
    keys = pd.concat([clean[name][POSITION_KEYS] for name in names], ignore_index=True)
    positions = keys.drop_duplicates().sort_values(POSITION_KEYS, ignore_index=True)
    positions = positions.merge(clean["products"], on="product", how="left")
    default_holding = positions["unit_cost"] * config.holding_rate_per_month
    positions["holding_cost_per_unit_month"] = positions["holding_cost_per_unit_month"].fillna(
        default_holding
    )
    on_hand = clean["opening_inventory"].groupby(POSITION_KEYS)["on_hand_units"].sum()
    positions = positions.merge(on_hand.reset_index(), on=POSITION_KEYS, how="left")
    positions = positions.merge(clean["safety_stock"], on=POSITION_KEYS, how="left")
    positions["given_penalty"] = positions["penalty_per_unit_month"].notna()
    default_penalty = positions["unit_price"] * config.safety_stock_penalty_rate
    positions["safety_penalty_per_unit_month"] = positions["penalty_per_unit_month"].fillna(
        default_penalty
    )
    positions = positions.fillna({"on_hand_units": 0.0, "safety_stock_units": 0.0})
    # A product that runs out keeps no safety stock: it would be left over (see `lifecycle`).
    ending = runs_out(positions, clean.months)
    positions["safety_stock_units"] = positions["safety_stock_units"].where(~ending, 0.0)
    return positions.drop(columns=["penalty_per_unit_month", "end_period"])


def bounded_safety_penalty(
    positions: pd.DataFrame, demand: pd.DataFrame, months: int
) -> tuple[pd.DataFrame, list[str]]:
    """Positions with the safety penalty capped below the cheapest lost sale (module docstring)."""
    cheapest = demand.groupby("position")["shortage_cost_per_unit"].min()
    cap = cheapest.reindex(positions.index).to_numpy(dtype=float) / (months + 1)
    penalty = positions["safety_penalty_per_unit_month"].to_numpy(dtype=float)
    capped = ~np.isnan(cap) & (penalty > cap)
    warnings = []
    given = capped & positions["given_penalty"].to_numpy(dtype=bool)
    if given.any():
        named = positions.loc[given, POSITION_KEYS].head(10).itertuples(index=False)
        listed = ", ".join(f"{product}@{site}" for product, site in named)
        warnings.append(
            f"safety-stock penalty lowered below the cheapest lost sale / (months + 1) for "
            f"{listed}{' and more' if given.sum() > 10 else ''}: a target never outweighs a sale"
        )
    bounded = positions.assign(safety_penalty_per_unit_month=np.where(capped, cap, penalty))
    return bounded.drop(columns=["given_penalty"]), warnings


def _position_index(positions: pd.DataFrame, frame: pd.DataFrame) -> IntArray:
    index = pd.MultiIndex.from_frame(positions[POSITION_KEYS])
    found = index.get_indexer(pd.MultiIndex.from_frame(frame[POSITION_KEYS]))
    return np.asarray(found, dtype=np.int64)


def _make_lanes(
    clean: CleanInputs, positions: pd.DataFrame, resources: pd.DataFrame
) -> pd.DataFrame:
    lanes = clean["make_terms"].merge(clean["products"][["product", "unit_cost"]], on="product")
    lanes["cost_per_unit"] = lanes["production_cost_per_unit"].fillna(lanes["unit_cost"])
    lanes["position"] = _position_index(positions, lanes)
    lanes["resource_index"] = pd.Index(resources["resource"]).get_indexer(lanes["resource"])
    columns = ["position", "product", "site", "resource", "resource_index", "hours_per_unit",
               "lead_time_months", "cost_per_unit", "min_order_qty_units"]  # fmt: skip
    return lanes[columns].sort_values(["position", "resource"], ignore_index=True)


def _buy_lanes(
    clean: CleanInputs, positions: pd.DataFrame, suppliers: pd.DataFrame
) -> pd.DataFrame:
    terms = clean["buy_terms"].merge(clean["products"][["product", "unit_cost"]], on="product")
    terms["purchase_cost_per_unit"] = terms["purchase_cost_per_unit"].fillna(terms["unit_cost"])
    term_keys = ["product", "site", "supplier"]
    modes = clean["transport_modes"].rename(columns={"lead_time_months": "mode_lead_time"})
    lanes = terms.merge(modes, on=term_keys, how="left")
    no_mode = lanes["mode"].isna()
    lanes.loc[no_mode, "mode"] = STANDARD_MODE
    lanes.loc[no_mode, "mode_lead_time"] = lanes.loc[no_mode, "lead_time_months"]
    lanes.loc[no_mode, "transport_cost_per_unit"] = 0.0
    lanes["lead_time_months"] = lanes["mode_lead_time"]
    lanes["position"] = _position_index(positions, lanes)
    lanes["supplier_index"] = pd.Index(suppliers["supplier"]).get_indexer(lanes["supplier"])
    columns = ["position", "product", "site", "supplier", "supplier_index", "mode",
               "lead_time_months", "purchase_cost_per_unit", "transport_cost_per_unit",
               "min_order_qty_units", "order_multiple_units"]  # fmt: skip
    return lanes[columns].sort_values(["position", "supplier", "mode"], ignore_index=True)


def _demand(clean: CleanInputs, positions: pd.DataFrame) -> pd.DataFrame:
    channels = clean["channels"]
    derived = channels["service_priority"].max() + 1 - channels["service_priority"]
    weights = channels.assign(weight=channels["shortage_weight"].fillna(derived))
    demand = clean["demand"].loc[lambda frame: frame["demand_units"] > 0]
    demand = demand.merge(weights[["channel", "weight"]], on="channel")
    demand = demand.merge(clean["products"][["product", "unit_price"]], on="product")
    demand["shortage_cost_per_unit"] = demand["unit_price"] * demand["weight"]
    demand["position"] = _position_index(positions, demand)
    columns = ["position", "product", "site", "channel", "month", "demand_units",
               "shortage_cost_per_unit"]  # fmt: skip
    return demand[columns].sort_values(["position", "month", "channel"], ignore_index=True)


def _capacity_grid(clean: CleanInputs, resources: pd.DataFrame) -> FloatArray:
    grid = np.repeat(
        resources["capacity_hours_per_month"].to_numpy(dtype=float)[:, None], clean.months, axis=1
    )
    calendar = clean["resource_calendar"]
    rows = pd.Index(resources["resource"]).get_indexer(calendar["resource"])
    grid[rows, calendar["month"].to_numpy()] = calendar["capacity_hours"].to_numpy(dtype=float)
    return grid


def _extra_loads(clean: CleanInputs, make: pd.DataFrame, resources: pd.DataFrame
                 ) -> pd.DataFrame:  # fmt: skip
    lanes = make[["product", "site"]].reset_index(names="lane")
    extra = lanes.merge(clean["secondary_loads"], on=["product", "site"])
    extra["resource_index"] = pd.Index(resources["resource"]).get_indexer(extra["resource"])
    extra = extra.loc[extra["hours_per_unit"] > 0]
    return extra[["lane", "resource_index", "hours_per_unit"]].reset_index(drop=True)


def _grid(
    rows: IntArray, months: IntArray, values: FloatArray, shape: tuple[int, int]
) -> FloatArray:
    grid = np.zeros(shape)
    np.add.at(grid, (rows, months), values)
    return grid


def _firm_grid(firm: pd.DataFrame, lanes: pd.DataFrame, keys: list[str], months: int,
               problems: list[str]) -> FloatArray:  # fmt: skip
    grid = np.full((len(lanes), months), np.nan)
    if firm.empty:
        return grid
    lane_index = pd.MultiIndex.from_frame(lanes[keys].astype(str))
    found = lane_index.get_indexer(pd.MultiIndex.from_frame(firm[keys].astype(str)))
    for _, row in firm.loc[found < 0].head(10).iterrows():
        problems.append(f"firm_orders: {dict(row[keys])} does not match any supply lane")
    matched = found >= 0
    grid[found[matched], firm["month"].to_numpy()[matched]] = firm["quantity_units"].to_numpy()[
        matched
    ]
    return grid


def _check_firm_capacity(network: SupplyNetwork, problems: list[str]) -> None:
    buy = network.buy_lanes
    per_resource = network.lane_load_hours(np.nan_to_num(network.firm_make))
    limit = (
        network.capacity_hours + network.resources["overtime_hours_per_month"].to_numpy()[:, None]
    )
    for r, t in zip(*np.nonzero(per_resource > limit + 1e-6), strict=True):
        problems.append(
            f"firm_orders: resource={network.resources['resource'].iloc[r]!r} "
            f"period={network.horizon[t]}: firm load {per_resource[r, t]:.2f} h exceeds "
            f"capacity incl. overtime {limit[r, t]:.2f} h"
        )
    ordered = _grid_sum(buy["supplier_index"].to_numpy(), np.nan_to_num(network.firm_buy),
                        len(network.suppliers))  # fmt: skip
    cap = network.suppliers["capacity_units_per_month"].to_numpy(dtype=float)[:, None]
    for s, t in zip(*np.nonzero(ordered > cap + 1e-6), strict=True):
        problems.append(
            f"firm_orders: supplier={network.suppliers['supplier'].iloc[s]!r} "
            f"period={network.horizon[t]}: firm orders {ordered[s, t]:.2f} units exceed "
            f"capacity {cap[s, 0]:.2f} units"
        )


def _grid_sum(group: IntArray, grid: FloatArray, groups: int) -> FloatArray:
    totals = np.zeros((groups, grid.shape[1]))
    np.add.at(totals, group, grid)
    return totals


def _unsupplied_warnings(positions: pd.DataFrame, make: pd.DataFrame, buy: pd.DataFrame,
                         demand: pd.DataFrame) -> list[str]:  # fmt: skip
    supplied = set(make["position"]) | set(buy["position"])
    unsupplied = sorted(set(demand["position"]) - supplied)
    if not unsupplied:
        return []
    named = positions.loc[unsupplied[:10], POSITION_KEYS].itertuples(index=False)
    listed = ", ".join(f"{product}@{site}" for product, site in named)
    more = f" and {len(unsupplied) - 10} more" if len(unsupplied) > 10 else ""
    return [f"no supply terms for {listed}{more}: their demand is planned as shortage"]


def build_network(clean: CleanInputs, config: SupplyConfig) -> SupplyNetwork:
    """Index the clean inputs; raise `SupplyInputError` for unmatched or infeasible firm orders."""
    months = clean.months
    positions = _positions(clean, config)
    resources = clean["resources"].sort_values("resource", ignore_index=True)
    suppliers = clean["suppliers"].sort_values("supplier", ignore_index=True)
    make = _make_lanes(clean, positions, resources)
    buy = _buy_lanes(clean, positions, suppliers)
    demand = _demand(clean, positions)
    positions, penalty_warnings = bounded_safety_penalty(positions, demand, months)
    receipts = clean["scheduled_receipts"]
    receipt_grid = _grid(_position_index(positions, receipts), receipts["month"].to_numpy(),
                         receipts["receipt_units"].to_numpy(dtype=float), (len(positions), months))  # fmt: skip
    problems: list[str] = []
    firm = clean["firm_orders"].rename(columns={"source": "resource"})
    firm_make = _firm_grid(firm.loc[firm["source_type"] == "make"], make,
                           ["product", "site", "resource"], months, problems)  # fmt: skip
    firm = clean["firm_orders"].rename(columns={"source": "supplier"})
    firm_buy = _firm_grid(firm.loc[firm["source_type"] == "buy"], buy,
                          ["product", "site", "supplier", "mode"], months, problems)  # fmt: skip
    warnings = [*clean.warnings, *penalty_warnings,
                *_unsupplied_warnings(positions, make, buy, demand)]  # fmt: skip
    network = SupplyNetwork(
        clean.horizon, positions, make, buy, demand,
        resources[["resource", "site", "overtime_hours_per_month", "overtime_cost_per_hour"]],
        suppliers[["supplier", "capacity_units_per_month"]], _capacity_grid(clean, resources),
        receipt_grid, firm_make, firm_buy, tuple(warnings), _extra_loads(clean, make, resources),
    )  # fmt: skip
    _check_firm_capacity(network, problems)
    if problems:
        raise SupplyInputError(problems)
    _add_run_out_caps(network)
    return network


def supply_network(inputs: SupplyInputs, config: SupplyConfig) -> SupplyNetwork:
    """Validate ``inputs`` and index them: what `plan_supply`, `plan_supply_aggregated` and
    `rccp.rough_cut_capacity` start from. Build it once and pass it to each (as ``network``)
    when a caller needs several of them on the same inputs: validating and indexing a
    10,000-SKU company takes seconds."""
    return build_network(clean_inputs(inputs), config)


def _add_run_out_caps(network: SupplyNetwork) -> None:
    """positions.run_out_cap_units (see `lifecycle`), from demand, receipts and firm orders."""
    positions, demand = network.positions, network.demand
    firm = np.zeros(len(positions))
    np.add.at(firm, network.make_lanes["position"].to_numpy(), np.nansum(network.firm_make, axis=1))
    np.add.at(firm, network.buy_lanes["position"].to_numpy(), np.nansum(network.firm_buy, axis=1))
    demand_units = np.zeros((len(positions), network.months))
    np.add.at(demand_units, (demand["position"].to_numpy(), demand["month"].to_numpy()),
              demand["demand_units"].to_numpy(dtype=float))  # fmt: skip
    positions["run_out_cap_units"] = run_out_caps(
        positions, demand_units, network.receipt_units, firm, network.months
    )
