"""Make-lane minimum runs: batch and carry, or lose the sale, whichever is cheaper (issue 13).

Builders' defaults: product P costs 10 (holding 0.2 per unit-month), one channel RETAIL of
weight 1, so a lost unit costs the price. "heuristic" runs with the neighbourhood repair off
(`repair_max_integer_columns=0`): the rounding itself must find the plan, as it has to on
instances far above the repair's size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supply.engine import SupplyConfig, SupplyInputs, SupplyPlan, plan_supply
from tests.supply.engine import builders as b

CONFIGS = {
    "mip": SupplyConfig(integer_method="mip"),
    "heuristic": SupplyConfig(integer_method="heuristic", repair_max_integer_columns=0),
}


def _paying_economic(plan: SupplyPlan) -> pd.DataFrame:
    """Economic shortages that one of their own options would close for less than the loss."""
    keys = ["product", "site", "period"]
    paying = plan.gap_options.loc[plan.gap_options["net_saving"].astype(float) > 0.01, keys]
    economic = plan.shortages.loc[plan.shortages["reason"] == "economic", keys]
    return economic.merge(paying.drop_duplicates(), on=keys)


@pytest.mark.parametrize("method", CONFIGS)
def test_given_an_moq_above_each_month_then_one_run_is_made_and_carried(method: str) -> None:
    # Given demand 9.4, 12 and 7 (28.4) at price 30, a line of 100 a month with a minimum run of
    # 50: one run of 50 in January costs 500 + holding 0.2 x (40.6 + 28.6 + 21.6) = 518.16,
    # losing everything 28.4 x 30 = 852, a run in February (50) plus January lost 782.
    terms = b.make_term().assign(min_order_qty_units=50.0)
    plan = plan_supply(b.made([9.4, 12.0, 7.0], make_terms=terms), CONFIGS[method])
    # Then one run of 50 is made and carried (the zero-only rounding lost all 28.4: 852)
    assert plan.orders["quantity_units"].tolist() == pytest.approx([50.0])
    assert plan.summary.objective_cost == pytest.approx(518.16)
    assert plan.shortages.empty


@pytest.mark.parametrize("method", CONFIGS)
def test_given_a_run_dearer_than_the_sales_then_they_are_lost_and_truly_economic(
    method: str,
) -> None:
    # Given the same need at price 12: the run costs 518.16 > 28.4 x 12 = 340.8 lost
    terms = b.make_term().assign(min_order_qty_units=50.0)
    inputs = b.made([9.4, 12.0, 7.0], make_terms=terms, products=b.products(unit_price=12.0))
    plan = plan_supply(inputs, CONFIGS[method])
    # Then nothing is made, the sales are lost as an economic choice, and no option says otherwise
    assert plan.orders.empty
    assert plan.summary.objective_cost == pytest.approx(340.8)
    assert set(plan.shortages["reason"]) == {"economic"}
    assert (plan.gap_options["net_saving"].astype(float) <= 0.01).all()
    assert _paying_economic(plan).empty


@pytest.mark.parametrize("method", CONFIGS)
def test_given_a_minimum_run_above_the_line_then_the_minimum_is_named(method: str) -> None:
    # Given a line of 100 units a month (no overtime) and a minimum run of 150, price 100
    terms = b.make_term().assign(min_order_qty_units=150.0)
    inputs = b.made([80.0, 80.0], make_terms=terms, products=b.products(unit_price=100.0))
    plan = plan_supply(inputs, CONFIGS[method])
    # Then nothing can be made: the shortages blame the minimum, not an economic choice
    assert plan.orders.empty
    assert set(plan.shortages["reason"]) == {"moq_above_capacity"}
    assert plan.summary.objective_cost == pytest.approx(160 * 100.0)


@pytest.mark.parametrize("method", CONFIGS)
def test_given_a_minimum_reachable_only_with_overtime_then_it_runs_on_overtime(
    method: str,
) -> None:
    # Given 100 hours a month plus 60 of overtime at 5/h, a minimum run of 150, demand 80 + 80
    # at price 30: one run of 160 in January needs 60 overtime hours (300):
    # 1,600 + 300 + holding 0.2 x 80 = 1,916, against 160 x 30 = 4,800 lost
    terms = b.make_term().assign(min_order_qty_units=150.0)
    inputs = b.made([80.0, 80.0], make_terms=terms, resources=b.resource(overtime=60.0, rate=5.0))
    plan = plan_supply(inputs, CONFIGS[method])
    # Then the minimum is met with overtime and nothing is lost
    assert plan.orders["quantity_units"].tolist() == pytest.approx([160.0])
    assert plan.summary.objective_cost == pytest.approx(1916.0)
    assert plan.shortages.empty


@pytest.mark.parametrize("method", CONFIGS)
@pytest.mark.parametrize(("moq", "made"), [(100.0, 0.0), (10.0, 48.5)])
def test_given_a_phase_out_made_product_then_runs_stop_at_its_remaining_need(
    method: str, moq: float, made: float
) -> None:
    # Given a phase-out product with 20 on hand and 30 + 20 + 18.5 = 68.5 left to sell, price 100
    products = b.products(unit_price=100.0, lifecycle="phase_out")
    terms = b.make_term().assign(min_order_qty_units=moq)
    on_hand = pd.DataFrame([{"product": "P", "site": "S", "on_hand_units": 20.0}])
    inputs = b.made([30.0, 20.0, 18.5], make_terms=terms, products=products,
                    opening_inventory=on_hand)  # fmt: skip
    plan = plan_supply(inputs, CONFIGS[method])
    # Then a minimum of 100 is never made for 48.5 units (the sales are a phase-out limit), and
    # a minimum of 10 makes exactly 48.5, leaving nothing to write off
    assert plan.orders["quantity_units"].sum() == pytest.approx(made)
    assert plan.inventory["closing_units"].iloc[-1] == pytest.approx(0.0)
    assert set(plan.shortages["reason"]) <= {"phase_out_limit"}


def _random_made(seed: int) -> SupplyInputs:
    rng = np.random.default_rng(seed)
    months, skus = 9, 4
    names = [f"P{i}" for i in range(skus)]
    cost = rng.uniform(5, 20, skus)
    products = pd.DataFrame({"product": names, "family": "F", "unit_cost": cost,
                             "unit_price": cost * rng.uniform(1.1, 2.5, skus)})  # fmt: skip
    mean = rng.uniform(5, 60, skus)
    demand = pd.DataFrame({
        "product": np.repeat(names, months), "site": "S", "channel": "RETAIL",
        "period": list(b.horizon(months)) * skus,
        "demand_units": np.round((mean[:, None] * rng.lognormal(0, 0.4, (skus, months))).ravel()),
    })  # fmt: skip
    terms = pd.DataFrame({"product": names, "site": "S", "resource": "R",
                          "hours_per_unit": rng.uniform(0.5, 1.5, skus), "lead_time_months": 0,
                          "min_order_qty_units": np.round(mean * rng.uniform(0.5, 4.0, skus))})  # fmt: skip
    resources = b.resource(capacity=float(mean.sum() * 0.9), overtime=20.0, rate=8.0)
    return b.made([0.0], horizon=b.horizon(months), products=products, demand=demand,
                  make_terms=terms, resources=resources)  # fmt: skip


@pytest.mark.parametrize("seed", range(6))
def test_given_random_made_products_then_no_economic_shortage_has_an_option_that_pays(
    seed: int,
) -> None:
    # Given four made products with minimum runs of 0.5-4 months of demand on one shared line
    inputs = _random_made(seed)
    # When planned by the rounding alone, by the rounding with its repair, and by the exact MIP
    rounded = plan_supply(inputs, CONFIGS["heuristic"])
    repaired = plan_supply(inputs, SupplyConfig(integer_method="heuristic"))
    exact = plan_supply(inputs, CONFIGS["mip"])
    # Then every run meets its minimum, no "economic" shortage could be closed at a profit by
    # one of its own options, and the repaired plan is within 1 % of the optimum
    terms = inputs.make_terms
    moq = dict(zip(terms["product"], terms["min_order_qty_units"], strict=True))
    for plan in (rounded, repaired):
        runs = plan.orders
        assert (runs["quantity_units"] >= runs["product"].map(moq) - 1e-6).all()
        assert _paying_economic(plan).empty
    assert repaired.summary.objective_cost <= exact.summary.objective_cost * 1.01


def test_given_bought_moqs_rounded_alone_then_a_paying_buy_option_is_taken() -> None:
    # Given A and B (60 a month each, MOQ 150, price 50) on one supplier of 200 a month
    # (tests/supply/engine/test_moq_and_lifecycle.py), planned by the rounding alone
    inputs = b.two_products_one_supplier()
    plan = plan_supply(inputs, CONFIGS["heuristic"])
    # Then every order meets its minimum and no shortage left is called economic while one of
    # its options would close it at a profit (the optimum is 6,360; the rounding alone stops
    # at a plan no single option improves)
    assert plan.orders["quantity_units"].min() >= 150.0
    assert _paying_economic(plan).empty
    assert plan.summary.objective_cost <= 7890.0 + 1e-6
