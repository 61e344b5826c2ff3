"""Short histories, zeros, negatives, gaps, outliers, new items and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from demand.engine import HistoryError, forecast, forecast_new_item
from tests.demand.engine.helpers import LAST_MONTH, forecast_of, history, seasonal_pattern


def test_all_zero_history_forecasts_zero():
    result = forecast(history({"dead": [0.0] * 24}), 6)
    assert (result[["forecast", "lower", "upper"]] == 0.0).all().all()
    assert set(result["model"]) == {"zero"}


def test_two_months_of_history_give_their_mean():
    result = forecast(history({"new": [10.0, 20.0]}), 3)
    assert forecast_of(result, "new") == pytest.approx([15.0, 15.0, 15.0])
    assert set(result["model"]) == {"mean"}
    assert (result["upper"] > result["forecast"]).all()


def test_a_single_month_of_history_is_carried_forward():
    result = forecast(history({"launch": [8.0]}), 2)
    assert forecast_of(result, "launch") == pytest.approx([8.0, 8.0])


def test_negative_months_count_as_no_demand_and_nothing_is_negative():
    # Given net returns exceeding sales in some months
    values = np.array([5.0, -3.0, 4.0, -10.0] * 6)
    result = forecast(history({"returns": values}), 6)
    # Then no forecast or bound is negative, and it equals the history with 0s instead
    assert (result[["forecast", "lower", "upper"]] >= 0.0).all().all()
    clipped = forecast(history({"returns": np.maximum(values, 0.0)}), 6)
    assert forecast_of(result, "returns") == pytest.approx(forecast_of(clipped, "returns"))


def test_downward_trend_is_never_forecast_below_zero():
    result = forecast(history({"falling": 100.0 - 4.0 * np.arange(24)}), 18)
    assert (result["forecast"] >= 0.0).all() and (result["lower"] >= 0.0).all()


def test_a_missing_month_row_means_no_demand_that_month():
    # Given a history with one month's row absent
    values = 30.0 + np.arange(24) % 5
    full = history({"s": np.where(np.arange(24) == 10, 0.0, values)})
    gapped = history({"s": values}).drop(index=10)
    # Then it is forecast as if that month had sold 0
    assert forecast_of(forecast(gapped, 6), "s") == pytest.approx(
        forecast_of(forecast(full, 6), "s")
    )


def test_an_unknown_quantity_is_interpolated_from_its_neighbours():
    values = 30.0 + 2.0 * np.arange(24)
    unknown = history({"s": values})
    unknown.loc[12, "quantity"] = np.nan
    expected = forecast_of(forecast(history({"s": values}), 6), "s")
    assert forecast_of(forecast(unknown, 6), "s") == pytest.approx(expected)


def test_a_series_that_ended_early_is_zero_filled_to_the_common_origin():
    # Given one series whose rows stop six months before the other's
    given = pd.concat(
        [history({"live": [10.0] * 24}), history({"gone": [10.0] * 24}, LAST_MONTH - 6)]
    )
    result = forecast(given, 3)
    # Then both are forecast from the month after the latest history month
    assert result.groupby("series_id")["period"].min().eq(LAST_MONTH + 1).all()
    assert forecast_of(result, "gone")[0] < forecast_of(result, "live")[0]


def test_leading_zero_months_before_launch_are_ignored():
    launched = 50.0 + np.arange(20) % 3
    padded = np.concatenate([np.zeros(16), launched])
    with_zeros = forecast(history({"s": padded}), 6)
    without = forecast(history({"s": launched}), 6)
    assert forecast_of(with_zeros, "s") == pytest.approx(forecast_of(without, "s"))
    assert "SBA" not in set(with_zeros["model"])


def test_a_one_month_spike_does_not_lift_the_forecast():
    rng = np.random.default_rng(2)
    values = 100.0 + rng.normal(0, 3, 36)
    values[30] = 1000.0  # a one-off bulk order
    result = forecast_of(forecast(history({"s": values}), 6), "s")
    assert result == pytest.approx(np.full(6, 100.0), rel=0.05)


def test_timestamps_in_give_month_start_timestamps_out():
    given = history({"s": seasonal_pattern(36)})
    given["period"] = given["period"].dt.to_timestamp() + pd.Timedelta(days=14)
    result = forecast(given, 2)
    assert list(result["period"]) == [pd.Timestamp("2026-11-01"), pd.Timestamp("2026-12-01")]


def test_new_item_is_its_like_item_scaled():
    like = forecast(history({"LIKE": seasonal_pattern(36)}), 12)
    result = forecast_new_item(like, 0.4, series_id="NEW")
    assert set(result["series_id"]) == {"NEW"}
    for column in ("forecast", "lower", "upper"):
        assert result[column].to_numpy() == pytest.approx(0.4 * like[column].to_numpy())
    assert result["model"].iloc[0] == "like-item LIKE x 0.4"
    assert list(result["period"]) == list(like["period"])


def test_new_item_rejects_a_negative_scale():
    like = forecast(history({"LIKE": [5.0] * 12}), 3)
    with pytest.raises(HistoryError, match="scale"):
        forecast_new_item(like, -1.0)


def test_empty_history_gives_an_empty_forecast():
    empty = pd.DataFrame({"series_id": [], "period": [], "quantity": []})
    assert forecast(empty, 6).empty


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="quantity"), "missing column"),
        (
            lambda f: f.assign(quantity=f["quantity"].astype(object).where(f.index != 3, "ten")),
            "row 3: quantity",
        ),
        (
            lambda f: f.assign(period=f["period"].astype(object).where(f.index != 2, "soon")),
            "row 2: period",
        ),
        (lambda f: pd.concat([f, f.iloc[[4]]]), "row 4: a second row"),
    ],
)
def test_bad_history_names_the_row_and_field(change, message):
    with pytest.raises(HistoryError, match=message):
        forecast(change(history({"s": [1.0] * 12})), 3)


@pytest.mark.parametrize("horizon", [0, -1, 2.5])
def test_horizon_must_be_a_positive_whole_number(horizon):
    with pytest.raises(HistoryError, match="horizon"):
        forecast(history({"s": [1.0] * 12}), horizon)
