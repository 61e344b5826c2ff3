"""Per product-site demand statistics from a monthly history, as the policies need them.

From a long history (`product`, `site`, `period` as monthly pandas.Period, `demand_units`,
optionally `forecast_units`) this computes per product-site:

* mean_demand_per_month, sd_demand_per_month (sample sd, ddof = 1) over the item's active
  window: from its first recorded month to the last month of the history. Months missing
  inside that window count as zero demand, because ERP extracts usually omit zero-sale rows;
  months before the first record are not counted, so a recent launch is not diluted.
* adi_periods: average demand interval = active months / months with demand > 0
  (Syntetos & Boylan: ADI > 1.32 marks intermittent demand); +inf with no demand at all.
* cv2_nonzero: squared coefficient of variation of the non-zero demand sizes
  (> 0.49 marks erratic/lumpy demand in the same scheme).
* sd_forecast_error_per_month: root mean squared forecast error over months where a forecast
  was recorded. RMSE, not the bias-corrected sd, so a biased forecast buys more safety stock.
  NaN with fewer than `min_error_periods` errors: too short a history to trust.
* annual_demand_units = 12 x mean.

Vectorised on a (product-site x month) grid: O(items x months) numpy work, no per-item loop.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from inventory.engine._frames import divide_or, require_columns

FloatArray = npt.NDArray[np.float64]
# Syntetos, Boylan & Croston (2005): above this average demand interval, demand is intermittent.
INTERMITTENT_ADI_CUTOFF = 1.32
MONTHS_PER_YEAR = 12.0


def monthly_ordinals(periods: pd.Series) -> npt.NDArray[np.int64]:
    """Months since 1970-01 for a Series of monthly Periods (or anything Period-convertible)."""
    index = pd.PeriodIndex(periods, freq="M")
    years = np.asarray(index.year, dtype=np.int64)
    return np.asarray((years - 1970) * 12 + np.asarray(index.month, dtype=np.int64) - 1)


def _grid(
    row: npt.NDArray[np.int64],
    col: npt.NDArray[np.int64],
    values: FloatArray,
    shape: tuple[int, int],
) -> FloatArray:
    """Scatter values onto an item x month grid; duplicate rows add up, unseen cells are NaN."""
    valid = ~np.isnan(values)
    total = np.zeros(shape)
    np.add.at(total, (row[valid], col[valid]), values[valid])
    seen = np.zeros(shape, dtype=bool)
    seen[row[valid], col[valid]] = True
    return np.asarray(np.where(seen, total, np.nan), dtype=float)


def _mean_and_sd(grid: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    observed = ~np.isnan(grid)
    count = observed.sum(axis=1).astype(float)
    total = np.where(observed, grid, 0.0).sum(axis=1)
    mean = divide_or(total, count, when_zero=0.0)
    squares = np.where(observed, (grid - mean[:, None]) ** 2, 0.0).sum(axis=1)
    sd = np.sqrt(divide_or(squares, np.maximum(count - 1.0, 0.0), when_zero=0.0))
    return mean, sd, count


def _rmse(errors: FloatArray, min_periods: int) -> FloatArray:
    observed = ~np.isnan(errors)
    count = observed.sum(axis=1)
    squares = np.where(observed, errors * errors, 0.0).sum(axis=1)
    rmse = np.sqrt(divide_or(squares, count, when_zero=0.0))
    return np.asarray(np.where(count >= min_periods, rmse, np.nan), dtype=float)


def demand_statistics(history: pd.DataFrame, min_error_periods: int = 6) -> pd.DataFrame:
    """One row per (product, site) with the statistics listed in the module docstring."""
    require_columns(history, ["product", "site", "period", "demand_units"], "history")
    item_codes = np.asarray(
        history.groupby(["product", "site"], sort=False).ngroup(), dtype=np.int64
    )
    items = history[["product", "site"]].drop_duplicates()  # same first-seen order as ngroup
    months = monthly_ordinals(history["period"])
    month_codes = months - months.min()
    shape = (len(items), int(month_codes.max()) + 1)
    demand = _grid(item_codes, month_codes, history["demand_units"].to_numpy(dtype=float), shape)
    first_month = pd.Series(month_codes).groupby(item_codes).min().to_numpy()
    active = np.arange(shape[1])[None, :] >= first_month[:, None]
    demand = np.where(active & np.isnan(demand), 0.0, demand)

    mean, sd, active_months = _mean_and_sd(demand)
    positive = np.where(demand > 0.0, demand, np.nan)
    size_mean, size_sd, demand_months = _mean_and_sd(positive)
    out = items.reset_index(drop=True)
    out["mean_demand_per_month"] = mean
    out["sd_demand_per_month"] = sd
    out["annual_demand_units"] = mean * MONTHS_PER_YEAR
    out["adi_periods"] = divide_or(active_months, demand_months, when_zero=np.inf)
    out["cv2_nonzero"] = divide_or(size_sd**2, size_mean**2, when_zero=0.0)
    if "forecast_units" in history.columns:
        forecast = _grid(
            item_codes, month_codes, history["forecast_units"].to_numpy(dtype=float), shape
        )
        out["sd_forecast_error_per_month"] = _rmse(demand - forecast, min_error_periods)
    return out
