"""Exceptions ranked by value at risk, on a hand-computed projection."""

import numpy as np
import pandas as pd
import pytest

from inventory.engine.exceptions import projection_exceptions
from inventory.engine.projection import project_inventory

MONTHS = pd.period_range("2026-01", periods=3, freq="M")


def _projection() -> pd.DataFrame:
    # short: 10 on hand, demand 10/month, cost 5 -> backorders 0, 10, 20 -> worst 20 x 5 = 100
    # long: 1000 on hand, demand 10/month, cost 1 -> far beyond 26 weeks: excess
    # old: phase-out, 30 on hand, no demand, cost 2 -> obsolete 60, infinite cover -> excess 60
    positions = pd.DataFrame(
        {
            "product": ["short", "long", "old"], "site": "s",
            "opening_stock_units": [10.0, 1000.0, 30.0], "safety_stock_units": [5.0, 0.0, 0.0],
            "unit_cost": [5.0, 1.0, 2.0], "family": "f",
            "lifecycle": ["active", "active", "phase_out"],
        }
    )  # fmt: skip
    flows = pd.DataFrame(
        {
            "product": np.repeat(["short", "long", "old"], 3), "site": "s",
            "period": list(MONTHS) * 3, "demand_units": [10.0] * 6 + [0.0] * 3,
        }
    )  # fmt: skip
    return project_inventory(flows, positions)


def test_given_projection_then_each_kind_valued_and_ranked_highest_first() -> None:
    projection = _projection()
    out = projection_exceptions(projection, np.full(len(projection), 26.0))
    found = {(r.product, r.kind): r for r in out.itertuples()}
    assert found[("short", "stockout")].value_at_risk == pytest.approx(100.0)
    assert found[("short", "stockout")].months == 2
    assert found[("short", "stockout")].first_period == MONTHS[1]
    # below safety stock: on hand 0 vs 5 -> 25 at worst
    assert found[("short", "below_safety_stock")].value_at_risk == pytest.approx(25.0)
    assert found[("old", "obsolete")].value_at_risk == pytest.approx(60.0)
    assert ("old", "excess") not in found  # the same stock is not counted twice
    # long in January: 990 units covering 99 months ~ 429 weeks; excess = 990 x (1 - 26/429)
    weeks = 99 * 52 / 12
    assert found[("long", "excess")].value_at_risk == pytest.approx(990 * (1 - 26 / weeks))
    assert list(out["value_at_risk"]) == sorted(out["value_at_risk"], reverse=True)


def test_given_healthy_projection_then_no_exceptions() -> None:
    projection = (
        _projection()
        .query("product == 'short'")
        .assign(stockout=False, below_safety_stock=False, excess=False, obsolete=False)
    )
    assert projection_exceptions(projection, np.full(len(projection), 26.0)).empty


def test_given_lost_sales_then_the_stockout_is_valued_at_the_units_lost() -> None:
    # Given 10 on hand, demand 10 a month at cost 5, and the supply plan losing 10 units in
    # February and 10 in March (so stock never goes negative: no backorder)
    positions = pd.DataFrame(
        {"product": ["lost"], "site": "s", "opening_stock_units": [10.0],
         "safety_stock_units": [0.0], "unit_cost": [5.0], "family": "f", "lifecycle": "active"}
    )  # fmt: skip
    flows = pd.DataFrame(
        {"product": "lost", "site": "s", "period": list(MONTHS), "demand_units": 10.0,
         "lost_sales_units": [0.0, 10.0, 10.0]}
    )  # fmt: skip
    projection = project_inventory(flows, positions)
    assert (projection["backorder_units"] == 0.0).all()
    # When the exceptions are listed
    out = projection_exceptions(projection, np.full(len(projection), 26.0))
    # Then the lost months are a stockout worth 10 units x 5 at worst, from February
    (stockout,) = out[out["kind"] == "stockout"].itertuples()
    assert (stockout.value_at_risk, stockout.months, stockout.first_period) == (
        50.0, 2, MONTHS[1],
    )  # fmt: skip
