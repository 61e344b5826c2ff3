"""The engine on small series whose right forecast is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from demand.engine import FORECAST_COLUMNS, forecast
from tests.demand.engine.helpers import LAST_MONTH, forecast_of, history, seasonal_pattern


def test_constant_demand_is_forecast_flat_at_its_level():
    # Given 24 months of exactly 50 units
    given = history({"flat": [50.0] * 24})
    # When forecasting a year
    result = forecast(given, 12)
    # Then every month is 50 and the interval holds it
    assert forecast_of(result, "flat") == pytest.approx(np.full(12, 50.0), abs=1e-6)
    assert (result["lower"] <= 50.0 + 1e-6).all() and (result["upper"] >= 50.0 - 1e-6).all()


def test_linear_trend_is_continued():
    # Given demand growing by 2 units a month
    given = history({"growing": 10.0 + 2.0 * np.arange(36)})
    # When forecasting six months
    result = forecast_of(forecast(given, 6), "growing")
    # Then the forecast keeps climbing along the line (within 2 %)
    expected = 10.0 + 2.0 * np.arange(36, 42)
    assert result == pytest.approx(expected, rel=0.02)
    assert np.all(np.diff(result) > 0)


def test_pure_seasonal_demand_repeats_last_years_pattern():
    # Given three years of the same seasonal cycle
    given = history({"seasonal": seasonal_pattern(36)})
    # When forecasting a year
    result = forecast(given, 12)
    # Then next year is the same cycle, and the model says it is seasonal
    assert forecast_of(result, "seasonal") == pytest.approx(seasonal_pattern(12), rel=0.01)
    assert "seasonal" in result["model"].iloc[0]


def test_noisy_seasonal_demand_keeps_its_peak_month():
    # Given four noisy years peaking every March
    rng = np.random.default_rng(3)
    months = pd.period_range(end=LAST_MONTH, periods=48, freq="M")
    values = 100.0 + 60.0 * (months.month == 3) + rng.normal(0, 5, 48)
    given = history({"march": values})
    # When forecasting a year
    result = forecast(given, 12)
    # Then March is the forecast's peak month
    peak = result.loc[result["forecast"].idxmax(), "period"]
    assert peak.month == 3


def test_intermittent_demand_gets_a_flat_croston_rate():
    # Given six units sold in one month out of three on average, at random
    rng = np.random.default_rng(4)
    given = history({"spare": 6.0 * (rng.random(36) < 1 / 3)})
    # When forecasting
    result = forecast(given, 6)
    rate = forecast_of(result, "spare")
    # Then SBA forecasts a flat rate near the average of 1 unit a month the history shows
    assert set(result["model"]) == {"SBA"}
    assert np.allclose(rate, rate[0])
    assert given["quantity"].mean() == pytest.approx(1.0)
    assert 0.7 <= rate[0] <= 1.3


def test_item_that_stopped_selling_decays_with_tsb():
    # Given regular sporadic sales that stopped 18 months ago
    given = history({"fading": [4.0, 0.0] * 9 + [0.0] * 18})
    # When forecasting
    result = forecast(given, 6)
    # Then TSB forecasts well below the historic rate of 2 a month
    assert set(result["model"]) == {"TSB"}
    assert forecast_of(result, "fading")[0] < 1.0


def test_one_row_per_series_and_future_month_with_contract_columns():
    # Given two series
    given = history({"a": [5.0] * 30, "b": seasonal_pattern(40)})
    # When forecasting 18 months
    result = forecast(given, 18)
    # Then the columns are the contract's and months follow the last history month
    assert list(result.columns) == FORECAST_COLUMNS
    assert len(result) == 36
    assert result.groupby("series_id")["period"].min().eq(LAST_MONTH + 1).all()
    assert result.groupby("series_id")["period"].max().eq(LAST_MONTH + 18).all()
    assert (result["lower"] <= result["forecast"]).all()
    assert (result["forecast"] <= result["upper"]).all()


def test_each_series_is_forecast_as_if_alone():
    # Given series of different lengths forecast together
    rng = np.random.default_rng(11)
    series = {
        "long": seasonal_pattern(60) + rng.normal(0, 4, 60),
        "short": 20.0 + rng.normal(0, 2, 14),
        "mid": 40.0 + 0.5 * np.arange(30) + rng.normal(0, 3, 30),
    }
    together = forecast(history(series), 12)
    # Then each matches its own solo forecast
    for name, values in series.items():
        alone = forecast(history({name: values}), 12)
        assert forecast_of(together, name) == pytest.approx(forecast_of(alone, name))


@pytest.mark.parametrize("kind", ["noisy level", "random walk"])
def test_80_percent_interval_holds_about_80_percent_of_outcomes(kind):
    # Given 200 simulated series and their next 12 months
    rng = np.random.default_rng(0)
    steps = rng.normal(0, 10, (200, 72))
    paths = 100.0 + steps if kind == "noisy level" else 300.0 + np.cumsum(steps / 2, axis=1)
    given = history({str(i): path[:60] for i, path in enumerate(paths)})
    # When forecasting them
    result = forecast(given, 12)
    lower = result["lower"].to_numpy().reshape(200, 12)
    upper = result["upper"].to_numpy().reshape(200, 12)
    # Then between 70 % and 90 % of the actual months fall inside the interval
    inside = (paths[:, 60:] >= lower) & (paths[:, 60:] <= upper)
    assert 0.7 <= inside.mean() <= 0.9


def test_item_selling_only_in_winter_keeps_its_season_instead_of_a_flat_rate():
    # Given three winters of sales and nothing from April to September
    winter = np.array([50.0, 40.0, 20.0, 0, 0, 0, 0, 0, 0, 10.0, 40.0, 60.0])
    months = pd.period_range(end=LAST_MONTH, periods=36, freq="M")
    given = history({"ski": winter[months.month - 1]})
    # When forecasting a year
    result = forecast(given, 12)
    by_month = dict(zip(result["period"].dt.month, result["forecast"], strict=True))
    # Then winter months are forecast near their level and summer near zero
    assert by_month[12] == pytest.approx(60.0, rel=0.1)
    assert by_month[1] == pytest.approx(50.0, rel=0.1)
    assert by_month[6] < 5.0
    assert "seasonal" in result["model"].iloc[0]
