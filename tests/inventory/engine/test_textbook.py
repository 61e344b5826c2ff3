"""Snyder & Shen, Fundamentals of Supply Chain Theory: published examples to four decimals."""

import math

import numpy as np
import pytest
from scipy import stats

from inventory.engine import textbook

BOOK = pytest.approx


def test_given_book_newsvendor_when_solved_then_order_up_to_and_cost_match_book() -> None:
    solution = textbook.newsvendor_normal(h=0.18, p=0.7, mean=50, sd=8)
    assert solution.order_up_to == BOOK(56.6040, abs=1e-4)
    assert solution.expected_cost == BOOK(1.9976, abs=1e-4)


def test_given_optimal_newsvendor_level_then_cost_function_agrees_and_is_minimal() -> None:
    solution = textbook.newsvendor_normal(h=0.18, p=0.7, mean=50, sd=8)
    at_optimum = textbook.newsvendor_normal_cost(solution.order_up_to, 0.18, 0.7, 50, 8)
    assert at_optimum == BOOK(solution.expected_cost, abs=1e-12)
    for offset in (-1.0, -0.1, 0.1, 1.0):
        assert (
            textbook.newsvendor_normal_cost(solution.order_up_to + offset, 0.18, 0.7, 50, 8)
            > at_optimum
        )


def test_given_lead_time_four_when_base_stock_solved_then_covers_five_periods_as_book() -> None:
    solution = textbook.base_stock_normal_with_lead_time(0.18, 0.7, 50, 8, lead_time_periods=4)
    assert solution.order_up_to == BOOK(264.7669, abs=1e-4)


def test_given_book_eoq_when_solved_then_quantity_and_cost_match_book() -> None:
    solution = textbook.eoq(fixed_cost=8, holding_cost=0.225, demand_rate=1300)
    assert solution.order_quantity == BOOK(304.0468, abs=1e-4)
    assert solution.annual_cost == BOOK(68.4105, abs=1e-4)


def test_given_book_rq_example_when_eil_iterated_then_r_and_q_match_book() -> None:
    solution = textbook.r_q_expected_inventory_level(
        h=0.225, p=7.5, fixed_cost=8, demand_rate=1300, demand_sd=150, lead_time=1 / 12
    )
    # The book prints two decimals for this example.
    assert solution.reorder_point == BOOK(213.97, abs=5e-3)
    assert solution.order_quantity == BOOK(318.59, abs=5e-3)
    assert solution.iterations < 50


def test_given_eil_solution_then_both_first_order_conditions_hold() -> None:
    h, p, k, lam, sd, lead = 0.225, 7.5, 8.0, 1300.0, 150.0, 1 / 12
    s = textbook.r_q_expected_inventory_level(h, p, k, lam, sd, lead)
    ltd = stats.norm(lam * lead, sd * math.sqrt(lead))
    assert ltd.sf(s.reorder_point) == pytest.approx(s.order_quantity * h / (p * lam), rel=1e-9)
    shortage = ltd.expect(lambda x: x - s.reorder_point, lb=s.reorder_point)
    assert s.order_quantity == pytest.approx(math.sqrt(2 * lam * (k + p * shortage) / h), rel=1e-6)


def test_given_planned_backorders_then_eoqb_closed_form_and_reduces_to_eoq_for_huge_p() -> None:
    # Hand computation: sqrt(2*8*1300*(0.225+5)/(0.225*5)) = 310.8126
    solution = textbook.eoq_with_planned_backorders(8, 0.225, 5, 1300)
    assert solution.order_quantity == BOOK(310.8126, abs=1e-4)
    assert solution.backordered_fraction == BOOK(0.225 / 5.225, abs=1e-12)
    no_backorders = textbook.eoq_with_planned_backorders(8, 0.225, 1e12, 1300)
    assert no_backorders.order_quantity == BOOK(304.0468, abs=1e-4)


def test_given_all_units_discounts_when_solved_then_cheapest_feasible_tier_wins() -> None:
    # Hand computation, K=8, i=0.2, lambda=1300:
    #   $1.00 tier: EOQ 322.49 -> 1300 + 32.2490 + 32.2490 = 1364.4981
    #   $0.98 tier: EOQ 325.78 < 500 -> Q=500: 1274 + 20.8 + 49.0 = 1343.8
    #   $0.96 tier: Q=1000: 1248 + 10.4 + 96.0 = 1354.4
    solution = textbook.eoq_all_units_discount(8, 0.2, 1300, [0, 500, 1000], [1.0, 0.98, 0.96])
    assert solution.order_quantity == 500
    assert solution.unit_price == 0.98
    assert solution.annual_cost == BOOK(1343.8, abs=1e-4)


def test_given_poisson_demand_when_base_stock_solved_then_smallest_level_meeting_ratio() -> None:
    # Critical ratio 9/10; Poisson(5): F(7) = 0.8666 < 0.9 <= F(8) = 0.9319.
    solution = textbook.newsvendor_poisson(h=1, p=9, mean=5)
    assert solution.order_up_to == 8
    k = np.arange(0, 200)
    pmf = stats.poisson.pmf(k, 5)
    brute_force_cost = (1 * np.maximum(8 - k, 0) * pmf + 9 * np.maximum(k - 8, 0) * pmf).sum()
    assert solution.expected_cost == BOOK(brute_force_cost, abs=1e-10)
