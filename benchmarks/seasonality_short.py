"""Seasonality on short histories (24-48 months): how the engine does where planners live.

Two scores, both from data the engine never sees at test time and none from the M3 test part:

(a) demo: the demo company's generator (`demo.generate`, no Django) run for 48 months;
    the engine gets the first 36 months per product and is scored on the last 12. Compared
    with a flat forecast (the engine's own non-seasonal combination is what a missed season
    gives: nearly flat). Also reports how many products each family gets a seasonal model.
(b) M3 short: every M3 monthly training series cut to an 18-month holdout from its *training*
    part, the engine given only the 36 months before that holdout.

    .venv/bin/python benchmarks/seasonality_short.py            # both
    .venv/bin/python benchmarks/seasonality_short.py --months 24 # shorter histories
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.forecast_m3 import load_m3_monthly, mase, smape
from demand.engine import forecast
from demo import generate

AS_OF = dt.date(2026, 11, 1)
DEMO_HOLDOUT = 12
M3_HOLDOUT = 18


def demo_demand(seed: int, sku_count: int, months: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Products and their (products x months) demand from the demo generator, `months` long."""
    original = generate.history_months
    generate.history_months = lambda as_of, count=months: original(as_of, count)  # type: ignore[assignment]
    try:
        rng = np.random.default_rng(seed)
        products = generate.build_products(rng, sku_count, AS_OF)
        return products, generate.demand_matrix(rng, products, AS_OF)
    finally:
        generate.history_months = original  # type: ignore[assignment]


def run(series: dict[str, np.ndarray], horizon: int) -> tuple[list[np.ndarray], list[str]]:
    end = pd.Period("2025-12", freq="M")
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "series_id": k,
                    "period": pd.period_range(end=end, periods=len(v), freq="M"),
                    "quantity": v,
                }
            )
            for k, v in series.items()
        ],
        ignore_index=True,
    )
    result = forecast(frame, horizon, 12)
    groups = {k: g for k, g in result.groupby("series_id", sort=False)}
    return (
        [groups[k]["forecast"].to_numpy() for k in series],
        [str(groups[k]["model"].iloc[0]) for k in series],
    )


def demo_score(seed: int, sku_count: int, history: int) -> None:
    products, demand = demo_demand(seed, sku_count, history + DEMO_HOLDOUT)
    keep = (products["kind"] == "regular").to_numpy()
    names = products["sku"][keep].tolist()
    train = [d[:history] for d in demand[keep]]
    test = [d[history:] for d in demand[keep]]
    predicted, models = run(dict(zip(names, train, strict=True)), DEMO_HOLDOUT)
    flat = [np.full(DEMO_HOLDOUT, x[-12:].mean()) for x in train]
    seasonal = np.array(["seasonal" in m for m in models])
    print(f"(a) demo seed {seed}, {len(names)} regular SKUs, {history} months in, 12 out")
    print(
        f"    engine sMAPE {smape(test, predicted):6.2f} MASE {mase(train, test, predicted):6.3f}"
    )
    print(f"    flat   sMAPE {smape(test, flat):6.2f} MASE {mase(train, test, flat):6.3f}")
    fams = products["family"][keep].to_numpy()
    share = {f: f"{seasonal[fams == f].mean():.0%}" for f in pd.unique(fams)}
    print(f"    seasonal share by family: {share}")


def m3_score(history: int) -> None:
    names, train_full, _ = load_m3_monthly()
    train = [x[:-M3_HOLDOUT][-history:] for x in train_full]
    test = [x[-M3_HOLDOUT:] for x in train_full]
    predicted, models = run(dict(zip(names, train, strict=True)), M3_HOLDOUT)
    rate = np.mean(["seasonal" in m for m in models])
    print(
        f"(b) M3 monthly, last {history} training months before an 18-month training holdout: "
        f"sMAPE {smape(test, predicted):6.2f} MASE {mase(train, test, predicted):6.3f} "
        f"seasonal {rate:.0%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--skus", type=int, default=400)
    args = parser.parse_args()
    for seed in args.seeds:
        demo_score(seed, args.skus, args.months)
    m3_score(args.months)


if __name__ == "__main__":
    main()
