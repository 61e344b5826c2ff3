"""Monthly projection: exact balance, backorders, flags and forward weeks of supply."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from inventory.engine.cover import forward_cover_weeks
from inventory.engine.projection import (
    PROJECTION_COLUMNS,
    ProjectionConfig,
    project_inventory,
    roll_forward,
)

MONTHS = pd.period_range("2026-01", periods=4, freq="M")


def _positions(**overrides: list) -> pd.DataFrame:
    base = {
        "product": ["a", "b"],
        "site": ["s1", "s1"],
        "opening_stock_units": [30.0, 100.0],
        "safety_stock_units": [10.0, 0.0],
        "unit_cost": [2.0, 1.0],
        "family": ["f1", "f1"],
        "lifecycle": ["active", "phase_out"],
    }
    return pd.DataFrame({**base, **overrides})


def _flows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product": ["a"] * 4 + ["b"] * 4,
            "site": "s1",
            "period": list(MONTHS) * 2,
            "demand_units": [20.0, 20.0, 20.0, 20.0, 1.0, 1.0, 1.0, 1.0],
            "receipts_units": [0.0, 0.0, 0.0, 40.0, 0, 0, 0, 0],
            "planned_supply_units": [0.0, 5.0, 0.0, 0.0, 0, 0, 0, 0],
        }
    )


def _assert_reconciles(projection: pd.DataFrame) -> None:
    flows = projection["opening_units"] + projection["receipts_units"]
    served = projection["demand_units"] - projection["lost_sales_units"]
    flows = flows + projection["planned_supply_units"] - served
    assert (projection["closing_units"] == flows).all()
    same_item = (
        projection[["product", "site"]].eq(projection[["product", "site"]].shift(-1)).all(axis=1)
    )
    carried = projection["opening_units"].shift(-1)
    assert (projection.loc[same_item, "closing_units"] == carried[same_item]).all()


def test_given_flows_when_projected_then_balance_and_carry_forward_hold_exactly() -> None:
    out = project_inventory(_flows(), _positions())
    assert list(out.columns) == list(PROJECTION_COLUMNS)
    _assert_reconciles(out)
    a = out[out["product"] == "a"]
    assert list(a["closing_units"]) == [10.0, -5.0, -25.0, -5.0]
    assert list(a["backorder_units"]) == [0.0, 5.0, 25.0, 5.0]


def test_given_shortfall_then_stockout_below_safety_and_value_only_on_hand() -> None:
    a = project_inventory(_flows(), _positions()).query("product == 'a'")
    assert list(a["stockout"]) == [False, True, True, True]
    assert list(a["below_safety_stock"]) == [False, True, True, True]
    assert list(a["closing_value"]) == [20.0, 0.0, 0.0, 0.0]
    assert list(a["demand_value"]) == [40.0] * 4


def test_given_closing_exactly_at_safety_stock_then_not_below() -> None:
    out = project_inventory(
        _flows(), _positions(opening_stock_units=[30.0, 100.0], safety_stock_units=[10.0, 97.0])
    )
    assert list(out.loc[out["product"] == "b", "below_safety_stock"]) == [False, False, False, True]


def test_given_phase_out_item_with_stock_then_obsolete_and_long_cover_is_excess() -> None:
    b = project_inventory(_flows(), _positions()).query("product == 'b'")
    assert b["obsolete"].all()
    # 99 units at a run rate of 1 unit/month: far beyond 26 weeks
    assert b["excess"].all()
    a = project_inventory(_flows(), _positions()).query("product == 'a'")
    assert not a["obsolete"].any() and not a["excess"].any()


def test_given_item_cover_limit_then_it_overrides_the_default() -> None:
    positions = _positions(max_cover_weeks=[1.0, np.nan])
    a = project_inventory(_flows(), positions).query("product == 'a'")
    # a's January closing of 10 covers half of February's 20: 0.5 month = 2.17 weeks > 1
    assert list(a["excess"]) == [True, False, False, False]


def test_given_closing_then_weeks_of_supply_walks_forward_through_future_demand() -> None:
    out = project_inventory(_flows(), _positions())
    a = out[out["product"] == "a"]
    weeks_per_month = 52 / 12
    assert a["weeks_of_supply"].iloc[0] == pytest.approx(0.5 * weeks_per_month)
    assert a["weeks_of_supply"].iloc[1] == 0.0


def test_given_stock_outlasting_horizon_then_cover_extends_at_run_rate() -> None:
    stock = np.array([[250.0, 150.0, 50.0], [5.0, 5.0, 5.0]])
    demand = np.array([[100.0, 100.0], [0.0, 0.0]])
    cover = forward_cover_weeks(stock, demand, weeks_per_month=1.0, run_rate_months=2)
    assert cover[0].tolist() == pytest.approx([2.5, 1.5, 0.5])
    assert np.isinf(cover[1]).all()


def test_given_missing_months_and_duplicate_rows_then_zero_filled_and_summed() -> None:
    flows = _flows().drop(index=[1, 5])  # no February rows at all for a and b
    flows = pd.concat([flows, flows.iloc[[0]]])  # a's January twice
    out = project_inventory(flows, _positions())
    a = out[out["product"] == "a"]
    assert list(a["demand_units"]) == [40.0, 0.0, 20.0, 20.0]
    _assert_reconciles(out)


def test_given_flows_for_unknown_position_then_rejected() -> None:
    with pytest.raises(ValueError, match="without a position"):
        project_inventory(_flows(), _positions().iloc[:1])


def test_given_config_phase_out_names_then_obsolete_uses_them() -> None:
    config = ProjectionConfig(phase_out_lifecycles=frozenset({"sunset"}))
    out = project_inventory(_flows(), _positions(lifecycle=["active", "Sunset"]), config)
    assert out.loc[out["product"] == "b", "obsolete"].all()


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=6).flatmap(
        lambda rows: st.integers(min_value=1, max_value=12).flatmap(
            lambda months: st.tuples(
                hnp.arrays(float, rows, elements=finite),
                *(hnp.arrays(float, (rows, months), elements=finite) for _ in range(3)),
            )
        )
    )
)
def test_property_any_float_flows_reconcile_bit_for_bit(arrays: tuple[np.ndarray, ...]) -> None:
    opening, receipts, planned, demand = arrays
    opening_grid, closing = roll_forward(opening, receipts, planned, demand)
    assert np.array_equal(closing, opening_grid + receipts + planned - demand)
    assert np.array_equal(opening_grid[:, 1:], closing[:, :-1])
    assert np.array_equal(opening_grid[:, 0], opening)


@settings(max_examples=30, deadline=None)
@given(
    hnp.arrays(float, (3, 5), elements=st.floats(0, 1000, allow_nan=False)),
    hnp.arrays(float, (3, 5), elements=st.floats(0, 1000, allow_nan=False)),
    hnp.arrays(float, 3, elements=st.floats(0, 1000, allow_nan=False)),
)
def test_property_projection_frame_reconciles_exactly(
    demand: np.ndarray, receipts: np.ndarray, opening: np.ndarray
) -> None:
    positions = _positions(
        product=["a", "b", "c"], site=["s"] * 3, opening_stock_units=list(opening),
        safety_stock_units=[1.0] * 3, unit_cost=[1.0] * 3, family=["f"] * 3, lifecycle=["active"] * 3,
    )  # fmt: skip
    flows = pd.DataFrame(
        {
            "product": np.repeat(["a", "b", "c"], 5),
            "site": "s",
            "period": list(pd.period_range("2026-01", periods=5, freq="M")) * 3,
            "demand_units": demand.ravel(),
            "receipts_units": receipts.ravel(),
            "planned_supply_units": receipts.ravel()[::-1] / 3.0,
        }
    )
    _assert_reconciles(project_inventory(flows, positions))


def test_given_lost_sales_then_they_leave_the_balance_and_are_a_stockout_not_a_backorder() -> None:
    # Given opening 10, demand 50 a month, 20 planned supply and the supply plan losing 20
    flows = pd.DataFrame(
        {"product": "a", "site": "s1", "period": list(MONTHS[:2]),
         "demand_units": [50.0, 0.0], "planned_supply_units": [20.0, 0.0],
         "lost_sales_units": [20.0, 0.0]}
    )  # fmt: skip
    positions = _positions(product=["a"], site=["s1"], opening_stock_units=[10.0],
                           safety_stock_units=[0.0], unit_cost=[2.0], family=["f1"],
                           lifecycle=["active"])  # fmt: skip
    # When projected
    out = project_inventory(flows, positions)
    # Then the month closes at 0 (10 + 20 - (50 - 20)), flagged a stockout with no backorder
    first, second = out.iloc[0], out.iloc[1]
    assert (first["closing_units"], first["lost_sales_units"], first["backorder_units"]) == (
        0.0, 20.0, 0.0,
    )  # fmt: skip
    assert bool(first["stockout"]) and first["closing_value"] == 0.0
    # And the next month opens at 0, not -20: lost demand is not carried
    assert second["opening_units"] == 0.0 and not bool(second["stockout"])
    _assert_reconciles(out)
