"""The engine's public entry points: `forecast` (long history in, long forecast out) and
`forecast_new_item` (a new product forecast from a like-item and a scale factor).

This module only converts between the long pandas format the rest of the application uses and
the right-aligned numpy batch the models fit (`batch.py`, `pipeline.py`). How the data is read:

* `period` is a monthly `pandas.Period` or a timestamp in the month (any day); the result's
  `period` has the same kind (Periods, or month-start timestamps).
* Every series is forecast from the same origin, the latest month in the whole history.
  A month missing between a series' first row and that origin means no demand (0): sales
  history only records months with sales. A row whose quantity is NaN means "unknown" and
  is interpolated from its neighbours (carried forward at the end).
* Leading zero months are dropped (the item was not on sale yet), so a launch is not
  mistaken for intermittent demand.
* Negative quantities (net returns) are counted as 0 demand; forecasts are never negative.

Bad input raises `HistoryError` (a `ValueError`) naming the row and field. A series the models
cannot forecast never raises: it is forecast by `guards.FALLBACK` and named so in the `model`
column (see `guards.py`).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from demand.engine.batch import SeriesBatch, batch_from_matrix
from demand.engine.guards import FALLBACK, fallback
from demand.engine.pipeline import BatchForecast, forecast_batch

HISTORY_COLUMNS = ("series_id", "period", "quantity")
FORECAST_COLUMNS = ["series_id", "period", "forecast", "lower", "upper", "model"]
VALUE_COLUMNS = ("forecast", "lower", "upper")
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class HistoryError(ValueError):
    """The history (or an argument) cannot be forecast; the message names the row and field."""


def forecast(history: pd.DataFrame, horizon: int, season_length: int = 12) -> pd.DataFrame:
    """Forecast every series of `history` `horizon` months ahead.

    `history`: columns series_id (str), period (monthly), quantity (float), one row per series
    and month. Returns columns `FORECAST_COLUMNS`: one row per series and future month, with
    an 80 % prediction interval [lower, upper] and the name of the model used.
    """
    if not isinstance(horizon, int | np.integer) or horizon < 1:
        raise HistoryError(f"horizon must be a positive whole number of months, got {horizon!r}")
    if not isinstance(season_length, int | np.integer) or season_length < 1:
        raise HistoryError(f"season_length must be a positive integer, got {season_length!r}")
    frame, as_periods = _validated(history)
    if frame.empty:
        return pd.DataFrame({column: [] for column in FORECAST_COLUMNS})
    codes, ids = pd.factorize(frame["series_id"])
    ordinals = frame["period"].array.asi8
    _check_one_row_per_month(frame, codes, ordinals)
    matrix, start = _dense(codes, ordinals, frame["quantity"].to_numpy(float), len(ids))
    batch, order = batch_from_matrix(matrix, start)
    result = _forecast_safely(batch, int(horizon), int(season_length))
    rows = np.empty_like(order)
    rows[order] = np.arange(len(order))
    origin = pd.Period(ordinal=int(ordinals.max()), freq="M")
    months = pd.period_range(origin + 1, periods=int(horizon), freq="M")
    periods = months.take(np.tile(np.arange(int(horizon)), len(ids)))
    out = pd.DataFrame(
        {
            "series_id": np.repeat(np.asarray(ids, dtype=object).astype(str), horizon),
            "period": periods if as_periods else periods.to_timestamp(),
            "forecast": result.point[rows].ravel(),
            "lower": result.lower[rows].ravel(),
            "upper": result.upper[rows].ravel(),
            "model": np.repeat(result.model[rows], horizon),
        }
    )
    return out


def _forecast_safely(batch: SeriesBatch, horizon: int, season_length: int) -> BatchForecast:
    """`forecast_batch`, and if the batch raises, each series alone; a series that still
    raises gets `guards.FALLBACK` (named in the model column), so one series never fails all."""
    try:
        return forecast_batch(batch, horizon, season_length)
    except (ArithmeticError, ValueError, np.linalg.LinAlgError):
        pass
    result = BatchForecast.zeros(batch.n_series, horizon)
    for row in range(batch.n_series):
        rows = np.array([row], dtype=np.int64)
        try:
            part = forecast_batch(batch.subset(rows), horizon, season_length)
        except (ArithmeticError, ValueError, np.linalg.LinAlgError):
            point, lower, upper = fallback(batch, rows, horizon)
            part = BatchForecast(point, lower, upper, np.array([FALLBACK], dtype=object))
        result.put(rows, part)
    return result


def forecast_new_item(
    like_forecast: pd.DataFrame, scale: float, series_id: str | None = None
) -> pd.DataFrame:
    """A new item's forecast: the like-item's forecast (rows of `forecast`'s result) x `scale`.

    `scale` is the expected size of the new item relative to the like-item (0.5 = half its
    volume). The forecast and both interval bounds are scaled; the model names the like-item.
    With `series_id` the rows are renamed to the new item (the input must hold one series).
    """
    if not math.isfinite(scale) or scale < 0:
        raise HistoryError(f"scale must be a finite number >= 0, got {scale!r}")
    missing = [c for c in FORECAST_COLUMNS if c not in like_forecast.columns]
    if missing:
        raise HistoryError(f"like-item forecast is missing column(s) {', '.join(missing)}")
    out = like_forecast[FORECAST_COLUMNS].copy()
    if series_id is not None and out["series_id"].nunique() > 1:
        raise HistoryError("series_id given but the like-item forecast holds several series")
    for column in VALUE_COLUMNS:
        out[column] = out[column].astype(float) * scale
    out["model"] = "like-item " + out["series_id"].astype(str) + f" x {scale:g}"
    if series_id is not None:
        out["series_id"] = series_id
    return out.reset_index(drop=True)


def _validated(history: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """The three columns cleaned (str ids, Period[M] periods, float quantities), and whether
    the input periods were Periods."""
    missing = [c for c in HISTORY_COLUMNS if c not in history.columns]
    if missing:
        raise HistoryError(f"history is missing column(s) {', '.join(missing)}")
    frame = history.loc[:, list(HISTORY_COLUMNS)].copy()
    null_ids = frame["series_id"].isna()
    if null_ids.any():
        raise HistoryError(f"row {frame.index[null_ids.argmax()]}: series_id is empty")
    frame["series_id"] = frame["series_id"].astype(str)
    as_periods = isinstance(frame["period"].dtype, pd.PeriodDtype) or (
        frame["period"].dtype == object
        and bool(frame["period"].map(lambda value: isinstance(value, pd.Period)).all())
    )
    frame["period"] = _monthly_periods(frame["period"], as_periods)
    quantity = pd.to_numeric(frame["quantity"], errors="coerce")
    bad = quantity.isna() & frame["quantity"].notna()
    bad |= np.isinf(quantity.to_numpy(float, na_value=0.0))
    if bad.any():
        row = frame.index[bad.argmax()]
        value = frame["quantity"].loc[row]
        raise HistoryError(f"row {row}: quantity {value!r} is not a finite number")
    frame["quantity"] = quantity.astype(float)
    return frame, as_periods


def _check_one_row_per_month(frame: pd.DataFrame, codes: IntArray, ordinals: IntArray) -> None:
    # Keys on integer codes: pandas' duplicated() on Periods boxes every value (seconds at 10k SKUs).
    key = pd.Series(
        codes.astype(np.int64) * (int(np.ptp(ordinals)) + 1) + (ordinals - ordinals.min())
    )
    duplicated = key.duplicated().to_numpy()
    if duplicated.any():
        row = frame.index[int(duplicated.argmax())]
        raise HistoryError(f"row {row}: a second row for series {frame.loc[row, 'series_id']!r}")


def _monthly_periods(column: pd.Series, as_periods: bool) -> pd.Series:
    if as_periods:
        return pd.Series(pd.PeriodIndex(column, freq="M"), index=column.index)
    if column.dtype == object:  # a mix of Periods and other values
        column = column.map(
            lambda value: value.to_timestamp() if isinstance(value, pd.Period) else value
        )
    stamps = pd.to_datetime(column, errors="coerce")
    bad = stamps.isna()
    if bad.any():
        row = column.index[bad.argmax()]
        raise HistoryError(f"row {row}: period {column.loc[row]!r} is not a month")
    return stamps.dt.to_period("M")


def _dense(
    codes: IntArray, ordinals: IntArray, quantity: FloatArray, n_series: int
) -> tuple[FloatArray, IntArray]:
    """Right-aligned `(n_series, months)` demand matrix and each row's first month of demand."""
    first_month = int(ordinals.min())
    columns = ordinals - first_month
    n_periods = int(columns.max()) + 1
    matrix = np.zeros((n_series, n_periods))
    matrix[codes, columns] = quantity
    first_row = np.full(n_series, n_periods - 1, dtype=np.int64)
    np.minimum.at(first_row, codes, columns)
    unknown = np.isnan(matrix)
    if unknown.any():
        rows = np.flatnonzero(unknown.any(axis=1))
        before = np.arange(n_periods)[None, :] < first_row[rows, None]
        part = np.where(before, np.nan, matrix[rows])
        filled = pd.DataFrame(part).interpolate(axis=1, limit_area="inside")
        matrix[rows] = filled.ffill(axis=1).fillna(0.0).to_numpy()
    np.maximum(matrix, 0.0, out=matrix)
    positive = matrix > 0
    first_sale = np.where(positive.any(axis=1), positive.argmax(axis=1), first_row)
    return matrix, np.maximum(first_row, first_sale).astype(np.int64)
