"""The forecast pipeline over a batch: classify each series, fit its models, combine, interval.

Every series falls into exactly one class, and each class is fitted for all its series at once:

* ``zero``: no positive demand at all, forecast 0.
* ``mean``: fewer than ``MIN_MODEL_OBSERVATIONS`` months; a flat mean is all such a history
  supports (its interval is at least +/- ``SHORT_HISTORY_SPREAD`` of the level).
* ``SBA`` / ``TSB``: intermittent demand (average interval between sales > 1.32 months),
  see `models/intermittent.py`, unless the zeros are an off-season (a strongly seasonal
  item that sells only part of the year is a regular seasonal series; its off-season
  months carry the in-season level instead of dragging it to zero).
* regular series: seasonally adjusted by classical multiplicative decomposition when
  `seasonality.detect_seasonality` finds a season (indices shrunk towards 1 as far as
  they look like noise, which matters on three-year histories), isolated spikes replaced
  (`outliers.py`), then the equal-weight mean of five members: SES, damped-trend ETS
  (A,Ad,N), the dynamic and the static optimised Theta models (DOTM, OTM) and the classic
  Theta method; the forecast is reseasonalised. Members are fitted on the logarithm of the
  adjusted series when it is positive throughout and at least ``LOG_MIN_OBSERVATIONS``
  months long (multiplicative error and trend, which suits demand whose swings grow with its
  level), on the levels otherwise.

Then, for every series (`validation.py`): seasonal regular series long enough to validate
are combined with last year's months by weights from their own rolling-origin errors, and
every interval is calibrated on the held-out origins; and (`guards.py`): the forecast is
scaled by the probability that the item still sells after a run of empty months, bounded
(growth, database column), and a series that still cannot be forecast falls back to a
named simple method.

Why this mix: combining models that fail on different series is the most reliable lesson
of the M3 and M4 competitions (Makridakis et al. 2000, 2020; Petropoulos & Svetunkov 2020,
whose SES/Holt/damped/Theta combination ranked near the top of M4). The members and the log
scale were chosen on the M3 monthly *training* data only, by 18-month holdouts cut from it
at two origins: the mean of these five on logs scored 13.77 / 14.79 sMAPE there against
14.00 / 14.93 for SES + damped + DOTM on levels, and 14.05 for statsforecast's DOTM alone.
The M3 test part was used only to measure the final choice (benchmarks/forecast_m3.py).
Tried there and rejected: choosing per series between the combination and seasonal naive by
an inner 12-month holdout (+0.03 to +0.76 sMAPE: selection on one short holdout is noise;
floored weights from two origins, `validation.py`, are what helped), and an ARIMA(p,1,0)
member fitted by least squares (+0.01 to +0.5).

Prediction intervals (80 %) use the analytic variance of the damped-trend member (Hyndman et
al. 2008, class 1): var_h = sigma^2 (1 + sum_{j<h} c_j^2), c_j = alpha + beta phi (1 - phi^j)
/ (1 - phi), on the log scale (so the interval is asymmetric, x/÷ exp(z sd)) or the level
scale, then scaled by the seasonal index of the month. They ignore parameter and seasonal
index uncertainty and were too narrow on short histories, so `validation.py` rescales them
per step ahead on held-out origins. Demand cannot be negative, so the forecast and both
bounds are clipped at zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from demand.engine.batch import SeriesBatch
from demand.engine.guards import guarded
from demand.engine.models.intermittent import fit_intermittent, is_intermittent
from demand.engine.models.smoothing import SmoothingFit, fit_ses, fit_trend
from demand.engine.models.theta import classic_theta_forecast, fit_theta
from demand.engine.outliers import remove_spikes
from demand.engine.seasonality import (
    MIN_INDEX,
    detect_seasonality,
    forecast_indices,
    in_sample_indices,
    seasonal_indices,
    sells_in_season_only,
)
from demand.engine.validation import validated

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

Z_80 = 1.2815515655446004  # two-sided 80 % interval
MIN_MODEL_OBSERVATIONS = 4
SHORT_HISTORY_SPREAD = 0.25
# Fewer months than this are fitted on levels: a log-scale trend on a launch ramp is an
# exponential one ([20, 45, 70, 90] reached 3,305 at month 18), a level trend is linear.
LOG_MIN_OBSERVATIONS = 24
# Model names (shown to planners): "ETS+Theta" = the five-member mean; "log" = fitted on
# logarithms (multiplicative); "seasonal" = deseasonalised and reseasonalised.
COMBINATION = "ETS+Theta"
_TINY = 1e-9


@dataclass
class BatchForecast:
    """Forecasts of a batch: `(n_series, horizon)` arrays and one model name per series."""

    point: FloatArray
    lower: FloatArray
    upper: FloatArray
    model: npt.NDArray[np.object_]

    @classmethod
    def zeros(cls, n_series: int, horizon: int) -> BatchForecast:
        empty = np.zeros((n_series, horizon))
        return cls(empty, empty.copy(), empty.copy(), np.full(n_series, "zero", dtype=object))

    def put(self, rows: IntArray, part: BatchForecast) -> None:
        self.point[rows], self.lower[rows], self.upper[rows] = part.point, part.lower, part.upper
        self.model[rows] = part.model


def forecast_batch(batch: SeriesBatch, horizon: int, season_length: int = 12) -> BatchForecast:
    """Forecast every series of `batch` (values must be >= 0); see the module docstring."""
    if batch.n_series == 0:
        return BatchForecast.zeros(0, horizon)
    regular = _classes(batch, season_length)[2]
    result = validated(batch, horizon, season_length, _by_class, regular)
    return guarded(result, batch)


def _classes(batch: SeriesBatch, season_length: int) -> tuple[npt.NDArray[np.bool_], ...]:
    """Masks of the short, intermittent and regular series (the rest have no demand)."""
    observed = batch.observed_mask()
    has_demand = np.any((batch.values > 0) & observed, axis=1)
    short = has_demand & (batch.n_obs < MIN_MODEL_OBSERVATIONS)
    intermittent = (
        has_demand & ~short & is_intermittent(batch) & ~sells_in_season_only(batch, season_length)
    )
    return short, intermittent, has_demand & ~short & ~intermittent


def _by_class(batch: SeriesBatch, horizon: int, season_length: int) -> BatchForecast:
    """Each class of series fitted by its method, all series of a class at once."""
    result = BatchForecast.zeros(batch.n_series, horizon)
    short, intermittent, regular = _classes(batch, season_length)
    for mask, method in (
        (short, _short_history),
        (intermittent, _intermittent),
        (regular, _regular),
    ):
        rows = np.flatnonzero(mask)
        if len(rows):
            result.put(rows, method(batch.subset(rows), horizon, season_length))
    np.maximum(result.point, 0.0, out=result.point)
    np.maximum(result.lower, 0.0, out=result.lower)
    np.maximum(result.upper, result.point, out=result.upper)
    return result


def _flat(level: FloatArray, spread: FloatArray, horizon: int, name: object) -> BatchForecast:
    point = np.repeat(level[:, None], horizon, axis=1)
    half = np.repeat((Z_80 * spread)[:, None], horizon, axis=1)
    names = np.broadcast_to(np.asarray(name, dtype=object), level.shape).copy()
    return BatchForecast(point, point - half, point + half, names)


def _short_history(batch: SeriesBatch, horizon: int, season_length: int) -> BatchForecast:
    observed = batch.observed_mask()
    n_obs = batch.n_obs.astype(float)
    mean = batch.values.sum(axis=1) / n_obs
    centred = np.where(observed, batch.values - mean[:, None], 0.0)
    sd = np.sqrt(np.sum(centred**2, axis=1) / np.maximum(n_obs - 1.0, 1.0))
    return _flat(mean, np.maximum(sd, SHORT_HISTORY_SPREAD * mean), horizon, "mean")


def _intermittent(batch: SeriesBatch, horizon: int, season_length: int) -> BatchForecast:
    fit = fit_intermittent(batch)
    return _flat(fit.rate, fit.residual_sd, horizon, fit.method)


def damped_trend_sd(fit: SmoothingFit, n_obs: IntArray, horizon: int) -> FloatArray:
    """`(n_series, horizon)` forecast standard deviations of an ETS(A,Ad,N)/(A,N,N) fit."""
    sigma2 = fit.sse / np.maximum(n_obs - fit.n_params, 1)
    steps = np.arange(1, horizon)[None, :]
    phi = fit.phi[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        damped = np.where(phi < 1.0, phi * (1.0 - phi**steps) / (1.0 - phi), steps)
    c = fit.alpha[:, None] + fit.beta[:, None] * damped
    cumulative = np.concatenate([np.zeros((len(sigma2), 1)), np.cumsum(c**2, axis=1)], axis=1)
    return np.sqrt(sigma2[:, None] * (1.0 + cumulative))


def _regular(batch: SeriesBatch, horizon: int, season_length: int) -> BatchForecast:
    seasonal = detect_seasonality(batch, season_length)
    indices = seasonal_indices(batch, season_length, seasonal)
    observed = batch.observed_mask()
    month_index = in_sample_indices(indices, batch.n_periods)
    adjusted_values = _carry_over_off_season(batch.values / month_index, month_index, observed)
    adjusted = batch.with_values(np.where(observed, adjusted_values, 0.0))
    positive = np.all((adjusted.values > 0) | ~observed, axis=1)
    positive &= batch.n_obs >= LOG_MIN_OBSERVATIONS
    result = BatchForecast.zeros(batch.n_series, horizon)
    for logged in (True, False):
        rows = np.flatnonzero(positive == logged)
        if len(rows):
            result.put(rows, _combination(adjusted.subset(rows), horizon, logged))
    season = forecast_indices(indices, batch.n_periods, horizon)
    result.model = np.where(seasonal, result.model + " seasonal", result.model).astype(object)
    return BatchForecast(
        result.point * season, result.lower * season, result.upper * season, result.model
    )


def _carry_over_off_season(
    adjusted: FloatArray, month_index: FloatArray, observed: npt.NDArray[np.bool_]
) -> FloatArray:
    """Off-season months (index at its floor: the item hardly sells then) say nothing about the
    level; they take the adjusted value of the latest month in season instead of a 0."""
    informative = observed & (month_index > MIN_INDEX * 1.001)
    if (informative | ~observed).all():
        return adjusted
    columns = np.arange(adjusted.shape[1])[None, :]
    latest = np.maximum.accumulate(np.where(informative, columns, -1), axis=1)
    first = np.where(informative.any(axis=1), informative.argmax(axis=1), 0)[:, None]
    source = np.where(latest >= 0, latest, first)
    return np.take_along_axis(adjusted, source, axis=1)


def _combination(adjusted: SeriesBatch, horizon: int, logged: bool) -> BatchForecast:
    """Equal-weight mean of the five members, fitted on logs (multiplicative) or levels."""
    if logged:  # values before a series' start must stay 0 (see batch.py)
        logs = np.log(np.maximum(adjusted.values, _TINY))
        adjusted = adjusted.with_values(np.where(adjusted.observed_mask(), logs, 0.0))
    data = remove_spikes(adjusted)
    ses, damped = fit_ses(data), fit_trend(data)
    dynamic, static = fit_theta(data), fit_theta(data, dynamic=False)
    members = np.stack(
        [
            ses.forecast(horizon),
            damped.forecast(horizon),
            dynamic.forecast(horizon),
            static.forecast(horizon),
            classic_theta_forecast(ses, data, horizon),
        ]
    )
    half = Z_80 * damped_trend_sd(damped, data.n_obs, horizon)
    names = np.full(data.n_series, COMBINATION + (" log" if logged else ""), dtype=object)
    if logged:
        point = np.exp(members).mean(axis=0)
        return BatchForecast(point, point * np.exp(-half), point * np.exp(half), names)
    point = members.mean(axis=0)
    return BatchForecast(point, point - half, point + half, names)
