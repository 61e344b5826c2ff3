"""The engine on ordinary planner inputs that went wrong (issue 13): each family of inputs.

Right values and their sources:
* seasonality on exactly 24 months: the forecast must do at least about as well as repeating
  last year (seasonal naive), the textbook floor for a seasonal series (Hyndman &
  Athanasopoulos, FPP3 5.2); white noise must rarely be called seasonal (a 5 % test rejects
  5 % of noise by construction; we require < 5 % over all lengths from 24 to 60 months);
* launch ramps and spikes: no forecast above twice the highest month ever sold
  (`guards.GROWTH_CAP`), nothing infinite, everything fits numeric(16, 2);
* a single order then nothing: over the horizon the item cannot be expected to sell more
  than it ever sold (here: less than one unit a month), and a run of k empty months never
  forecasts more than a run of k - 1 (the forecast falls monotonically with the run).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from demand.engine import api, forecast
from demand.engine.guards import FALLBACK, GROWTH_CAP, MAX_UNITS
from tests.demand.engine.helpers import forecast_of, history

MONTHS_24 = pd.period_range(end=pd.Period("2026-10", freq="M"), periods=24, freq="M")


def _summer_peak(months: pd.PeriodIndex, amplitude: float) -> np.ndarray:
    return 1.0 + amplitude * np.cos((months.month.to_numpy() - 7) / 12 * 2 * np.pi)


@pytest.mark.parametrize("seed", range(5))
def test_exactly_24_months_of_a_seasonal_product_get_a_seasonal_forecast(seed: int) -> None:
    # Given two years of a product peaking in July (30 % amplitude, 8 % noise)
    rng = np.random.default_rng(seed)
    truth = 200.0 * _summer_peak(MONTHS_24, 0.3)
    values = truth * (1.0 + rng.normal(0.0, 0.08, 24))
    # When forecasting the next year
    result = forecast(history({"sku": values}), 12)
    # Then the model is seasonal and its error against the true pattern is no worse than
    # repeating last year's months (the issue measured 2.94 x that error)
    point = forecast_of(result, "sku")
    assert "seasonal" in result["model"].iloc[0]
    error = np.mean(np.abs(point - truth[:12]))
    naive_error = np.mean(np.abs(values[-12:] - truth[:12]))
    assert error <= 1.1 * naive_error
    assert point.argmax() in (7, 8, 9)  # forecast months start in November: July is index 8


def test_pure_noise_is_rarely_given_a_seasonal_model() -> None:
    # Given 600 series of white noise, 24 to 60 months long
    rng = np.random.default_rng(42)
    lengths = rng.integers(24, 61, 600)
    series = {f"noise{i}": 100.0 + rng.normal(0.0, 15.0, n) for i, n in enumerate(lengths)}
    # When forecasting them
    result = forecast(history(series), 12)
    # Then fewer than 5 % get a seasonal model (the issue measured 15.5 %)
    models = result.groupby("series_id")["model"].first()
    assert models.str.contains("seasonal").mean() < 0.05


@pytest.mark.parametrize("ramp", [[20, 45, 70, 90], [20, 45, 70, 90, 110], [5, 30, 90, 200]])
def test_a_launch_ramp_grows_but_never_explodes(ramp: list[float]) -> None:
    # Given a product a few months after launch, still ramping up
    result = forecast(history({"new": ramp}), 18)
    point = forecast_of(result, "new")
    # Then the 18 months stay finite and within twice its best month (3,305 before)
    assert np.all(np.isfinite(result[["forecast", "lower", "upper"]].to_numpy()))
    assert point.max() <= GROWTH_CAP * max(ramp) + 1e-9
    # And the ramp is not forecast to collapse either
    assert point[0] >= 0.8 * ramp[-1]


@pytest.mark.parametrize("months", [6, 12, 24, 36])
@pytest.mark.parametrize("position", [-1, -2, -7])
def test_a_spike_month_gives_a_bounded_forecast(months: int, position: int) -> None:
    # Given ~400 units a month and one month of 90,293 (the case gave 5.9e14)
    rng = np.random.default_rng(months)
    values = 400.0 + rng.normal(0.0, 40.0, months)
    values[position % months] = 90_293.0
    result = forecast(history({"s": values}), 18)
    numbers = result[["forecast", "lower", "upper"]].to_numpy()
    # Then every value is finite, fits the database column, and the forecast stays within
    # twice the largest month
    assert np.all(np.isfinite(numbers)) and numbers.max() < MAX_UNITS
    assert forecast_of(result, "s").max() <= GROWTH_CAP * 90_293.0
    # And a spike that is not the last month hardly moves the forecast
    if position != -1 and months >= 12:
        assert forecast_of(result, "s").mean() == pytest.approx(400.0, rel=0.15)


def test_a_series_that_cannot_be_forecast_falls_back_by_name_and_the_others_are_untouched() -> None:
    # Given a series so large that every model overflows, next to a normal one
    normal = 50.0 + np.arange(36) % 4
    given = history({"huge": np.full(36, 1e300), "normal": normal})
    alone = forecast(history({"normal": normal}), 6)
    # When forecasting both
    result = forecast(given, 6)
    # Then the huge one is named as a fallback, capped to what the database can hold
    huge = result[result["series_id"] == "huge"]
    assert set(huge["model"]) == {FALLBACK}
    assert huge[["forecast", "lower", "upper"]].to_numpy().max() <= MAX_UNITS
    # And the normal one is forecast exactly as on its own
    assert forecast_of(result, "normal") == pytest.approx(forecast_of(alone, "normal"))


def test_one_order_followed_by_nothing_is_not_forecast_every_month() -> None:
    # Given one 500-unit order, then eleven months without a sale
    result = forecast(history({"one-off": [500.0] + [0.0] * 11}), 18)
    point = forecast_of(result, "one-off")
    # Then the next 18 months together do not exceed what it ever sold (425 a month before)
    assert point.sum() <= 500.0
    assert point.max() < 1.0


def test_more_empty_months_at_the_end_never_forecast_more() -> None:
    # Given the same steady history (about 20 a month for 18 months) followed by 0..8 empty
    # months (from 6 on, the zeros used to switch the item to Croston's method)
    rng = np.random.default_rng(3)
    steady = list(20.0 + rng.normal(0.0, 2.0, 18))
    levels = [
        forecast_of(forecast(history({"s": steady + [0.0] * k}), 6), "s").mean()
        for k in range(0, 9)
    ]
    # Then the forecast falls (or stays) with every further empty month, to the stored
    # precision (hundredths), and after 3 it is near zero (6 months gave 12.35 while 3-5 gave 0)
    assert all(round(b, 2) <= round(a, 2) for a, b in itertools.pairwise(levels))
    assert max(levels[3:]) < 1.0


def test_an_intermittent_item_keeps_its_rate_through_a_normal_gap() -> None:
    # Given a slow mover selling about one month in three, the last sale three months ago
    pattern = [0.0, 0.0, 6.0] * 10 + [0.0, 0.0, 0.0]
    point = forecast_of(forecast(history({"slow": pattern}), 6), "slow")
    # Then it is still forecast near its average rate (2 a month), not written off
    assert point.mean() == pytest.approx(2.0, rel=0.5)


def test_a_series_whose_model_raises_falls_back_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a model that raises on any batch holding a month above 10,000 units
    real = api.forecast_batch

    def fragile(batch, horizon, season_length):  # type: ignore[no-untyped-def]
        if batch.values.max() > 10_000:
            raise FloatingPointError("overflow in the trend model")
        return real(batch, horizon, season_length)

    monkeypatch.setattr(api, "forecast_batch", fragile)
    given = history({"bad": np.full(24, 20_000.0), "good": 30.0 + np.arange(24) % 3})
    # When forecasting both
    result = forecast(given, 6)
    # Then the good one gets its model and the bad one the named fallback (its 12-month mean)
    models = result.groupby("series_id")["model"].first()
    assert models["bad"] == FALLBACK and models["good"] != FALLBACK
    assert forecast_of(result, "bad") == pytest.approx(np.full(6, 20_000.0))
