"""MOQ benchmark: the large-instance order-minimum method against the exact MIP.

Random instances small enough for HiGHS to solve the MIP to optimality (2-8 bought products,
6-12 months, 1-4 suppliers of which some are capacitated, MOQs of 0.5-4 months of demand,
order multiples, ocean and air modes, opening stock, safety-stock targets, sometimes a make
lane on a shared resource). Each instance is planned twice: ``integer_method="mip"`` (exact)
and the method `plan_supply` uses above ``mip_max_integer_columns`` (forced with
``integer_method="heuristic"``). Prints each instance's cost gap to the MIP optimum and the
mean, median, 95th percentile and worst gap, plus the 2-product case of issue 13.

With ``--make`` about half of each instance's products are made instead (one shared line,
capacity 0.8-1.3 x their mean load, 30 h of overtime, minimum runs of 0.5-4 months of demand):
the make-lane minimum (`supply.engine.make_moq`) against the MIP.

    .venv/bin/python benchmarks/supply_moq.py [--instances 20] [--seed 13] [--make]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from supply.engine import SupplyConfig, SupplyInputs, plan_supply

CHANNELS = pd.DataFrame({"channel": ["retail", "web"], "service_priority": [1, 2]})


def with_make_lanes(inputs: SupplyInputs, rng: np.random.Generator) -> SupplyInputs:
    """About half the products made on one shared line instead of bought (module docstring)."""
    names = inputs.products["product"].to_numpy()
    made = names[rng.random(len(names)) < 0.5] if len(names) > 1 else names
    mean = inputs.demand.groupby("product")["demand_units"].sum() / len(inputs.horizon)
    hours = rng.uniform(0.5, 1.5, len(made))
    terms = pd.DataFrame({
        "product": made, "site": "S", "resource": "L", "hours_per_unit": hours,
        "lead_time_months": rng.integers(0, 2, len(made)),
        "min_order_qty_units": np.round(mean[made].to_numpy() * rng.uniform(0.5, 4.0, len(made))),
    })  # fmt: skip
    load = float((mean[made].to_numpy() * hours).sum())
    line = pd.DataFrame([{"resource": "L", "site": "S",
                          "capacity_hours_per_month": round(load * rng.uniform(0.8, 1.3)),
                          "overtime_hours_per_month": 30.0, "overtime_cost_per_hour": 8.0}])  # fmt: skip
    bought = ~inputs.buy_terms["product"].isin(made)
    modes = inputs.transport_modes
    return replace(inputs, resources=line, make_terms=terms,
                   buy_terms=inputs.buy_terms.loc[bought].reset_index(drop=True),
                   transport_modes=modes.loc[~modes["product"].isin(made)].reset_index(drop=True))  # fmt: skip


def random_instance(rng: np.random.Generator) -> SupplyInputs:
    """One random bought-product network (see the module docstring)."""
    skus, months = int(rng.integers(2, 9)), int(rng.integers(6, 13))
    n_suppliers = int(rng.integers(1, 5))
    horizon = pd.period_range("2027-01", periods=months, freq="M")
    names = [f"P{i:02d}" for i in range(skus)]
    cost = np.round(rng.uniform(5, 50, skus), 2)
    products = pd.DataFrame({"product": names, "family": "F", "unit_cost": cost,
                             "unit_price": np.round(cost * rng.uniform(1.2, 2.5, skus), 2)})  # fmt: skip
    mean = rng.uniform(20, 200, skus)
    grid = np.round(mean[:, None] * rng.lognormal(0, 0.35, (skus, months)))
    share = rng.uniform(0.5, 0.9, skus)[:, None]
    demand = pd.concat([
        pd.DataFrame({"product": np.repeat(names, months), "site": "S", "channel": channel,
                      "period": list(horizon) * skus,
                      "demand_units": np.round((grid * part).ravel())})
        for channel, part in (("retail", share), ("web", 1 - share))
    ], ignore_index=True)  # fmt: skip
    supplier = [f"V{int(s)}" for s in rng.integers(0, n_suppliers, skus)]
    terms = pd.DataFrame({
        "product": names, "site": "S", "supplier": supplier,
        "min_order_qty_units": np.where(rng.random(skus) < 0.8,
                                        np.round(mean * rng.uniform(0.5, 4.0, skus)), 0.0),
        "order_multiple_units": rng.choice([0.0, 5.0, 10.0, 25.0], skus),
    })  # fmt: skip
    modes = pd.concat([
        terms[["product", "site", "supplier"]].assign(
            mode="ocean", lead_time_months=rng.integers(1, 3, skus), transport_cost_per_unit=0.5),
        terms[["product", "site", "supplier"]].assign(
            mode="air", lead_time_months=0, transport_cost_per_unit=np.round(cost * 0.3, 2)),
    ], ignore_index=True)  # fmt: skip
    volume = pd.Series(mean, index=supplier).groupby(level=0).sum()
    suppliers = pd.DataFrame({"supplier": [f"V{s}" for s in range(n_suppliers)]})
    capped = rng.random(n_suppliers) < 0.6
    cap = volume.reindex(suppliers["supplier"]).fillna(100).to_numpy() * rng.uniform(
        0.9, 1.6, n_suppliers
    )
    suppliers["capacity_units_per_month"] = np.where(capped, np.round(cap), np.nan)
    return SupplyInputs(
        horizon=horizon, products=products, channels=CHANNELS,
        resources=pd.DataFrame(columns=["resource", "site", "capacity_hours_per_month"]),
        demand=demand, buy_terms=terms, transport_modes=modes, suppliers=suppliers,
        opening_inventory=pd.DataFrame({"product": names, "site": "S",
                                        "on_hand_units": np.round(mean * rng.uniform(0, 1.5, skus))}),
        safety_stock=pd.DataFrame({"product": names, "site": "S",
                                   "safety_stock_units": np.round(mean * rng.uniform(0, 0.8, skus))}),
    )  # fmt: skip


def issue_two_products() -> SupplyInputs:
    """Issue 13's 2-product case: two products share a capacitated supplier whose MOQs, rounded
    up one at a time, do not both fit a month (the old shortcut ordered nothing)."""
    horizon = pd.period_range("2027-01", periods=3, freq="M")
    products = pd.DataFrame({"product": ["A", "B"], "family": "F", "unit_cost": [10.0, 10.0],
                             "unit_price": [50.0, 50.0]})  # fmt: skip
    demand = pd.DataFrame({"product": np.repeat(["A", "B"], 3), "site": "S", "channel": "retail",
                           "period": list(horizon) * 2, "demand_units": [60.0, 60.0, 60.0] * 2})  # fmt: skip
    terms = pd.DataFrame({"product": ["A", "B"], "site": "S", "supplier": "V",
                          "lead_time_months": 0, "min_order_qty_units": [150.0, 150.0]})  # fmt: skip
    suppliers = pd.DataFrame({"supplier": ["V"], "capacity_units_per_month": [200.0]})
    return SupplyInputs(
        horizon=horizon, products=products, channels=CHANNELS.iloc[:1],
        resources=pd.DataFrame(columns=["resource", "site", "capacity_hours_per_month"]),
        demand=demand, buy_terms=terms, suppliers=suppliers,
    )  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    old: float  # LP + rounding only (the shortcut before the repair)
    new: float  # LP + rounding + neighbourhood repair (what plan_supply runs at scale)
    mip: float  # the exact MIP's best plan
    bound: float  # the MIP's dual bound (= mip when proven optimal)
    status: str
    seconds: float
    mip_seconds: float


def compare(inputs: SupplyInputs, mip_seconds: float) -> Outcome:
    started = time.perf_counter()
    exact = plan_supply(inputs, SupplyConfig(integer_method="mip", time_limit_seconds=mip_seconds))
    mip_time = time.perf_counter() - started
    started = time.perf_counter()
    new = plan_supply(inputs, SupplyConfig(integer_method="heuristic"))
    seconds = time.perf_counter() - started
    old = plan_supply(
        inputs, SupplyConfig(integer_method="heuristic", repair_max_integer_columns=0)
    )
    return Outcome(old.summary.objective_cost, new.summary.objective_cost,
                   exact.summary.objective_cost, exact.summary.best_bound_cost,
                   exact.summary.status, seconds, mip_time)  # fmt: skip


def _stats(label: str, values: np.ndarray) -> None:
    print(f"  {label}: mean {values.mean():+.3%}, median {np.median(values):+.3%}, "
          f"p95 {np.quantile(values, 0.95):+.3%}, worst {values.max():+.3%}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--mip-seconds", type=float, default=60.0)
    parser.add_argument("--make", action="store_true", help="half the products made (MOQ runs)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    rows = []
    for number in range(args.instances):
        inputs = random_instance(rng)
        if args.make:
            inputs = with_make_lanes(inputs, rng)
        out = compare(inputs, args.mip_seconds)
        rows.append(out)
        print(f"instance {number:2d}: {len(inputs.products):2d} SKUs x {len(inputs.horizon):2d} months  "
              f"rounded {out.old:11,.0f}  repaired {out.new:11,.0f} ({out.seconds:5.2f} s)  "
              f"MIP {out.mip:11,.0f} {out.status} ({out.mip_seconds:5.1f} s), bound {out.bound:11,.0f}")  # fmt: skip
    old, new = np.array([r.old for r in rows]), np.array([r.new for r in rows])
    mip, bound = np.array([r.mip for r in rows]), np.array([r.bound for r in rows])
    proven = sum(r.status == "optimal" for r in rows)
    print(f"cost gap over {len(rows)} instances ({proven} MIPs proven optimal):")
    _stats("rounding only   vs MIP best ", old / mip - 1)
    _stats("repaired        vs MIP best ", new / mip - 1)
    _stats("repaired        vs MIP bound", new / bound - 1)
    two = compare(issue_two_products(), args.mip_seconds)
    print(f"issue 13 two-product case: rounding only {two.old:,.0f}, repaired {two.new:,.0f}, "
          f"MIP {two.mip:,.0f} ({two.new / two.mip - 1:+.2%})")  # fmt: skip


if __name__ == "__main__":
    main()
