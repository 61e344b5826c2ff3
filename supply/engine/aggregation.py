"""Plan very large instances at family level, then disaggregate to SKUs (`plan_supply_aggregated`).

Why: the full SKU model of 10,000 SKUs x 18 months x 20 resources has ~1.2 M columns and its
two LP solves (relaxation, then re-solve with rounded orders) take 60 s or more on 2 shared
cores (and hit the 120 s time limit when the machine is busy).
Resource and supplier capacity -- the only constraints coupling SKUs -- are decided just as
well on aggregates, so the coupled problem is solved small and the SKU detail split off it.

1. Aggregate: positions of the same family and site whose supply lanes have the same
   signature (same resources and lead times, same suppliers, modes and lead times) form one
   aggregate item. Its demand (per channel and month), opening stock, receipts, safety stock
   and firm orders are sums; costs, prices, penalties and hours per unit are means weighted by
   the members' total demand (+1 unit, so items without demand still count). MOQ and order
   multiples are dropped at this level.
2. Solve the aggregate LP (`plan_supply` machinery, integer_method "relaxed").
3. Disaggregate (`disaggregation`): split each aggregate release to the members by their share
   of the group's arrivals (matched against their net requirements in time order), scale the
   planned part down where a resource or supplier month would overflow, round purchases to
   MOQ / multiples and supplier capacity (`rounding`, steps 2-3), lot-size the production of
   make lanes with a minimum run by the exact path's rule (`make_moq.run_quantities` via
   `disaggregation.sized_runs`: each run 0 or at least the minimum, fitting its line), then,
   with every release
   fixed and the SKUs independent, serve each month's demand from stock highest channel
   priority first; finally apply the gap options that pay while their capacity is free, and
   serve again. No second LP: the full model's LP with everything fixed took longer than
   the aggregate solve (42 s of 71 s at 10,000 SKUs).

Shortages the split causes (an "economic" shortage one of its own gap options would close at a
profit) get the reason "disaggregation", so they are never passed off as economic choices.
The result is a feasible plan of the full model (its costs are computed with the full model's
coefficients), so its cost is an upper bound; the benchmark
measures its gap against the full model on a smaller instance.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd

from supply.engine.disaggregation import (
    fit_resources,
    fit_suppliers,
    repair_releases,
    requirement_shares,
    sized_runs,
    solution_vector,
    split_releases,
)
from supply.engine.inputs import SupplyConfig, SupplyInputs
from supply.engine.model_builder import build_program, demand_grid
from supply.engine.network import SupplyNetwork, supply_network
from supply.engine.plan import plan_supply, report_plan
from supply.engine.program import FloatArray, IntArray, LinearProgram
from supply.engine.results import SupplyPlan
from supply.engine.rounding import rounded_lanes, rounded_purchases
from supply.engine.solve import SolverResult, solve_program
from supply.engine.usage import decode

GROUP = "group"


def position_groups(network: SupplyNetwork) -> IntArray:
    """Aggregate index per position: same family, site and lane signature."""
    make = network.make_lanes
    buy = network.buy_lanes
    make_sig = "M:" + make["resource"] + "/" + make["lead_time_months"].astype(int).astype(str)
    buy_sig = ("B:" + buy["supplier"] + "/" + buy["mode"] + "/"
               + buy["lead_time_months"].astype(int).astype(str))  # fmt: skip
    extra = _extra_frame(network)
    lanes = pd.concat([pd.DataFrame({"position": extra["position"], "sig": "X:" + extra["resource"]}),
                       pd.DataFrame({"position": make["position"], "sig": make_sig}),
                       pd.DataFrame({"position": buy["position"], "sig": buy_sig})])  # fmt: skip
    # Each position's sorted lane signatures, concatenated (a vectorised string sum per group).
    lanes = lanes.sort_values(["position", "sig"])
    signature = (lanes["sig"] + "|").groupby(lanes["position"].to_numpy()).sum()
    positions = network.positions
    key = (positions["family"].astype(str) + "#" + positions["site"].astype(str) + "#"
           + signature.reindex(positions.index).fillna("none"))  # fmt: skip
    return np.asarray(pd.factorize(key)[0], dtype=np.int64)


def _extra_frame(network: SupplyNetwork) -> pd.DataFrame:
    """Secondary loads with their lane's position and site and the resource's code."""
    extra = network.extra_loads
    lanes = network.make_lanes.iloc[extra["lane"].to_numpy()]
    return pd.DataFrame({
        "position": lanes["position"].to_numpy(), "site": lanes["site"].to_numpy(),
        "resource": network.resources["resource"].to_numpy()[extra["resource_index"].to_numpy()],
        "hours_per_unit": extra["hours_per_unit"].to_numpy(dtype=float),
    })  # fmt: skip


def _weighted(frame: pd.DataFrame, columns: list[str], keys: list[str]) -> pd.DataFrame:
    weighted = frame[columns].mul(frame["weight"], axis=0)
    sums = weighted.assign(**{key: frame[key] for key in keys}, weight=frame["weight"])
    totals = sums.groupby(keys, as_index=False, sort=True).sum()
    totals[columns] = totals[columns].div(totals["weight"], axis=0)
    return totals.drop(columns="weight")


def _group_frames(network: SupplyNetwork, group: IntArray) -> dict[str, pd.DataFrame]:
    positions = network.positions.assign(group=group)
    positions["weight"] = demand_grid(network).sum(axis=1) + 1.0
    positions[GROUP] = "G" + positions["group"].astype(str)
    products = _weighted(positions, ["unit_cost", "unit_price", "holding_cost_per_unit_month",
                                     "safety_penalty_per_unit_month"], [GROUP, "site"])  # fmt: skip
    products = products.merge(positions[[GROUP, "family"]].drop_duplicates(GROUP), on=GROUP)
    stock = positions.groupby([GROUP, "site"], as_index=False)[
        ["on_hand_units", "safety_stock_units"]].sum()  # fmt: skip
    lane_info = positions[["weight", GROUP]]
    make = network.make_lanes.join(lane_info, on="position")
    make = _weighted(make, ["hours_per_unit", "cost_per_unit"],
                     [GROUP, "site", "resource", "lead_time_months"])  # fmt: skip
    buy = network.buy_lanes.join(lane_info, on="position")
    buy = _weighted(buy, ["purchase_cost_per_unit", "transport_cost_per_unit"],
                    [GROUP, "site", "supplier", "mode", "lead_time_months"])  # fmt: skip
    extra = _extra_frame(network).join(lane_info, on="position")
    extra = _weighted(extra, ["hours_per_unit"], [GROUP, "site", "resource"])
    return {"positions": positions, "products": products, "stock": stock, "make": make,
            "buy": buy, "extra": extra}  # fmt: skip


def _firm_orders(network: SupplyNetwork, positions: pd.DataFrame) -> pd.DataFrame:
    frames = []
    for lanes, firm, kind, source in ((network.make_lanes, network.firm_make, "make", "resource"),
                                      (network.buy_lanes, network.firm_buy, "buy", "supplier")):  # fmt: skip
        lane, month = np.nonzero(~np.isnan(firm))
        rows = lanes.iloc[lane]
        frames.append(pd.DataFrame({
            "product": positions[GROUP].to_numpy()[rows["position"].to_numpy()],
            "site": rows["site"].to_numpy(), "source_type": kind, "source": rows[source].to_numpy(),
            "mode": rows["mode"].to_numpy() if kind == "buy" else "",
            "period": network.horizon[month], "quantity_units": firm[lane, month],
        }))  # fmt: skip
    firm_orders = pd.concat(frames, ignore_index=True)
    keys = ["product", "site", "source_type", "source", "mode", "period"]
    return firm_orders.groupby(keys, as_index=False)["quantity_units"].sum()


def _group_receipts(network: SupplyNetwork, names: np.ndarray, stock: pd.DataFrame) -> pd.DataFrame:
    """Scheduled receipts summed per group (named like a product) and month, at its site."""
    receipts = pd.DataFrame(network.receipt_units).groupby(names).sum()
    receipts = receipts.stack().rename("receipt_units").reset_index()
    receipts.columns = ["product", "month", "receipt_units"]
    receipts = receipts.loc[receipts["receipt_units"] > 0]
    receipts = receipts.merge(stock[[GROUP, "site"]], left_on="product", right_on=GROUP)
    receipts["period"] = network.horizon[receipts["month"].to_numpy()]
    return receipts


def aggregate_inputs(inputs: SupplyInputs, network: SupplyNetwork, group: IntArray
                     ) -> SupplyInputs:  # fmt: skip
    """The aggregate planning problem as ordinary `SupplyInputs` (see the module docstring)."""
    parts = _group_frames(network, group)
    positions, stock = parts["positions"], parts["stock"]
    names = positions[GROUP].to_numpy()
    demand = network.demand.assign(product=names[network.demand["position"].to_numpy()])
    demand["period"] = network.horizon[demand["month"].to_numpy()]
    demand = demand.groupby(["product", "site", "channel", "period"], as_index=False)[
        "demand_units"].sum()  # fmt: skip
    receipts = _group_receipts(network, names, stock)
    products = parts["products"].rename(columns={GROUP: "product",
                                                 "safety_penalty_per_unit_month": "penalty"})  # fmt: skip
    buy = parts["buy"].rename(columns={GROUP: "product"})
    return SupplyInputs(
        horizon=network.horizon,
        products=products.drop(columns=["site", "penalty"]),
        channels=inputs.channels, resources=inputs.resources, suppliers=inputs.suppliers,
        resource_calendar=inputs.resource_calendar,
        demand=demand,
        make_terms=parts["make"].rename(columns={GROUP: "product",
                                                 "cost_per_unit": "production_cost_per_unit"}),
        secondary_loads=parts["extra"].rename(columns={GROUP: "product"}),
        buy_terms=buy[["product", "site", "supplier", "purchase_cost_per_unit"]].drop_duplicates(
            ["product", "site", "supplier"]),
        transport_modes=buy[["product", "site", "supplier", "mode", "lead_time_months",
                             "transport_cost_per_unit"]],
        opening_inventory=stock.rename(columns={GROUP: "product"})[
            ["product", "site", "on_hand_units"]],
        scheduled_receipts=receipts[["product", "site", "period", "receipt_units"]],
        firm_orders=_firm_orders(network, positions),
        safety_stock=products[["product", "site"]].merge(
            stock.rename(columns={GROUP: "product"}), on=["product", "site"]
        ).merge(products[["product", "penalty"]], on="product").rename(
            columns={"penalty": "penalty_per_unit_month"})[
            ["product", "site", "safety_stock_units", "penalty_per_unit_month"]],
    )  # fmt: skip


def plan_supply_sized(inputs: SupplyInputs, config: SupplyConfig | None = None, *,
                      network: SupplyNetwork | None = None) -> SupplyPlan:  # fmt: skip
    """`plan_supply_aggregated` above ``config.aggregate_above_positions`` product-sites with
    demand (the full model would take minutes), `plan_supply` up to it; same arguments and
    output."""
    config = config or SupplyConfig()
    network = network or supply_network(inputs, config)
    if network.demand["position"].nunique() > config.aggregate_above_positions:
        return plan_supply_aggregated(inputs, config, network=network)
    return plan_supply(inputs, config, network=network)


def plan_supply_aggregated(inputs: SupplyInputs, config: SupplyConfig | None = None, *,
                           network: SupplyNetwork | None = None) -> SupplyPlan:  # fmt: skip
    """Family-level plan disaggregated to SKUs (module docstring); same output as `plan_supply`.
    ``network``: `supply_network(inputs, config)` when the caller already built it."""
    config = config or SupplyConfig()
    started = time.perf_counter()
    network = network or supply_network(inputs, config)
    group = position_groups(network)
    agg_network = supply_network(aggregate_inputs(inputs, network, group), config)
    agg_program = build_program(agg_network, "lp")
    agg = solve_program(agg_program, config.time_limit_seconds, config.mip_relative_gap)
    grids = decode(agg_network, agg_program, agg.x)
    names = ("G" + pd.Series(group).astype(str)).to_numpy()
    order = pd.Index(agg_network.positions["product"]).get_indexer(pd.unique(names))
    shares = requirement_shares(network, group, grids.arrivals[order])
    production = split_releases(network.make_lanes, agg_network.make_lanes,
                        ["product", "site", "resource"], names, grids.production, shares)  # fmt: skip
    purchases = split_releases(network.buy_lanes, agg_network.buy_lanes,
                       ["product", "site", "supplier", "mode"], names, grids.purchases, shares)  # fmt: skip
    rounded = rounded_lanes(network)
    purchases = rounded_purchases(network, purchases, config.quantity_tolerance_units, True)
    purchases = fit_suppliers(network, purchases, rounded)
    production = fit_resources(network, production)
    program = build_program(network, "lp")
    production = sized_runs(network, program, production, purchases,
                            config.quantity_tolerance_units)  # fmt: skip
    plan = _report(network, program, production, purchases, started, config)
    if plan.shortages.empty:
        return plan
    production, purchases = repair_releases(network, production, purchases, plan.gap_options)
    return _label_split_losses(_report(network, program, production, purchases, started, config))


def _report(network: SupplyNetwork, program: LinearProgram, production: FloatArray,
            purchases: FloatArray, started: float, config: SupplyConfig) -> SupplyPlan:  # fmt: skip
    x = solution_vector(network, program, production, purchases)
    objective = float(program.cost @ x)
    seconds = time.perf_counter() - started
    result = SolverResult(x, "heuristic", objective, 0.0, objective, seconds, "disaggregated")
    return report_plan(network, program, result, ("aggregated", "heuristic", seconds), config)


def _label_split_losses(plan: SupplyPlan) -> SupplyPlan:
    """An "economic" shortage that one of its own gap options would close at a profit is a loss
    of the disaggregation, not an economic choice: its reason becomes "disaggregation"."""
    keys = ["product", "site", "period"]
    paying = plan.gap_options.loc[plan.gap_options["net_saving"].astype(float) > 0.01, keys]
    if paying.empty or plan.shortages.empty:
        return plan
    shortages = plan.shortages.merge(paying.drop_duplicates().assign(paying=True), on=keys,
                                     how="left")  # fmt: skip
    split_loss = (shortages["reason"] == "economic") & shortages["paying"].eq(True)
    shortages.loc[split_loss, "reason"] = "disaggregation"
    return replace(plan, shortages=shortages.drop(columns="paying"))
