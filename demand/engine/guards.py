"""Guards every forecast passes before it leaves the engine: obsolescence, bounds, fallback.

* Obsolescence (items that stopped selling). After a run of k months without a sale, the
  forecast is multiplied by the posterior probability that the item still sells,

      P(alive | k) = pi (1 - p)^k / (pi (1 - p)^k + 1 - pi),

  where p = (sales + 1) / (months before the run + 2) is the item's own monthly chance of a
  sale (Laplace's rule of succession) and pi = `ALIVE_PRIOR` the prior that an item with a
  history is still sold. It falls monotonically with k, so 3, 4, 5, 6 ... months of zeros after
  a steady history give ever smaller forecasts (the engine used to give 0 after 3-5 months and
  12.35 after 6, when the longer run switched the item to Croston's method); a regular item
  (p near 1) is treated as gone after two or three empty months, an item that sells one month
  in four only after a year or more. A single order followed by eleven empty months is gone
  (P < 0.001): it is not forecast at its order size every month (it was: 425 a month for 18
  months after one 500-unit order). The same idea drives TSB (Teunter, Syntetos & Babai 2011),
  here as a closed-form factor that applies to every model.
* Bounded growth. No method may forecast a month above `GROWTH_CAP` times the highest month of
  the series' history, nor an upper bound above `UPPER_CAP` times it: a four-month launch ramp
  [20, 45, 70, 90] extrapolated on the log scale reached 3,305 at month 18, and a spike in the
  last month 5.9e14. Nothing is negative.
* Fallback. A series whose forecast is not finite, or would not fit the database column, is
  forecast by `FALLBACK` (the mean of its last 12 months, flat, with a +/- 1.28 standard
  deviation interval) and named so in the model column, so one bad series never fails a run.
  Every value is at most `MAX_UNITS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from demand.engine.batch import SeriesBatch
from demand.engine.models.intermittent import trailing_zero_months

if TYPE_CHECKING:
    from demand.engine.pipeline import BatchForecast

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

ALIVE_PRIOR = 0.99
GROWTH_CAP = 2.0
UPPER_CAP = 3.0
# The forecast tables store numeric(16, 2): below 1e14. 1e12 leaves room for family sums.
MAX_UNITS = 1e12
FALLBACK_MONTHS = 12
FALLBACK = "fallback: 12-month mean"
Z_80 = 1.2815515655446004


def alive_probability(batch: SeriesBatch) -> FloatArray:
    """`(n_series,)` posterior probability that each item still sells (module docstring)."""
    zeros = trailing_zero_months(batch)
    sold = np.sum((batch.values > 0) & batch.observed_mask(), axis=1)
    before = np.maximum(batch.n_obs - zeros, 0)
    chance = (sold + 1.0) / (before + 2.0)
    with np.errstate(under="ignore"):
        likelihood = (1.0 - chance) ** zeros
    alive = ALIVE_PRIOR * likelihood
    return np.where(zeros > 0, alive / (alive + 1.0 - ALIVE_PRIOR), 1.0)


def history_max(batch: SeriesBatch) -> FloatArray:
    return np.max(np.where(batch.observed_mask(), batch.values, 0.0), axis=1)


def guarded(result: BatchForecast, batch: SeriesBatch) -> BatchForecast:
    """The forecast scaled for obsolescence, bounded, and with fallbacks for broken rows."""
    alive = alive_probability(batch)[:, None]
    point, lower, upper = result.point * alive, result.lower * alive, result.upper * alive
    broken = ~(
        np.all(np.isfinite(point), axis=1)
        & np.all(np.isfinite(lower), axis=1)
        & np.all(np.isfinite(upper), axis=1)
        & np.all(point <= MAX_UNITS, axis=1)
    )
    model = result.model.copy()
    if broken.any():
        rows = np.flatnonzero(broken)
        point[rows], lower[rows], upper[rows] = fallback(batch, rows, point.shape[1])
        model[rows] = FALLBACK
    peak = np.minimum(history_max(batch), MAX_UNITS)[:, None]
    point = np.clip(point, 0.0, np.minimum(GROWTH_CAP * peak, MAX_UNITS))
    upper = np.clip(upper, point, np.maximum(np.minimum(UPPER_CAP * peak, MAX_UNITS), point))
    lower = np.clip(lower, 0.0, point)
    return type(result)(point, lower, upper, model)


def fallback(
    batch: SeriesBatch, rows: npt.NDArray[np.int64], horizon: int
) -> tuple[FloatArray, ...]:
    """`FALLBACK` for the given rows: flat mean of the last 12 observed months, +/- Z80 sd."""
    recent = batch.values[rows, -FALLBACK_MONTHS:]
    seen = batch.observed_mask()[rows, -FALLBACK_MONTHS:]
    with np.errstate(all="ignore"):
        safe = np.where(seen & np.isfinite(recent), np.minimum(recent, MAX_UNITS), np.nan)
        mean = np.nan_to_num(np.nanmean(safe, axis=1), nan=0.0)
        sd = np.nan_to_num(np.nanstd(safe, axis=1), nan=0.0)
    point = np.repeat(mean[:, None], horizon, axis=1)
    half = np.repeat((Z_80 * sd)[:, None], horizon, axis=1)
    return point, np.maximum(point - half, 0.0), np.minimum(point + half, MAX_UNITS)
