"""KPIs on a hand-computed two-product example."""

import numpy as np
import pandas as pd
import pytest

from inventory.engine.kpis import inventory_kpis, kpis_by_period
from inventory.engine.projection import project_inventory

WEEKS_PER_MONTH = 52 / 12


@pytest.fixture
def projection() -> pd.DataFrame:
    # Given two products of one family over three months, no supply:
    #   a: opening 60, demand 10/month, cost 2 -> closing 50, 40, 30 units = 100, 80, 60 value
    #   b: opening 30, demand 10/month, cost 1 -> closing 20, 10, 0 units  =  20, 10,  0 value
    months = pd.period_range("2026-01", periods=3, freq="M")
    flows = pd.DataFrame(
        {
            "product": ["a"] * 3 + ["b"] * 3,
            "site": "s",
            "period": list(months) * 2,
            "demand_units": 10.0,
        }
    )
    positions = pd.DataFrame(
        {
            "product": ["a", "b"], "site": "s", "opening_stock_units": [60.0, 30.0],
            "safety_stock_units": 0.0, "unit_cost": [2.0, 1.0], "family": "f", "lifecycle": "active",
        }
    )  # fmt: skip
    return project_inventory(flows, positions)


def test_given_product_level_then_value_turns_dio_by_hand(projection: pd.DataFrame) -> None:
    kpis = inventory_kpis(projection, by=["product"]).set_index("product")
    # a: average value (100+80+60)/3 = 80; COGS 60 over 3 months -> 240/year; turns 3; DIO 121.67
    assert kpis.loc["a", "average_inventory_value"] == pytest.approx(80.0)
    assert kpis.loc["a", "annual_cogs_value"] == pytest.approx(240.0)
    assert kpis.loc["a", "turns_per_year"] == pytest.approx(3.0)
    assert kpis.loc["a", "dio_days"] == pytest.approx(365.0 / 3.0)
    # a: opening 120 value vs future demand 20/month within horizon, then run rate 20 -> 6 months
    assert kpis.loc["a", "opening_weeks_of_supply"] == pytest.approx(6.0 * WEEKS_PER_MONTH)
    # b: average value 10, annual COGS 120 -> 12 turns, DIO 30.42; opening 30 = exactly 3 months
    assert kpis.loc["b", "turns_per_year"] == pytest.approx(12.0)
    assert kpis.loc["b", "opening_weeks_of_supply"] == pytest.approx(3.0 * WEEKS_PER_MONTH)


def test_given_family_and_total_then_values_add_up_before_ratios(projection: pd.DataFrame) -> None:
    family = inventory_kpis(projection, by=["family"]).iloc[0]
    total = inventory_kpis(projection).iloc[0]
    # average (120 + 90 + 60) / 3 = 90; annual COGS (30 * 3) * 4 = 360 -> 4 turns, DIO 91.25
    for row in (family, total):
        assert row["average_inventory_value"] == pytest.approx(90.0)
        assert row["ending_inventory_value"] == pytest.approx(60.0)
        assert row["turns_per_year"] == pytest.approx(4.0)
        assert row["dio_days"] == pytest.approx(91.25)
        # opening 150 value: 30, 30, 30 within horizon, then 60 left at run rate 30 -> 5 months
        assert row["opening_weeks_of_supply"] == pytest.approx(5.0 * WEEKS_PER_MONTH)
    assert family["family"] == "f"


def test_given_by_period_then_forward_cover_of_each_closing(projection: pd.DataFrame) -> None:
    per_period = kpis_by_period(projection, by=["family"])
    assert list(per_period["closing_value"]) == [120.0, 90.0, 60.0]
    # 120 covers Feb 30 + Mar 30 then run rate 30 -> 4 months; 90 -> 3; 60 -> 2
    assert list(per_period["weeks_of_supply"]) == pytest.approx(
        [4 * WEEKS_PER_MONTH, 3 * WEEKS_PER_MONTH, 2 * WEEKS_PER_MONTH]
    )


def test_given_no_demand_then_turns_zero_and_dio_infinite(projection: pd.DataFrame) -> None:
    idle = projection.assign(demand_value=0.0)
    row = inventory_kpis(idle).iloc[0]
    assert row["turns_per_year"] == 0.0
    assert np.isinf(row["dio_days"])
