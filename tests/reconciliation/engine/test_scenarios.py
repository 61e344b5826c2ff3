"""Levers through the supply engine to the facts, on the hand-checkable case in `cases`."""

from __future__ import annotations

import pandas as pd
import pytest

from reconciliation.engine import TOTAL, Lever, LeverError, ScenarioBase, apply_levers
from reconciliation.engine.scenario import recommendation_problems, run_scenario
from tests.reconciliation.engine.cases import CONFIG, HORIZON, PRICES, base


def _horizon(facts: pd.DataFrame) -> pd.DataFrame:
    return facts.groupby("family").sum(numeric_only=True)


def test_baseline_serves_all_demand_at_snapshot_prices() -> None:
    facts = _horizon(run_scenario(base(), [], CONFIG).facts)
    # F1 made: 1800 x 7.35; F2's ocean lane (2 months) serves March only: 200 x 15.99,
    # and 400 x 15.99 = 6396.00 is at risk
    assert facts.loc["F1", "revenue_eur"] == pytest.approx(13230.00, abs=0.005)
    assert facts.loc["F2", "revenue_eur"] == pytest.approx(3198.00, abs=0.005)
    assert facts.loc[TOTAL, "revenue_at_risk_eur"] == pytest.approx(6396.00, abs=0.005)


def test_demand_plus_ten_percent_on_one_family_changes_only_that_family() -> None:
    # given the baseline and a +10 % demand lever on F1
    before = _horizon(run_scenario(base(), [], CONFIG).facts)
    after = _horizon(run_scenario(base(), [Lever("demand_change", family="F1", pct=10.0)],
                                  CONFIG).facts)  # fmt: skip
    # then F1's revenue is 10 % higher (660 x 3 x 7.35) and F2's is unchanged to the cent
    assert after.loc["F1", "revenue_eur"] == pytest.approx(14553.00, abs=0.005)
    assert after.loc["F2", "revenue_eur"] == pytest.approx(
        before.loc["F2", "revenue_eur"], abs=0.005
    )
    assert after.loc["F2", "cogs_eur"] == pytest.approx(before.loc["F2", "cogs_eur"], abs=0.005)


def test_capacity_cut_creates_the_expected_shortage_and_revenue_at_risk() -> None:
    # given LINE cut by 50 % (500 h = 500 units a month) against 600 a month of P1 demand
    result = run_scenario(base(), [Lever("capacity_change", resource="LINE", pct=-50.0)], CONFIG)
    facts = _horizon(result.facts)
    # then 100 units a month are lost: 300 x 7.35 = 2205.00 at risk, revenue 1500 x 7.35
    assert facts.loc["F1", "lost_sales_units"] == pytest.approx(300.0, abs=1e-6)
    assert facts.loc["F1", "revenue_at_risk_eur"] == pytest.approx(2205.00, abs=0.005)
    assert facts.loc["F1", "revenue_eur"] == pytest.approx(11025.00, abs=0.005)
    assert facts.loc["F2", "revenue_at_risk_eur"] == pytest.approx(6396.00, abs=0.005)  # as before
    made = result.plan.shortages.loc[lambda f: f["product"] == "P1"]
    assert made["shortage_units"].sum() == pytest.approx(300.0, abs=1e-6)


def test_capacity_cut_in_one_month_only_is_covered_by_building_ahead() -> None:
    lever = Lever("capacity_change", resource="LINE", hours=-450.0,
                  first_month=HORIZON[2], last_month=HORIZON[2])  # fmt: skip
    facts = _horizon(run_scenario(base(), [lever], CONFIG).facts)
    # March has 550 h: 50 units are built ahead in February, nothing is lost
    assert facts.loc["F1", "lost_sales_units"] == pytest.approx(0.0, abs=1e-6)


def test_air_freight_allowed_serves_what_a_long_ocean_lane_cannot() -> None:
    # P2's only lane is ocean with 2 months lead time: January and February are lost
    ocean = _horizon(run_scenario(base(), [], CONFIG).facts)
    assert ocean.loc["F2", "lost_sales_units"] == pytest.approx(400.0, abs=1e-6)
    # allowing air (same month, 15 % of cost per unit) serves them at the premium
    air = _horizon(run_scenario(base(), [Lever("air_freight", allow=True)], CONFIG).facts)
    assert air.loc["F2", "lost_sales_units"] == pytest.approx(0.0, abs=1e-6)
    assert air.loc["F2", "transport_cost_eur"] == pytest.approx(
        400 * 10.05 * 0.15 + 200 * 0.5, abs=0.01
    )


def test_price_change_moves_revenue_not_volume() -> None:
    lever = Lever("price_change", product="P2", pct=-10.0, first_month=HORIZON[1])
    facts = _horizon(run_scenario(base(), [lever, Lever("air_freight", allow=True)], CONFIG).facts)
    assert facts.loc["F2", "served_units"] == pytest.approx(600.0, abs=1e-6)
    assert facts.loc["F2", "revenue_eur"] == pytest.approx(
        200 * 15.99 + 400 * 15.99 * 0.9, abs=0.005
    )


def test_forecast_interval_scales_demand_by_bound_over_statistical() -> None:
    intervals = pd.DataFrame({"product": ["P1"] * 3, "period": list(HORIZON),
                              "statistical_units": 600.0, "lower_units": 480.0,
                              "upper_units": 750.0})  # fmt: skip
    scenario = ScenarioBase(supply=base().supply, prices=PRICES, intervals=intervals)
    worst = apply_levers(scenario, [Lever("forecast_interval", bound="lower")])
    demand = worst.supply.demand.groupby("product")["demand_units"].sum()
    assert demand["P1"] == pytest.approx(1440.0)
    assert demand["P2"] == pytest.approx(600.0)  # no interval: unchanged


def test_a_bad_lever_names_its_position_and_field() -> None:
    with pytest.raises(LeverError, match=r"Lever 2 \(capacity_change\): resource: unknown"):
        apply_levers(base(), [Lever("demand_change", pct=5.0),
                              Lever("capacity_change", resource="NOPE", pct=5.0)])  # fmt: skip
    with pytest.raises(LeverError, match="scope matches no demand row"):
        apply_levers(base(), [Lever("demand_change", family="ZZ", pct=5.0)])


def test_levers_leave_the_baseline_frames_untouched() -> None:
    scenario = base()
    apply_levers(scenario, [Lever("demand_change", pct=50.0)])
    assert scenario.supply.demand["demand_units"].sum() == pytest.approx(2400.0)


def test_stale_scenario_is_refused_for_recommendation() -> None:
    problems = recommendation_problems(stale=True, has_results=True, active=False)
    assert problems and "stale" in problems[0]
    assert recommendation_problems(stale=False, has_results=True, active=False) == []
    assert recommendation_problems(stale=False, has_results=False, active=False)
