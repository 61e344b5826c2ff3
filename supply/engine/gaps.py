"""Gap-closing options: for each shortage, what could close it and at what cost.

A gap is a product-site-month with lost sales (all channels together). Every supply lane of
the position is costed against the capacity the plan left unused; each gap is costed on its
own, so options of different gaps may compete for the same spare hours or units. Options:

overtime             make lane, released in t - L, on the resource's unused overtime hours;
                     cost/unit = production cost + hours_per_unit x overtime cost per hour.
spare_capacity       make lane, released in t - L, on unused regular hours; cost/unit =
                     production cost (the plan left it idle: the gap was cheaper to lose).
                     Every make option also costs the overtime of the lane's secondary loads
                     (packing...) on resources with no regular hours left that month.
pre_build            make lane, released in the latest earlier month with unused regular hours
                     and held until t; cost/unit = production cost + holding x months early.
expedite             buy lane on a faster mode than the term's slowest one, ordered in t - L;
alternative_supplier buy lane of a supplier other than the position's main one (the one with
                     most ordered units in the plan, else the cheapest landed cost);
order_more           the main supplier's slowest mode, ordered in t - L.
For buy lanes, units are capped by the supplier's unused capacity in the order month, the
order is rounded up to MOQ / multiples (option_cost covers the whole order) and options whose
rounded order no longer fits the supplier are dropped; cost/unit = purchase + transport cost.
For make lanes with a minimum production run, a run the plan leaves below the minimum is raised
to it where the spare capacity allows (option_cost covers the whole run), else dropped.

Columns: product, site, period, shortage_units, option, source (resource or supplier), mode,
release_period, closable_units, order_units, cost_per_unit, option_cost,
shortage_cost_avoided (closable units x the gap's mean shortage cost per unit), net_saving.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supply.engine.model_builder import round_up_order
from supply.engine.network import SupplyNetwork
from supply.engine.program import FloatArray, IntArray
from supply.engine.rounding import round_down_order
from supply.engine.usage import PlanGrids

SPARE_EPSILON = 1e-6
GAP_COLUMNS = ["product", "site", "period", "shortage_units", "option", "source", "mode",
               "release_period", "closable_units", "order_units", "cost_per_unit", "option_cost",
               "shortage_cost_avoided", "net_saving"]  # fmt: skip


def _gaps(shortages: pd.DataFrame) -> pd.DataFrame:
    gaps = shortages.groupby(["position", "product", "site", "month"], as_index=False)[
        ["shortage_units", "shortage_cost"]
    ].sum()
    return gaps.assign(avoided_per_unit=gaps["shortage_cost"] / gaps["shortage_units"])


def _last_month_with_spare_before(spare: FloatArray) -> FloatArray:
    """[r, m] = the latest month m' < m with spare hours on resource r, or -1."""
    months = np.arange(spare.shape[1])
    marked = np.where(spare > SPARE_EPSILON, months, -1)
    latest_up_to = np.maximum.accumulate(marked, axis=1)
    return np.column_stack([np.full(spare.shape[0], -1), latest_up_to[:, :-1]])


def _secondary_room(network: SupplyNetwork, spare_hours: FloatArray) -> FloatArray:
    """Units per make lane x month that the lane's secondary resources still allow (inf)."""
    room = np.full((len(network.make_lanes), network.months), np.inf)
    extra = network.extra_loads
    units = (
        spare_hours[extra["resource_index"].to_numpy()]
        / extra["hours_per_unit"].to_numpy(dtype=float)[:, None]
    )
    np.minimum.at(room, extra["lane"].to_numpy(), units)
    return room


def _secondary_overtime_cost(network: SupplyNetwork, regular: FloatArray) -> FloatArray:
    """Overtime cost per unit (make lane x month) of the lane's secondary loads on resources
    with no regular hours left: a unit made there is also packed (...) on overtime."""
    cost = np.zeros((len(network.make_lanes), network.months))
    extra = network.extra_loads
    resource = extra["resource_index"].to_numpy()
    rate = network.resources["overtime_cost_per_hour"].to_numpy(dtype=float)[resource]
    full = regular[resource] <= SPARE_EPSILON
    per_unit = extra["hours_per_unit"].to_numpy(dtype=float) * rate
    np.add.at(cost, extra["lane"].to_numpy(), np.where(full, per_unit[:, None], 0.0))
    return cost


