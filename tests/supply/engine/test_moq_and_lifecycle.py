"""Order minimums, make runs, lifecycles and prices: the plan a planner can trust (issue 13).

Defaults of the builders: product P costs 10, holding 0.2 per unit-month, one channel RETAIL
(weight 1); the price is 30 unless said.
"""

from __future__ import annotations

import pandas as pd
import pytest

from supply.engine import SupplyConfig, SupplyInputError, SupplyInputs, plan_supply
from supply.engine.inputs import IntegerMethod
from tests.supply.engine import builders as b

METHODS: list[IntegerMethod] = ["mip", "heuristic"]


@pytest.mark.parametrize("method", METHODS)
def test_given_two_moqs_that_do_not_fit_one_month_then_the_orders_are_spread(
    method: IntegerMethod,
) -> None:
    # Given A and B (60 a month each, MOQ 150) on one supplier of 200 a month: both lots in
    # January do not fit. Optimum: B 180 in January, A 150 in February, A's January (60 x 50)
    # lost: purchase 3,300 + holding 0.2 x (120 + 60 + 90 + 30) + lost 3,000 = 6,360.
    plan = plan_supply(b.two_products_one_supplier(), SupplyConfig(integer_method=method))
    # Then the rounding no longer wastes the supplier (it bought B nothing: 10,836)
    assert plan.summary.objective_cost == pytest.approx(6360.0)
    assert plan.orders["quantity_units"].min() >= 150.0


@pytest.mark.parametrize("method", METHODS)
def test_given_a_make_moq_then_no_production_run_is_below_it(method: IntegerMethod) -> None:
    # Given a line that must run at least 50 units, demand 9.4, 12 and 7 (28.4 in all)
    terms = b.make_term().assign(min_order_qty_units=50.0)
    inputs = b.made([9.4, 12.0, 7.0], make_terms=terms, products=b.products(unit_price=100.0))
    plan = plan_supply(inputs, SupplyConfig(integer_method=method))
    # Then one run of 50 in month 1 (500 + holding 0.2 x (40.6 + 28.6 + 21.6) = 18.16),
    # cheaper than losing 28.4 x 100; never the old runs of 9.4
    assert plan.orders["quantity_units"].tolist() == pytest.approx([50.0])
    assert plan.summary.objective_cost == pytest.approx(500.0 + 0.2 * (40.6 + 28.6 + 21.6))


@pytest.mark.parametrize("method", METHODS)
def test_given_a_make_moq_the_line_cannot_reach_then_the_shortage_says_so(
    method: IntegerMethod,
) -> None:
    terms = b.make_term().assign(min_order_qty_units=150.0)  # the line makes 100 a month
    plan = plan_supply(b.made([80.0], make_terms=terms), SupplyConfig(integer_method=method))
    assert plan.orders.empty
    assert plan.shortages["reason"].tolist() == ["moq_above_capacity"]


@pytest.mark.parametrize("method", METHODS)
def test_given_an_moq_above_the_supplier_capacity_then_the_shortage_is_not_economic(
    method: IntegerMethod,
) -> None:
    terms = pd.DataFrame([b.buy_term(lead_time_months=0, min_order_qty_units=150.0)])
    suppliers = pd.DataFrame({"supplier": ["V"], "capacity_units_per_month": [100.0]})
    plan = plan_supply(b.bought([80.0, 80.0], terms, suppliers=suppliers),
                       SupplyConfig(integer_method=method))  # fmt: skip
    assert plan.orders.empty
    assert plan.shortages["reason"].unique().tolist() == ["moq_above_capacity"]


def _end_of_life(lifecycle: str, end_period: str = "", moq: float = 516.0, **kwargs: object
                 ) -> SupplyInputs:  # fmt: skip
    # Demand 30 + 20 + 18.5 = 68.5; price 100 makes even a 516 lot pay (5,160 < 6,850 lost)
    products = b.products(unit_price=100.0, lifecycle=lifecycle, end_period=end_period)
    terms = pd.DataFrame([b.buy_term(lead_time_months=0, min_order_qty_units=moq)])
    return b.bought([30.0, 20.0, 18.5], terms, products=products, **kwargs)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("lifecycle", "end_period"), [("phase_out", ""), ("active", "2027-03"),
                                                       ("new", "2027-02")])  # fmt: skip
def test_given_a_product_that_runs_out_then_nothing_is_bought_beyond_its_remaining_demand(
    method: IntegerMethod, lifecycle: str, end_period: str
) -> None:
    # Given a product in phase-out or with its last month of sale inside the horizon
    plan = plan_supply(_end_of_life(lifecycle, end_period), SupplyConfig(integer_method=method))
    # Then the order minimum of 516 is not bought for at most 68.5 units of demand
    assert plan.orders.empty
    assert set(plan.shortages["reason"]) == {"phase_out_limit"}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("lifecycle", ["new", "active"])
def test_given_a_product_that_keeps_selling_then_the_order_minimum_is_bought(
    method: IntegerMethod, lifecycle: str
) -> None:
    plan = plan_supply(_end_of_life(lifecycle), SupplyConfig(integer_method=method))
    assert plan.orders["quantity_units"].tolist() == pytest.approx([516.0])


@pytest.mark.parametrize("method", METHODS)
def test_given_a_phase_out_with_a_small_moq_then_exactly_the_remaining_need_is_bought(
    method: IntegerMethod,
) -> None:
    # Given 20 on hand and a safety-stock target of 50 (which a run-out product does not keep)
    on_hand = pd.DataFrame([{"product": "P", "site": "S", "on_hand_units": 20.0}])
    target = pd.DataFrame([{"product": "P", "site": "S", "safety_stock_units": 50.0}])
    inputs = _end_of_life("phase_out", moq=10.0, opening_inventory=on_hand, safety_stock=target)
    plan = plan_supply(inputs, SupplyConfig(integer_method=method))
    # Then 68.5 - 20 = 48.5 are bought, and the plan ends with no stock left to write off
    assert plan.orders["quantity_units"].sum() == pytest.approx(48.5)
    assert plan.shortages.empty
    assert plan.inventory["closing_units"].iloc[-1] == pytest.approx(0.0)


def test_given_demand_after_the_end_of_life_then_it_is_dropped_with_a_warning() -> None:
    plan = plan_supply(_end_of_life("active", "2027-02", moq=0.0))
    assert plan.inventory["demand_units"].tolist() == [30.0, 20.0, 0.0]
    assert any("after the end of life" in warning for warning in plan.summary.warnings)


def test_given_an_unknown_lifecycle_or_end_month_then_the_product_is_named() -> None:
    with pytest.raises(SupplyInputError, match=r"product=.P.: products\.lifecycle must be one of"):
        plan_supply(_end_of_life("retired"))
    with pytest.raises(SupplyInputError, match=r"product=.P.: products\.end_period is not a month"):
        plan_supply(_end_of_life("active", "soon"))


def test_given_a_zero_price_on_a_product_with_demand_then_it_is_refused_by_name() -> None:
    inputs = b.made([10.0], products=b.products(unit_price=0.0))
    with pytest.raises(SupplyInputError, match=r"product=.P.: products\.unit_price is 0"):
        plan_supply(inputs)


def test_given_a_zero_price_on_a_product_without_demand_then_it_is_planned() -> None:
    plan = plan_supply(b.made([0.0], products=b.products(unit_price=0.0)))
    assert plan.shortages.empty
