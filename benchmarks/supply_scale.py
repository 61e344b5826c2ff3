"""Scale benchmark of the supply engine: 10,000 SKUs x 18 months x 20 resources by default.

Seeded synthetic network: 2 sites with 10 resources each (with overtime), 3 channels, 15
suppliers (a third capacitated); 60 % of SKUs made (a fifth with an alternative resource),
40 % bought (a quarter with a second supplier), every buy term shipped by ocean (2-3 months,
cheap) or air (same month, dear), half with an MOQ of 1-3 months of demand, most with an
order multiple; seasonal demand over 3 channels loading the resources to about 95 % on
average with peaks above capacity; opening stock, safety-stock targets, scheduled receipts
and first-month firm orders.

Prints, for the full instance: model size (rows, columns, non-zeros), solve / total times of
the full SKU model (LP + rounding heuristic) and of the family aggregation
(`plan_supply_aggregated`) against the 60 s target, and the cost breakdowns. Then the
aggregation's cost gap against the full model and the relaxed LP (a lower bound) on a mid-size
instance (--gap-skus), and on a small instance (--small-skus) the heuristic's and the relaxed
LP's cost gap against the exact MIP.

    .venv/bin/python benchmarks/supply_scale.py [--skus 10000] [--months 18] [--resources 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

# Run as a plain script from anywhere: the engine lives in the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from supply.engine import (
    SupplyConfig,
    SupplyInputs,
    SupplyPlan,
    SupplySolveError,
    plan_supply,
    plan_supply_aggregated,
)
from supply.engine.inputs import IntegerMethod

TARGET_SECONDS = 60.0
SITES = ("S1", "S2")
CHANNELS = pd.DataFrame(
    {"channel": ["key_accounts", "retail", "web"], "service_priority": [1, 2, 3]}
)


def _products(rng: np.random.Generator, skus: int) -> pd.DataFrame:
    cost = np.round(rng.lognormal(2.5, 0.8, skus), 2)
    return pd.DataFrame({
        "product": [f"SKU{i:05d}" for i in range(skus)],
        "family": [f"FAM{i % 40:02d}" for i in range(skus)],
        "unit_cost": cost,
        "unit_price": np.round(cost * rng.uniform(1.3, 2.2, skus), 2),
        "site": np.array(SITES)[rng.integers(0, len(SITES), skus)],
        "mean_units": np.round(rng.lognormal(3.5, 1.0, skus)),
        "made": rng.random(skus) < 0.6,
    })  # fmt: skip


def _demand(
    rng: np.random.Generator, products: pd.DataFrame, horizon: pd.PeriodIndex
) -> pd.DataFrame:
    months, skus = len(horizon), len(products)
    season = 1.0 + 0.25 * np.sin(
        2 * np.pi * (np.arange(months) + rng.integers(0, 12, skus)[:, None]) / 12
    )
    total = (
        products["mean_units"].to_numpy()[:, None] * season * rng.lognormal(0, 0.15, (skus, months))
    )
    shares = rng.dirichlet([2.0, 3.0, 1.5], skus)
    grid = np.round(total[:, :, None] * shares[:, None, :])
    index = pd.MultiIndex.from_product(
        [range(skus), range(months), range(3)], names=["i", "t", "c"]
    )
    frame = index.to_frame(index=False).assign(demand_units=grid.ravel())
    return pd.DataFrame({
        "product": products["product"].to_numpy()[frame["i"]],
        "site": products["site"].to_numpy()[frame["i"]],
        "channel": CHANNELS["channel"].to_numpy()[frame["c"]],
        "period": horizon[frame["t"].to_numpy()],
        "demand_units": frame["demand_units"],
    })  # fmt: skip


def _make_side(rng: np.random.Generator, products: pd.DataFrame, n_resources: int,
               months: int) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    per_site = n_resources // len(SITES)
    made = products.loc[products["made"]].reset_index(drop=True)
    site_no = made["site"].map({site: k for k, site in enumerate(SITES)}).to_numpy()
    primary = site_no * per_site + rng.integers(0, per_site, len(made))
    hours = np.round(rng.uniform(0.02, 0.3, len(made)), 4)
    terms = made[["product", "site"]].assign(resource=[f"R{r:02d}" for r in primary],
                                             hours_per_unit=hours, lead_time_months=0)  # fmt: skip
    alternative = rng.random(len(made)) < 0.2
    second = site_no * per_site + (primary - site_no * per_site + 1) % per_site
    alt_terms = terms.loc[alternative].assign(
        resource=[f"R{r:02d}" for r in second[alternative]],
        hours_per_unit=hours[alternative] * 1.3, production_cost_per_unit=made["unit_cost"][alternative] * 1.1,
    )  # fmt: skip
    load = np.bincount(
        primary, weights=hours * made["mean_units"].to_numpy(), minlength=n_resources
    )
    resources = pd.DataFrame({
        "resource": [f"R{r:02d}" for r in range(n_resources)],
        "site": [SITES[r // per_site] for r in range(n_resources)],
        "capacity_hours_per_month": np.round(load / 0.95 * rng.uniform(0.9, 1.1, n_resources)),
        "overtime_hours_per_month": np.round(load * 0.1),
        "overtime_cost_per_hour": np.round(rng.uniform(30, 80, n_resources)),
    })  # fmt: skip
    return pd.concat([terms, alt_terms], ignore_index=True), resources


def _buy_side(rng: np.random.Generator, products: pd.DataFrame
              ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:  # fmt: skip
    bought = products.loc[~products["made"]].reset_index(drop=True)
    n = len(bought)
    n_suppliers = int(np.clip(n // 8, 3, 15))
    supplier = rng.integers(0, n_suppliers, n)
    mean = bought["mean_units"].to_numpy()
    terms = bought[["product", "site"]].assign(
        supplier=[f"V{s:02d}" for s in supplier],
        min_order_qty_units=np.where(rng.random(n) < 0.5, np.round(mean * rng.uniform(1, 3, n)), 0.0),
        order_multiple_units=rng.choice([0.0, 10.0, 25.0, 50.0], n, p=[0.3, 0.3, 0.2, 0.2]),
    )  # fmt: skip
    second = rng.random(n) < 0.25
    alt = terms.loc[second].assign(supplier=[f"V{s:02d}" for s in (supplier[second] + 1) % n_suppliers],
                                   purchase_cost_per_unit=bought["unit_cost"][second] * 1.08)  # fmt: skip
    terms = pd.concat([terms, alt], ignore_index=True)
    ocean = terms[["product", "site", "supplier"]].assign(
        mode="ocean", lead_time_months=rng.integers(2, 4, len(terms)), transport_cost_per_unit=0.4
    )
    air = terms[["product", "site", "supplier"]].assign(mode="air", lead_time_months=0,
                                                        transport_cost_per_unit=2.5)  # fmt: skip
    volume = (
        pd.Series(mean, index=bought["product"])[terms["product"]]
        .groupby(terms["supplier"].to_numpy())
        .sum()
    )
    suppliers = pd.DataFrame({"supplier": [f"V{s:02d}" for s in range(n_suppliers)]})
    capped = volume.reindex(suppliers["supplier"]).fillna(0).to_numpy() * 1.2
    suppliers["capacity_units_per_month"] = np.where(
        np.arange(n_suppliers) % 3 == 0, np.round(capped), np.nan
    )
    return terms, pd.concat([ocean, air], ignore_index=True), suppliers


def synthetic_inputs(skus: int, months: int, n_resources: int, seed: int) -> SupplyInputs:
    rng = np.random.default_rng(seed)
    horizon = pd.period_range("2027-01", periods=months, freq="M")
    products = _products(rng, skus)
    make_terms, resources = _make_side(rng, products, n_resources, months)
    buy_terms, modes, suppliers = _buy_side(rng, products)
    keys = products[["product", "site"]]
    mean = products["mean_units"].to_numpy()
    receipts = keys.assign(
        period=horizon[0], receipt_units=np.round(mean * rng.uniform(0, 1, skus))
    )
    made = products.loc[products["made"]]
    first_terms = make_terms.drop_duplicates(["product", "site"]).set_index("product")
    firm = made[["product", "site"]].assign(
        source_type="make", source=first_terms.loc[made["product"], "resource"].to_numpy(),
        period=horizon[0], quantity_units=np.round(made["mean_units"].to_numpy() * 0.5),
    ).iloc[: len(made) // 4]  # fmt: skip
    return SupplyInputs(
        horizon=horizon,
        products=products[["product", "family", "unit_cost", "unit_price"]],
        channels=CHANNELS, resources=resources, demand=_demand(rng, products, horizon),
        make_terms=make_terms, buy_terms=buy_terms, transport_modes=modes, suppliers=suppliers,
        opening_inventory=keys.assign(on_hand_units=np.round(mean * rng.uniform(0.5, 2.0, skus))),
        scheduled_receipts=receipts, firm_orders=firm,
        safety_stock=keys.assign(safety_stock_units=np.round(mean * rng.uniform(0.3, 1.0, skus))),
    )  # fmt: skip


def _report(label: str, plan: SupplyPlan, seconds: float) -> None:
    size, summary = plan.summary.model_size, plan.summary
    print(f"{label}: {summary.method} status={summary.status} rows={size.rows:,} "
          f"cols={size.columns:,} nonzeros={size.nonzeros:,} integer_cols={size.integer_columns:,}")  # fmt: skip
    print(f"  solve {summary.solve_seconds:7.2f} s   total (validate+build+solve+report) "
          f"{seconds:7.2f} s   objective {summary.objective_cost:,.0f}")  # fmt: skip


def _timed_plan(
    inputs: SupplyInputs, config: SupplyConfig, planner: Callable[..., SupplyPlan] = plan_supply
) -> tuple[SupplyPlan, float]:
    start = time.perf_counter()
    plan = planner(inputs, config)
    return plan, time.perf_counter() - start


def _gap(label: str, plan: SupplyPlan, reference: SupplyPlan) -> None:
    cost, base = plan.summary.objective_cost, reference.summary.objective_cost
    print(f"  cost gap {label}: {cost / base - 1:+.2%} ({cost:,.0f} vs {base:,.0f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--resources", type=int, default=20)
    parser.add_argument("--small-skus", type=int, default=60)
    parser.add_argument("--gap-skus", type=int, default=1000)
    parser.add_argument(
        "--skip-full", action="store_true", help="only the aggregation at full size"
    )
    parser.add_argument("--seed", type=int, default=20270101)
    args = parser.parse_args()

    start = time.perf_counter()
    inputs = synthetic_inputs(args.skus, args.months, args.resources, args.seed)
    print(
        f"synthetic data: {time.perf_counter() - start:.2f} s, {len(inputs.demand):,} demand rows"
    )
    label = f"{args.skus} SKUs x {args.months} months x {args.resources} resources"
    plans = {}
    for name, planner in (("full", plan_supply), ("aggregated", plan_supply_aggregated)):
        if name == "full" and args.skip_full:
            continue
        try:
            plan, seconds = _timed_plan(inputs, SupplyConfig(integer_method="heuristic"), planner)
        except SupplySolveError as error:
            print(f"{name} {label}: no plan ({error})")
            continue
        plans[name] = plan
        _report(f"{name} {label}", plan, seconds)
        verdict = "OK" if seconds < TARGET_SECONDS else "OVER TARGET"
        print(f"  target < {TARGET_SECONDS:.0f} s: {verdict}")
        print(plan.costs.to_string(index=False, float_format=lambda v: f"{v:,.0f}"))
        print(f"  shortages: {len(plan.shortages):,} rows, reasons "
              f"{plan.shortages['reason'].value_counts().to_dict()}")  # fmt: skip
    if "full" in plans and "aggregated" in plans:
        _gap("aggregated vs full (same instance)", plans["aggregated"], plans["full"])

    mid = synthetic_inputs(args.gap_skus, args.months, args.resources, args.seed)
    mid_label = f"{args.gap_skus} SKUs x {args.months} months x {args.resources} resources"
    mid_plans = {}
    runs: tuple[tuple[str, Callable[..., SupplyPlan], IntegerMethod], ...] = (("full", plan_supply, "heuristic"),
                                  ("aggregated", plan_supply_aggregated, "heuristic"),
                                  ("relaxed LP", plan_supply, "relaxed"))  # fmt: skip
    for name, planner, method in runs:
        mid_plans[name], seconds = _timed_plan(mid, SupplyConfig(integer_method=method), planner)
        _report(f"{name} {mid_label}", mid_plans[name], seconds)
    _gap("aggregated vs full", mid_plans["aggregated"], mid_plans["full"])
    _gap("aggregated vs relaxed LP (lower bound)", mid_plans["aggregated"], mid_plans["relaxed LP"])
    _gap("full vs relaxed LP (lower bound)", mid_plans["full"], mid_plans["relaxed LP"])

    small = synthetic_inputs(args.small_skus, 12, 4, args.seed)
    results = {m: _timed_plan(small, SupplyConfig(integer_method=m, time_limit_seconds=60))
               for m in ("mip", "heuristic", "relaxed")}  # fmt: skip
    for small_plan, small_seconds in results.values():
        _report(
            f"small {args.small_skus} SKUs x 12 months x 4 resources", small_plan, small_seconds
        )
    mip = results["mip"][0].summary
    print(f"  MIP best {mip.objective_cost:,.0f}, dual bound {mip.best_bound_cost:,.0f} "
          f"(MIP gap {mip.mip_gap:.2%})")  # fmt: skip
    for method in ("heuristic", "relaxed"):
        cost = results[method][0].summary.objective_cost
        print(f"  {method}: vs MIP best {cost / mip.objective_cost - 1:+.2%}, "
              f"vs MIP dual bound {cost / mip.best_bound_cost - 1:+.2%}")  # fmt: skip


if __name__ == "__main__":
    main()
