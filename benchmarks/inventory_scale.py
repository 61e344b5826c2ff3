"""Scale benchmark of the inventory engine: 10,000 SKUs x 2 sites x 18 months by default.

Generates seeded synthetic data (24 months of history, an 18-month plan of demand, receipts
and planned supply; about 20 % intermittent items), then times each engine step:
demand statistics, ABC x XYZ segmentation, policies, projection and KPIs (by product, family
and total); then the whole calculation as an inventory run executes it (`run_pipeline`: plan
means, segmentation, 1 % of items overridden, policies, projection with the exact reconciliation
check, KPIs, exceptions). The target is policies + projection under 20 s on a 2-core machine.
Storing the result rows in PostgreSQL is not part of this engine benchmark.
Peak memory is the process's maximum resident set size (getrusage), which includes the
interpreter and the libraries; --tracemalloc adds the Python-traced peak (slower run).

    .venv/bin/python benchmarks/inventory_scale.py [--skus 10000] [--sites 2] [--months 18]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

# Run as a plain script from anywhere: the engine lives in the repository root, not site-packages.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inventory.engine import (
    compute_policies,
    demand_statistics,
    inventory_kpis,
    project_inventory,
    segment,
)
from inventory.engine.pipeline import ITEM_COLUMNS, PipelineParams, run_pipeline

TARGET_SECONDS = 20.0
HISTORY_MONTHS = 24
T = TypeVar("T")


def _keys(skus: int, sites: int) -> pd.DataFrame:
    products = np.repeat([f"SKU{i:05d}" for i in range(skus)], sites)
    return pd.DataFrame(
        {"product": products, "site": np.tile([f"S{j}" for j in range(sites)], skus)}
    )


def _monthly_demand(
    rng: np.random.Generator, mean: np.ndarray, occurrence: np.ndarray, months: int
) -> np.ndarray:
    """Gamma-sized demand that occurs with the given monthly probability (intermittent if < 1)."""
    occurs = rng.random((len(mean), months)) < occurrence[:, None]
    size = rng.gamma(shape=2.0, scale=(mean / occurrence / 2.0)[:, None], size=(len(mean), months))
    return np.round(np.where(occurs, size, 0.0))


def _long(keys: pd.DataFrame, periods: pd.PeriodIndex, **grids: np.ndarray) -> pd.DataFrame:
    months = len(periods)
    frame = keys.loc[np.repeat(keys.index, months)].reset_index(drop=True)
    frame["period"] = periods.take(np.tile(np.arange(months), len(keys)))
    for name, grid in grids.items():
        frame[name] = grid.ravel()
    return frame


def synthetic_data(skus: int, sites: int, months: int, seed: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    keys = _keys(skus, sites)
    n = len(keys)
    mean = rng.lognormal(mean=3.0, sigma=1.5, size=n)
    occurrence = np.where(rng.random(n) < 0.2, rng.uniform(0.1, 0.7, n), 1.0)
    history_periods = pd.period_range("2024-11", periods=HISTORY_MONTHS, freq="M")
    actual = _monthly_demand(rng, mean, occurrence, HISTORY_MONTHS)
    forecast = np.round(mean[:, None] * rng.lognormal(0.0, 0.3, (n, HISTORY_MONTHS)))
    history = _long(keys, history_periods, demand_units=actual, forecast_units=forecast)
    plan_periods = pd.period_range(history_periods[-1] + 1, periods=months, freq="M")
    plan_demand = np.round(mean[:, None] * rng.lognormal(0.0, 0.2, (n, months)))
    receipts = np.where(rng.random((n, months)) < 0.15, np.round(mean[:, None] * 3), 0.0)
    planned = np.where(rng.random((n, months)) < 0.3, np.round(mean[:, None] * 2.5), 0.0)
    flows = _long(
        keys,
        plan_periods,
        demand_units=plan_demand,
        receipts_units=receipts,
        planned_supply_units=planned,
    )
    master = keys.assign(
        unit_cost=np.round(rng.lognormal(2.5, 1.0, n), 2),
        lead_time_months=rng.choice([0.5, 1.0, 2.0, 3.0], n),
        sd_lead_time_months=rng.uniform(0.0, 0.4, n),
        order_cost=rng.uniform(20.0, 200.0, n),
        holding_rate_per_year=0.25,
        moq_units=np.round(mean * rng.choice([0.0, 1.0, 4.0], n)),
        order_multiple_units=rng.choice([0.0, 1.0, 6.0, 12.0, 48.0], n),
        service_type=rng.choice(["cycle", "fill_rate"], n),
        review_period_months=rng.choice([0.0, 0.0, 1.0], n),
        opening_stock_units=np.round(mean * rng.uniform(0.0, 4.0, n)),
        family=[f"FAM{i % 50:02d}" for i in range(n)],
        lifecycle=rng.choice(["active", "active", "active", "phase_out", "new"], n),
    )
    return {"history": history, "master": master, "flows": flows}


def timed(timings: dict[str, float], step: str, action: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = action()
    timings[step] = time.perf_counter() - start
    return result


def run(data: dict[str, pd.DataFrame]) -> dict[str, float]:
    timings: dict[str, float] = {}
    master = data["master"]
    stats = timed(timings, "demand statistics", lambda: demand_statistics(data["history"]))
    items = master.merge(stats, on=["product", "site"], validate="one_to_one")
    segments = timed(timings, "segmentation", lambda: segment(items))
    items["service_target"] = segments["service_target"].to_numpy()
    policies = timed(timings, "policies", lambda: compute_policies(items))
    positions = master.assign(safety_stock_units=policies["safety_stock_units"].to_numpy())
    projection = timed(timings, "projection", lambda: project_inventory(data["flows"], positions))
    timed(
        timings,
        "kpis (product, family, total)",
        lambda: [inventory_kpis(projection, by) for by in (["product"], ["family"], [])],
    )
    balance = projection["opening_units"] + projection["receipts_units"]
    balance = balance + projection["planned_supply_units"] - projection["demand_units"]
    assert (balance == projection["closing_units"]).all(), "projection does not reconcile"
    print(f"rows: {len(policies):,} product-sites, {len(projection):,} projection rows")
    print(f"methods: {policies['method'].value_counts().to_dict()}")
    return timings


def run_full_pipeline(data: dict[str, pd.DataFrame]) -> float:
    """The whole calculation as an inventory run executes it (overrides, exceptions, checks)."""
    items = data["master"][list(ITEM_COLUMNS)]
    overrides = (
        items[["product", "site"]]
        .iloc[::100]
        .assign(service_target=0.99, safety_stock_units=np.nan, order_quantity_units=np.nan)
    )
    start = time.perf_counter()
    result = run_pipeline(items, data["history"], data["flows"], overrides, PipelineParams())
    seconds = time.perf_counter() - start
    print(f"full pipeline: {len(result.exceptions):,} exceptions, every row reconciled")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--sites", type=int, default=2)
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--tracemalloc", action="store_true", help="also report the traced peak")
    args = parser.parse_args()
    if args.tracemalloc:
        tracemalloc.start()
    start = time.perf_counter()
    data = synthetic_data(args.skus, args.sites, args.months, args.seed)
    print(f"synthetic data: {time.perf_counter() - start:.2f} s (not part of the engine time)")
    timings = run(data)
    for step, seconds in timings.items():
        print(f"{step:<32}{seconds:8.3f} s")
    target = timings["policies"] + timings["projection"]
    print(f"{'engine total':<32}{sum(timings.values()):8.3f} s")
    verdict = "OK" if target < TARGET_SECONDS else "OVER TARGET"
    print(
        f"{'policies + projection':<32}{target:8.3f} s  (target < {TARGET_SECONDS:.0f} s: {verdict})"
    )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak_mib:,.0f} MiB")
    full = run_full_pipeline(data)
    print(f"{'full run pipeline':<32}{full:8.3f} s  (statistics .. exceptions, in one call)")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory after full pipeline (max RSS): {peak_mib:,.0f} MiB")
    if args.tracemalloc:
        print(f"peak memory (tracemalloc): {tracemalloc.get_traced_memory()[1] / 2**20:,.0f} MiB")


if __name__ == "__main__":
    main()