def _make_options(network: SupplyNetwork, grids: PlanGrids, gaps: pd.DataFrame) -> pd.DataFrame:
    lanes = network.make_lanes.reset_index(names="lane").drop(columns=["product", "site"])
    pairs = gaps.merge(lanes, on="position")
    pairs["release"] = pairs["month"] - pairs["lead_time_months"].astype(np.int64)
    pairs = pairs.loc[pairs["release"] >= 0].reset_index(drop=True)
    regular, overtime = grids.resource_spare_hours(network)
    resource, release = pairs["resource_index"].to_numpy(), pairs["release"].to_numpy()
    hours = pairs["hours_per_unit"].to_numpy(dtype=float)
    safe_hours = np.where(hours > 0, hours, 1.0)

    room = _secondary_room(network, regular + overtime)
    lane = pairs["lane"].to_numpy()

    def units(spare_hours: FloatArray, unloaded: float, month: IntArray = release) -> FloatArray:
        # A lane that loads no hours is not limited by its resource; secondary loads limit it.
        own = np.where(hours > 0, spare_hours / safe_hours, unloaded)
        return np.minimum(own, room[lane, np.maximum(month, 0)])

    rate = network.resources["overtime_cost_per_hour"].to_numpy(dtype=float)[resource]
    secondary = _secondary_overtime_cost(network, regular)
    own = pairs["cost_per_unit"] + secondary[lane, release]
    holding = network.positions["holding_cost_per_unit_month"].to_numpy(dtype=float)
    early = _last_month_with_spare_before(regular)[resource, release]
    early_spare = np.where(early >= 0, regular[resource, np.maximum(early, 0)], 0.0)
    held = holding[pairs["position"].to_numpy()] * (release - early)
    options = [
        pairs.assign(option="overtime", units=units(overtime[resource, release], 0.0),
                     cost_per_unit=own + hours * rate, release_month=release),
        pairs.assign(option="spare_capacity", units=units(regular[resource, release], np.inf),
                     cost_per_unit=own, release_month=release),
        pairs.assign(option="pre_build",
                     units=np.where(early >= 0, units(early_spare, 0.0, early), 0.0),
                     cost_per_unit=pairs["cost_per_unit"] + secondary[lane, np.maximum(early, 0)]
                     + held, release_month=early),
    ]  # fmt: skip
    made = pd.concat(options, ignore_index=True)
    made = made.loc[made["units"] > SPARE_EPSILON].rename(columns={"resource": "source"})
    made["closable_units"] = np.minimum(made["units"], made["shortage_units"])
    return _with_make_minimum(made, grids).assign(mode="")


def _with_make_minimum(made: pd.DataFrame, grids: PlanGrids) -> pd.DataFrame:
    """A production run below the lane's minimum is not an option: the order is raised to the
    minimum where the spare capacity allows it, else the option is dropped."""
    lane = made["lane"].to_numpy()
    month = made["release_month"].to_numpy(dtype=np.int64)
    planned = grids.production[lane, month]
    moq = made["min_order_qty_units"].to_numpy(dtype=float)
    closable = made["closable_units"].to_numpy(dtype=float)
    below = (moq > 0) & (planned + closable < moq - SPARE_EPSILON)
    order = np.where(below, moq - planned, closable)
    fits = order <= made["units"].to_numpy(dtype=float) + SPARE_EPSILON
    return made.assign(order_units=order).loc[fits]


def _main_supplier(network: SupplyNetwork, grids: PlanGrids) -> pd.Series:
    buy = network.buy_lanes
    lanes = buy.assign(ordered=grids.purchases.sum(axis=1),
                       landed=buy["purchase_cost_per_unit"] + buy["transport_cost_per_unit"])  # fmt: skip
    ranked = lanes.sort_values(["position", "ordered", "landed"], ascending=[True, False, True])
    return ranked.drop_duplicates("position").set_index("position")["supplier"]


def _buy_options(network: SupplyNetwork, grids: PlanGrids, gaps: pd.DataFrame) -> pd.DataFrame:
    buy = network.buy_lanes
    slowest = buy.groupby(["position", "supplier"])["lead_time_months"].transform("max")
    lanes = buy.assign(slowest=slowest).drop(columns=["product", "site"])
    pairs = gaps.merge(lanes, on="position")
    pairs["release_month"] = pairs["month"] - pairs["lead_time_months"].astype(np.int64)
    pairs = pairs.loc[pairs["release_month"] >= 0].reset_index(drop=True)
    spare = grids.supplier_spare_units(network)[pairs["supplier_index"], pairs["release_month"]]
    moq = pairs["min_order_qty_units"].to_numpy(dtype=float)
    multiple = pairs["order_multiple_units"].to_numpy(dtype=float)
    closable = np.minimum(pairs["shortage_units"].to_numpy(dtype=float), spare)
    order = round_up_order(closable, moq, multiple)
    order = np.where(order > spare + SPARE_EPSILON, round_down_order(spare, moq, multiple), order)
    main = pairs["position"].map(_main_supplier(network, grids))
    option = np.where(pairs["supplier"] != main, "alternative_supplier",
                      np.where(pairs["lead_time_months"] < pairs["slowest"], "expedite", "order_more"))  # fmt: skip
    bought = pairs.assign(
        option=option, source=pairs["supplier"], order_units=order,
        closable_units=np.minimum(closable, order),
        cost_per_unit=pairs["purchase_cost_per_unit"] + pairs["transport_cost_per_unit"],
    )  # fmt: skip
    return bought.loc[bought["order_units"] > SPARE_EPSILON]


def gap_closing_options(
    network: SupplyNetwork, grids: PlanGrids, shortages: pd.DataFrame
) -> pd.DataFrame:
    """Options per gap (shortages need ``position`` and ``month``); see the module docstring."""
    if shortages.empty:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in GAP_COLUMNS})
    gaps = _gaps(shortages)
    options = pd.concat([_make_options(network, grids, gaps), _buy_options(network, grids, gaps)],
                        ignore_index=True)  # fmt: skip
    if options.empty:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in GAP_COLUMNS})
    horizon = network.horizon
    options = options.assign(
        period=horizon[options["month"].to_numpy()],
        release_period=horizon[options["release_month"].to_numpy(dtype=np.int64)],
        option_cost=options["order_units"] * options["cost_per_unit"],
        shortage_cost_avoided=options["closable_units"] * options["avoided_per_unit"],
    )
    options["net_saving"] = options["shortage_cost_avoided"] - options["option_cost"]
    ordered = options.sort_values(["product", "site", "period", "cost_per_unit", "option"])
    return ordered[GAP_COLUMNS].reset_index(drop=True)
