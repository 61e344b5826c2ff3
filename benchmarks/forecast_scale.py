"""Wall time of the demand engine alone on 10,000 synthetic SKUs x 36 months, horizon 18.

The mix imitates a product range: 40 % seasonal, 30 % trending, 15 % flat noisy, 10 %
intermittent (mostly zero months), 3 % new items with under a year of history and 2 % all
zeros. Prints the seconds of one `demand.engine.forecast` call and the models it chose.

    .venv/bin/python benchmarks/forecast_scale.py [--series 10000] [--months 36]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demand.engine import forecast

FloatArray = npt.NDArray[np.float64]
HORIZON = 18


def synthetic_matrix(n_series: int, months: int, seed: int = 7) -> FloatArray:
    """`(n_series, months)` demand units; NaN before a new item's launch."""
    rng = np.random.default_rng(seed)
    t = np.arange(months)[None, :]
    kind = rng.choice(6, size=n_series, p=[0.40, 0.30, 0.15, 0.10, 0.03, 0.02])[:, None]
    level = rng.lognormal(4.0, 1.0, size=(n_series, 1))
    season = 1.0 + rng.uniform(0.1, 0.5, (n_series, 1)) * np.sin(
        2 * np.pi * t / 12 + rng.uniform(0, 6.3, (n_series, 1))
    )
    trend = 1.0 + rng.uniform(-0.015, 0.03, (n_series, 1)) * t
    noise = rng.normal(1.0, 0.12, (n_series, months))
    regular = level * np.where(kind == 0, season, 1.0) * np.where(kind == 1, trend, 1.0) * noise
    sporadic = (rng.random((n_series, months)) < 0.25) * rng.poisson(5, (n_series, months))
    values = np.where(kind == 3, sporadic, np.maximum(regular, 0.0))
    values = np.where(kind == 5, 0.0, values)
    launch = rng.integers(months - 11, months - 2, size=(n_series, 1))
    return np.where((kind == 4) & (t < launch), np.nan, np.round(values))


def history_frame(matrix: FloatArray) -> pd.DataFrame:
    n_series, months = matrix.shape
    periods = pd.period_range(end=pd.Period("2026-10", freq="M"), periods=months, freq="M")
    frame = pd.DataFrame(
        {
            "series_id": np.repeat([f"SKU{i:05d}" for i in range(n_series)], months),
            "period": np.tile(periods, n_series),
            "quantity": matrix.ravel(),
        }
    )
    return frame[frame["quantity"].notna()].reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=36)
    args = parser.parse_args()
    history = history_frame(synthetic_matrix(args.series, args.months))
    started = time.perf_counter()
    result = forecast(history, HORIZON)
    seconds = time.perf_counter() - started
    print(
        f"{args.series} series x {args.months} months, horizon {HORIZON}: {len(result)} forecast rows"
    )
    print(f"demand.engine.forecast wall time: {seconds:.1f} s")
    models = result.drop_duplicates("series_id")["model"].value_counts()
    for model, count in models.items():
        print(f"  {count:6d}  {model}")


if __name__ == "__main__":
    main()
