"""Intermittent demand: Croston's method with the SBA correction, and TSB for obsolescence.

Smoothing methods forecast an intermittent series (many zero months) badly: after every sale
the forecast jumps up, after every zero it decays. Croston (1972) smooths the non-zero
demand sizes z and the intervals between them p separately and forecasts the demand rate
z / p. Syntetos & Boylan (2005) showed that ratio is biased upwards and corrected it by the
factor (1 - alpha / 2) ("SBA"), the usual default for spare parts and slow movers.

Croston and SBA only update at a sale, so an item that stopped selling keeps its last rate
forever. TSB (Teunter, Syntetos & Babai, 2011) smooths the probability of a sale every
month instead of the interval, so the forecast pi * z decays while nothing sells; it is
used when the run of trailing zero months is long compared with the usual interval.

Items are classified intermittent when the average inter-demand interval (ADI) exceeds
1.32 months (Syntetos, Boylan & Croston, 2005). The smoothing constant is chosen per series
from a small grid by in-sample squared one-step error; forecasts are flat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from demand.engine.batch import SeriesBatch

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

ADI_CUTOFF = 1.32
# Trailing zero months beyond this many average intervals signal a possibly dead item.
OBSOLESCENCE_INTERVALS = 2.5
SMOOTHING_GRID = np.array([0.05, 0.1, 0.15, 0.2, 0.3])


@dataclass(frozen=True)
class IntermittentFit:
    """Flat demand rate per series, the method that produced it and its one-step error SD."""

    rate: FloatArray
    method: npt.NDArray[np.str_]
    residual_sd: FloatArray


def demand_interval(batch: SeriesBatch) -> FloatArray:
    """Average inter-demand interval: observed months per month with demand (inf if none)."""
    sales = np.sum((batch.values > 0) & batch.observed_mask(), axis=1)
    with np.errstate(divide="ignore"):
        return np.where(sales > 0, batch.n_obs / np.maximum(sales, 1), np.inf)


def is_intermittent(batch: SeriesBatch) -> BoolArray:
    adi = demand_interval(batch)
    return np.isfinite(adi) & (adi > ADI_CUTOFF)


def trailing_zero_months(batch: SeriesBatch) -> FloatArray:
    reversed_positive = (batch.values > 0)[:, ::-1]
    first = np.argmax(reversed_positive, axis=1).astype(float)
    return np.where(reversed_positive.any(axis=1), first, batch.n_obs.astype(float))


def _smoothing_pass(batch: SeriesBatch, alpha: FloatArray) -> tuple[FloatArray, ...]:
    """Croston and TSB states for every candidate alpha: sse of SBA and TSB, size, interval, prob."""
    shape = (batch.n_series, alpha.shape[-1])
    size, interval, probability, since = (np.zeros(shape) for _ in range(4))
    started = np.zeros(shape, dtype=bool)
    sse_sba, sse_tsb = np.zeros(shape), np.zeros(shape)
    for t, count in enumerate(batch.active):
        if count == 0:
            continue
        y = batch.values[:count, t, None]
        sold = y > 0
        on = started[:count]
        sba = np.where(on, (1.0 - alpha / 2.0) * size[:count] / np.maximum(interval[:count], 1), 0)
        tsb = probability[:count] * size[:count]
        sse_sba[:count] += np.where(on, (y - sba) ** 2, 0.0)
        sse_tsb[:count] += np.where(on, (y - tsb) ** 2, 0.0)
        since[:count] += 1.0
        first = sold & ~on
        update = sold & on
        size[:count] = np.where(
            first, y, np.where(update, size[:count] + alpha * (y - size[:count]), size[:count])
        )
        interval[:count] = np.where(
            first,
            since[:count],
            np.where(
                update,
                interval[:count] + alpha * (since[:count] - interval[:count]),
                interval[:count],
            ),
        )
        probability[:count] = np.where(
            first,
            1.0 / since[:count],
            np.where(on, probability[:count] + alpha * (sold - probability[:count]), 0.0),
        )
        since[:count] = np.where(sold, 0.0, since[:count])
        started[:count] = on | sold
    return sse_sba, sse_tsb, size, interval, probability


def fit_intermittent(batch: SeriesBatch) -> IntermittentFit:
    """SBA rate, or TSB when the item looks obsolete (long run of trailing zeros)."""
    alpha = SMOOTHING_GRID[None, :]
    sse_sba, sse_tsb, size, interval, probability = _smoothing_pass(batch, alpha)
    rows = np.arange(batch.n_series)
    best_sba, best_tsb = np.argmin(sse_sba, axis=1), np.argmin(sse_tsb, axis=1)
    a_sba = SMOOTHING_GRID[best_sba]
    sba = (1.0 - a_sba / 2.0) * size[rows, best_sba] / np.maximum(interval[rows, best_sba], 1.0)
    tsb = probability[rows, best_tsb] * size[rows, best_tsb]
    obsolete = trailing_zero_months(batch) > OBSOLESCENCE_INTERVALS * demand_interval(batch)
    rate = np.where(obsolete, tsb, sba)
    sse = np.where(obsolete, sse_tsb[rows, best_tsb], sse_sba[rows, best_sba])
    residual_sd = np.sqrt(sse / np.maximum(batch.n_obs - 1, 1))
    method = np.where(obsolete, "TSB", "SBA")
    return IntermittentFit(rate=np.maximum(rate, 0.0), method=method, residual_sd=residual_sd)
