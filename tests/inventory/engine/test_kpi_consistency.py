"""Turns, DIO and weeks of supply never contradict each other on any row (issue 13).

Seen before: 35,771 turns with 0 days of inventory and 4.4 weeks of supply (turns and DIO on
the horizon's average stock, weeks on the opening stock), 6,060 days with 0.0 weeks. All three
now read the same month-end stock (see `inventory.engine.kpis`); the relations below are the
ones a planner relies on when reading a row, checked on random projections for item, family
and total rows.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inventory.engine.kpis import inventory_kpis
from inventory.engine.projection import project_inventory

WEEKS_PER_YEAR = 52.0
DAYS_PER_YEAR = 365.0


def assert_consistent(row: pd.Series) -> None:
    """The relations every KPI row satisfies (module docstring of `inventory.engine.kpis`)."""
    turns, dio, weeks = row["turns_per_year"], row["dio_days"], row["weeks_of_supply"]
    stock, cogs = row["average_inventory_value"], row["annual_cogs_value"]
    where = f"row {row.to_dict()}"
    assert weeks >= 0 and not math.isnan(weeks), where
    if stock == 0 and cogs == 0:
        assert math.isnan(turns) and math.isnan(dio) and weeks == 0, where
    elif stock == 0:
        assert turns == math.inf and dio == 0 and weeks == 0, where
    elif cogs == 0:
        assert turns == 0 and dio == math.inf and weeks == math.inf, where
    else:
        assert turns * dio == pytest.approx(DAYS_PER_YEAR, rel=1e-9), where
        assert weeks > 0, where


def _projection(stock: list[float], demand: list[list[float]], supply: list[list[float]]
                ) -> pd.DataFrame:  # fmt: skip
    months = pd.period_range("2027-01", periods=len(demand[0]), freq="M")
    items = len(stock)
    flows = pd.DataFrame({
        "product": np.repeat([f"p{i}" for i in range(items)], len(months)), "site": "s",
        "period": list(months) * items, "demand_units": np.ravel(demand),
        "planned_supply_units": np.ravel(supply),
    })  # fmt: skip
    positions = pd.DataFrame({
        "product": [f"p{i}" for i in range(items)], "site": "s", "opening_stock_units": stock,
        "safety_stock_units": 0.0, "unit_cost": [1.0 + i for i in range(items)],
        "family": [f"f{i % 2}" for i in range(items)], "lifecycle": "active",
    })  # fmt: skip
    return project_inventory(flows, positions)


quantities = st.sampled_from([0.0, 0.01, 1.0, 5.0, 40.0, 300.0, 5_000.0])


@st.composite
def plans(draw: st.DrawFn) -> tuple[list[float], list[list[float]], list[list[float]]]:
    items, months = draw(st.integers(1, 4)), draw(st.integers(1, 8))
    grid = st.lists(st.lists(quantities, min_size=months, max_size=months),
                    min_size=items, max_size=items)  # fmt: skip
    stock = draw(st.lists(quantities, min_size=items, max_size=items))
    return stock, draw(grid), draw(grid)


@settings(max_examples=150, deadline=None)
@given(plans())
def test_given_any_projection_then_every_kpi_row_is_consistent(
    plan: tuple[list[float], list[list[float]], list[list[float]]],
) -> None:
    projection = _projection(*plan)
    for by in (["product"], ["family"], []):
        for _, row in inventory_kpis(projection, by=by).iterrows():
            assert_consistent(row)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([1.0, 7.0, 120.0]), st.lists(quantities, min_size=1, max_size=12))
def test_given_level_demand_then_weeks_of_supply_and_dio_are_the_same_stock(
    level: float, supply: list[float]
) -> None:
    # Given level demand and any supply: weeks and days measure one average stock
    projection = _projection([sum(supply)], [[level] * len(supply)], [supply])
    row = inventory_kpis(projection).iloc[0]
    assert_consistent(row)
    if 0 < row["dio_days"] < math.inf:
        assert row["weeks_of_supply"] == pytest.approx(
            row["dio_days"] * WEEKS_PER_YEAR / DAYS_PER_YEAR
        )


def test_given_stock_used_up_in_the_first_month_then_turns_days_and_weeks_agree() -> None:
    # Given the first case: a month of stock on hand, then supply just in time
    row = inventory_kpis(_projection([100.0], [[100.0] * 6], [[0.0] + [100.0] * 5])).iloc[0]
    # Then no stock at any month-end: infinite turns, 0 days and 0 weeks (not 4.3 weeks)
    assert (row["turns_per_year"], row["dio_days"], row["weeks_of_supply"]) == (math.inf, 0, 0)
    assert row["opening_weeks_of_supply"] == pytest.approx(52 / 12)


def test_given_stock_arriving_after_an_empty_start_then_weeks_are_not_zero() -> None:
    # Given the second case: nothing on hand, then far more stock than demand
    row = inventory_kpis(_projection([0.0], [[1.0] * 6], [[0.0, 0.0, 500.0, 0.0, 0.0, 0.0]])).iloc[
        0
    ]
    assert row["dio_days"] > 1_000
    # Then weeks of supply read the same large stock (not the 0.0 of the empty opening)
    assert row["weeks_of_supply"] == pytest.approx(row["dio_days"] * 52 / 365)
