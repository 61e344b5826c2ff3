"""Seasonality on three years of history (the demo company's and most planners' case)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from demand.engine import forecast
from tests.demand.engine.helpers import LAST_MONTH, history

MONTHS = pd.period_range(end=LAST_MONTH, periods=36, freq="M")


def summer_peak(amplitude: float) -> np.ndarray:
    """Seasonal factor of each history month, peaking in July (demo.generate's shape)."""
    return 1.0 + amplitude * np.cos((MONTHS.month.to_numpy() - 7) / 12 * 2 * np.pi)


def by_month(result: pd.DataFrame, series_id: str) -> pd.Series:
    rows = result[result["series_id"] == series_id]
    return pd.Series(rows["forecast"].to_numpy(), index=rows["period"].dt.month.to_numpy())


@pytest.mark.parametrize("seed", range(5))
def test_seasonal_product_with_noise_on_36_months_gets_a_seasonal_forecast(seed):
    # Given 36 months peaking in July (amplitude 30 % of the level) with 10 % noise
    rng = np.random.default_rng(seed)
    values = 200.0 * summer_peak(0.3) * (1.0 + rng.normal(0.0, 0.1, 36))
    # When forecasting the next year
    result = forecast(history({"sku": values}), 12)
    # Then July's forecast is clearly above January's, and the model says seasonal
    month = by_month(result, "sku")
    assert month[7] > 1.25 * month[1]
    assert month.idxmax() in (6, 7, 8)
    assert "seasonal" in result["model"].iloc[0]


@pytest.mark.parametrize("seed", range(3))
def test_winter_peak_with_growth_keeps_its_winter_peak(seed):
    # Given a demo-like product: winter peak (30 % of the level), 0.5 %/month growth and
    # 12 % lognormal noise
    rng = np.random.default_rng(100 + seed)
    values = (
        150.0 * summer_peak(-0.3) * np.exp(0.005 * np.arange(36)) * rng.lognormal(0.0, 0.12, 36)
    )
    # When forecasting the next year
    result = forecast(history({"sku": values}), 12)
    # Then January sells clearly more than July
    month = by_month(result, "sku")
    assert month[1] > 1.2 * month[7]


def test_products_without_a_season_stay_nearly_flat():
    # Given fifty products with 36 months of level demand and 10 % noise only
    rng = np.random.default_rng(7)
    series = {f"flat{i}": 200.0 * (1.0 + rng.normal(0.0, 0.1, 36)) for i in range(50)}
    # When forecasting the next year
    result = forecast(history(series), 12)
    # Then the typical forecast barely moves over the year, and none swings like a season
    forecast_by_series = result.groupby("series_id")["forecast"]
    swing = (forecast_by_series.max() - forecast_by_series.min()) / forecast_by_series.mean()
    assert swing.median() < 0.05
    assert swing.max() < 0.4
