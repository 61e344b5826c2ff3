"""Benchmark: make-lane minimum runs on the aggregated supply path (issue 13).

The synthetic network of `supply_scale` (10,000 SKUs x 18 months by default) with a minimum
run on every make lane of 1-3 months of the product's mean demand (as the demo company's
50-200 units). For each instance the aggregated path is run twice in the same process:
* baseline: the split production as it was before (the lot sizing `disaggregation.sized_runs`
  switched off), i.e. the path that ignored make minimums;
* sized: the current code.
Prints the count of non-firm make orders strictly between 0 and the lane's minimum, the
number of make orders, the wall time and the total cost of each; then, on a small instance
(--small-skus) that the full model also solves, the cost gap of the aggregated plan against
`plan_supply` (the exact path: MIP while small, else LP + rounding + repair).

    .venv/bin/python benchmarks/supply_make_minimum.py [--skus 10000] [--small-skus 300]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.supply_scale import synthetic_inputs
from supply.engine import (
    SupplyConfig,
    SupplyInputs,
    SupplyPlan,
    aggregation,
    plan_supply,
    plan_supply_sized,
)

AGGREGATED = SupplyConfig(aggregate_above_positions=0)


def with_make_minimums(inputs: SupplyInputs, seed: int) -> SupplyInputs:
    """``inputs`` with a minimum run of 1-3 months of mean demand (rounded to 10) per make lane."""
    rng = np.random.default_rng(seed)
    mean = inputs.demand.groupby("product")["demand_units"].sum() / len(inputs.horizon)
    terms = inputs.make_terms.copy()
    months = rng.uniform(1, 3, len(terms))
    per_lane = mean.reindex(terms["product"]).fillna(0).to_numpy() * months
    terms["min_order_qty_units"] = np.maximum(np.round(per_lane / 10) * 10, 10.0)
    return replace(inputs, make_terms=terms)


def below_minimum(plan: SupplyPlan, inputs: SupplyInputs) -> tuple[int, int]:
    """(non-firm make orders strictly between 0 and their lane's minimum, make orders)."""
    made = plan.orders.loc[plan.orders["source_type"] == "make"]
    keys = ["product", "site", "source"]
    terms = inputs.make_terms.rename(columns={"resource": "source"})[[*keys, "min_order_qty_units"]]
    made = made.merge(terms, on=keys, how="left")
    planned = made["quantity_units"] - made["firm_units"].fillna(0.0)
    small = (~made["is_firm"]) & (planned > 1e-6) & (planned < made["min_order_qty_units"] - 1e-6)
    return int(small.sum()), len(made)


@contextmanager
def old_split() -> Iterator[None]:
    """The aggregated path as before: split production not lot-sized to make minimums."""
    original = aggregation.sized_runs
    aggregation.sized_runs = lambda network, program, production, purchases, tolerance: production
    try:
        yield
    finally:
        aggregation.sized_runs = original


def _run(inputs: SupplyInputs, baseline: bool) -> tuple[SupplyPlan, float]:
    started = time.perf_counter()
    if baseline:
        with old_split():
            plan = plan_supply_sized(inputs, AGGREGATED)
    else:
        plan = plan_supply_sized(inputs, AGGREGATED)
    return plan, time.perf_counter() - started


def compare(label: str, inputs: SupplyInputs) -> pd.DataFrame:
    rows = []
    for name, baseline in (("baseline (no lot sizing)", True), ("sized runs", False)):
        plan, seconds = _run(inputs, baseline)
        small, made = below_minimum(plan, inputs)
        rows.append({"variant": name, "make orders": made, "below minimum": small,
                     "seconds": round(seconds, 1), "cost EUR": round(plan.summary.objective_cost),
                     "shortage rows": len(plan.shortages)})  # fmt: skip
    frame = pd.DataFrame(rows)
    print(f"\n{label}")
    print(frame.to_string(index=False))
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--resources", type=int, default=20)
    parser.add_argument("--small-skus", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    large = with_make_minimums(
        synthetic_inputs(args.skus, args.months, args.resources, args.seed), args.seed
    )
    compare(f"{args.skus:,} SKUs x {args.months} months, aggregated path", large)
    small = with_make_minimums(synthetic_inputs(args.small_skus, 12, 4, args.seed), args.seed)
    frame = compare(f"{args.small_skus:,} SKUs x 12 months, aggregated path", small)
    started = time.perf_counter()
    exact = plan_supply(small, SupplyConfig(time_limit_seconds=60.0, mip_relative_gap=0.005))
    seconds = time.perf_counter() - started
    small_exact, made = below_minimum(exact, small)
    cost = exact.summary.objective_cost
    print(f"exact path ({exact.summary.method}): {made} make orders, {small_exact} below minimum, "
          f"{seconds:.1f} s, cost {cost:,.0f}")  # fmt: skip
    for row in frame.itertuples(index=False):
        print(f"  cost gap {row.variant} vs exact: {row[4] / cost - 1:+.2%}")


if __name__ == "__main__":
    main()
