"""A safety-stock target never outweighs a sale: the below-target penalty is bounded.

Reference case from issue 13: 100 on hand, target 100, demand 50 and no resupply. Serving
the 50 units leaves 50 below target; losing them keeps the target. A lost sale is gone for
good (S&OP counts it lost), a missed target only risks one, so the 50 must be served on any
horizon -- with the old default penalty (0.1 x price per unit-month) they were lost from 11
months on.
"""

from __future__ import annotations

import pandas as pd
import pytest

from supply.engine import plan_supply
from tests.supply.engine import builders as b

ON_HAND = pd.DataFrame([{"product": "P", "site": "S", "on_hand_units": 100.0}])


def _target(penalty: float | None = None) -> pd.DataFrame:
    row: dict[str, object] = {"product": "P", "site": "S", "safety_stock_units": 100.0}
    if penalty is not None:
        row["penalty_per_unit_month"] = penalty
    return pd.DataFrame([row])


@pytest.mark.parametrize("months", range(1, 61))
def test_given_stock_at_target_and_no_resupply_then_the_demand_is_served_on_any_horizon(
    months: int,
) -> None:
    # Given 100 on hand = target, demand 50 in the first month, a line with no capacity
    inputs = b.made([50.0] + [0.0] * (months - 1), resources=b.resource(0.0),
                    opening_inventory=ON_HAND, safety_stock=_target())  # fmt: skip
    # When planned
    plan = plan_supply(inputs)
    # Then the 50 units are sold, not lost to protect the target
    assert plan.shortages.empty
    assert plan.inventory["served_units"].sum() == pytest.approx(50.0)
    assert plan.inventory["closing_units"].iloc[-1] == pytest.approx(50.0)


@pytest.mark.parametrize("months", [1, 12, 18, 60])
@pytest.mark.parametrize("penalty", [5.0, 100.0, 10_000.0])
def test_given_a_penalty_above_the_sale_then_it_is_capped_and_reported(
    months: int, penalty: float
) -> None:
    # Given a planner-set penalty per unit-month up to 333 x the price (30), demand every month
    inputs = b.made([50.0 / months] * months, resources=b.resource(0.0),
                    opening_inventory=ON_HAND, safety_stock=_target(penalty))  # fmt: skip
    plan = plan_supply(inputs)
    # Then every unit of demand is still served
    assert plan.shortages.empty
    # And the penalty the plan priced stays below a lost sale over the whole horizon
    per_unit_month = plan.cost("safety_stock") / plan.inventory["below_safety_stock_units"].sum()
    assert per_unit_month * months < 30.0
    if penalty * months >= 30.0:
        assert any("safety-stock penalty lowered" in w for w in plan.summary.warnings)


def test_given_two_channels_then_the_cap_uses_the_cheapest_lost_sale() -> None:
    # Given WEB (weight 1, lost sale 30) and RETAIL (weight 2, 60), 24 months, stock at target
    demand = pd.concat(
        [b.demand([20.0] + [0.0] * 23, "RETAIL"), b.demand([20.0] + [0.0] * 23, "WEB")]
    )
    inputs = b.made([0.0] * 24, channels=b.channels(1, 2), demand=demand,
                    resources=b.resource(0.0), opening_inventory=ON_HAND,
                    safety_stock=_target(50.0))  # fmt: skip
    plan = plan_supply(inputs)
    # Then even the cheaper channel's sale is served
    assert plan.shortages.empty
