"""Demand statistics from a monthly history."""

import numpy as np
import pandas as pd
import pytest

from inventory.engine.demand_stats import demand_statistics


def _history() -> pd.DataFrame:
    months = pd.period_range("2025-01", periods=6, freq="M")
    demand_a = [10.0, 12.0, 8.0, 10.0, 14.0, 6.0]
    rows: list[tuple[str, str, pd.Period, float, float]] = [
        ("a", "s", month, demand, 10.0) for month, demand in zip(months, demand_a, strict=True)
    ]
    # b: launched in March, zero-demand months omitted as ERP extracts do
    rows += [("b", "s", months[2], 4.0, np.nan), ("b", "s", months[5], 2.0, np.nan)]
    return pd.DataFrame(
        rows, columns=["product", "site", "period", "demand_units", "forecast_units"]
    )


def test_given_history_then_mean_sd_and_annual_demand_per_item() -> None:
    stats = demand_statistics(_history()).set_index("product")
    assert stats.loc["a", "mean_demand_per_month"] == pytest.approx(10.0)
    assert stats.loc["a", "sd_demand_per_month"] == pytest.approx(
        np.std([10, 12, 8, 10, 14, 6], ddof=1)
    )
    assert stats.loc["a", "annual_demand_units"] == pytest.approx(120.0)


def test_given_missing_months_after_launch_then_they_count_as_zero_but_pre_launch_does_not() -> (
    None
):
    stats = demand_statistics(_history()).set_index("product")
    # b is active March..June: 4, 0, 0, 2
    assert stats.loc["b", "mean_demand_per_month"] == pytest.approx(1.5)
    assert stats.loc["b", "adi_periods"] == pytest.approx(2.0)
    assert stats.loc["b", "cv2_nonzero"] == pytest.approx(np.var([4, 2], ddof=1) / 9.0)
    assert stats.loc["a", "adi_periods"] == pytest.approx(1.0)


def test_given_forecasts_then_rmse_needs_enough_error_periods() -> None:
    stats = demand_statistics(_history()).set_index("product")
    errors = np.array([0, 2, -2, 0, 4, -4])
    assert stats.loc["a", "sd_forecast_error_per_month"] == pytest.approx(
        np.sqrt(np.mean(errors**2))
    )
    assert pd.isna(stats.loc["b", "sd_forecast_error_per_month"])
    strict = demand_statistics(_history(), min_error_periods=7).set_index("product")
    assert pd.isna(strict.loc["a", "sd_forecast_error_per_month"])
