"""KPI definitions on hand-computed cases (no database)."""

from __future__ import annotations

import pytest

from executive.engine import kpis
from executive.engine.definitions import KPI_BY_KEY


def test_tracking_signal_is_running_error_over_mad_positive_when_under_forecast() -> None:
    # given four months selling above a flat forecast: errors 0, 20, 10, 30
    # then Σ(A-F) = 60, MAD = 60 / 4 = 15, tracking signal = +4.0 (at the ±4 limit)
    assert kpis.tracking_signal([100, 120, 110, 130], [100, 100, 100, 100]) == pytest.approx(4.0)


def test_tracking_signal_is_negative_when_over_forecast_and_none_when_perfect() -> None:
    assert kpis.tracking_signal([80, 90], [100, 100]) == pytest.approx(-2.0)
    assert kpis.tracking_signal([100, 100], [100, 100]) is None


def test_bias_is_positive_for_an_over_forecast() -> None:
    # given forecasts 120 and 110 for actuals of 100 each: Σ(F-A) = 30 over ΣA = 200
    assert kpis.forecast_bias_pct([100, 100], [120, 110]) == pytest.approx(15.0)
    assert kpis.forecast_bias_pct([100, 100], [90, 80]) == pytest.approx(-15.0)


def test_wape_weights_by_volume_and_mape_skips_zero_actuals() -> None:
    assert kpis.wape_pct([100, 50], [110, 40]) == pytest.approx(20 / 150 * 100)
    assert kpis.mape_pct([100, 50, 0], [110, 40, 7]) == pytest.approx(15.0)


def test_turns_are_annualised_cogs_over_average_inventory_at_cost() -> None:
    # six months of COGS 600,000 -> 1.2 M a year; average inventory 200,000 at cost -> 6 turns
    assert kpis.inventory_turns(600_000, 200_000, months=6) == pytest.approx(6.0)


def test_dio_is_inventory_over_daily_cogs() -> None:
    # annual COGS 730,000 -> 2,000 a day; 100,000 of inventory lasts 50 days
    assert kpis.days_inventory_outstanding(100_000, 730_000, months=12) == pytest.approx(50.0)


def test_weeks_of_supply_consume_future_months_forward() -> None:
    # 150 units against 100 a month: one full month and half of the next = 1.5 months
    assert kpis.weeks_of_supply(150, [100, 100, 100]) == pytest.approx(1.5 * 52 / 12)
    # stock outlasting the listed months extrapolates at the average requirement
    assert kpis.weeks_of_supply(400, [100, 100]) == pytest.approx(4 * 52 / 12)
    assert kpis.weeks_of_supply(50, [0, 100]) == pytest.approx(1.5 * 52 / 12)
    assert kpis.weeks_of_supply(10, []) is None


def test_attainment_and_deviation_from_consensus() -> None:
    assert kpis.attainment_pct(90, 100) == pytest.approx(90.0)
    assert kpis.deviation_pct(90, 100) == pytest.approx(-10.0)
    assert kpis.deviation_pct(125, 100) == pytest.approx(25.0)
    assert kpis.attainment_pct(5, 0) is None


def test_fill_rate_caps_at_the_requested_units() -> None:
    assert kpis.fill_rate_pct(90, 100) == pytest.approx(90.0)
    assert kpis.fill_rate_pct(120, 100) == pytest.approx(100.0)
    assert kpis.fill_rate_pct(0, 0) is None


def test_every_tile_states_its_formula_and_the_signed_ones_their_convention() -> None:
    assert all(d.formula for d in KPI_BY_KEY.values())
    assert "over-forecast" in KPI_BY_KEY["bias_pct"].sign
    assert "above plan" in KPI_BY_KEY["deviation_pct"].sign
