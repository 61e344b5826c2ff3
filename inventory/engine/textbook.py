"""Closed-form and iterative textbook models, exact to the published examples.

These scalar functions are the reference the vectorised policy engine is checked against and
are handy for explaining a number to a planner. Notation follows Snyder & Shen, *Fundamentals
of Supply Chain Theory* (2nd ed., 2019): h holding cost, p stockout (backorder) cost,
K fixed order cost, lambda demand rate, L lead time.

* Newsvendor, normal demand (ch. 4): S* = mu + sigma * Phi^-1(p / (p + h)) and
  g(S*) = (p + h) * sigma * phi(z*). With h = 0.18, p = 0.7, mu = 50, sigma = 8:
  S* = 56.6040, g(S*) = 1.9976.
* Base-stock with lead time L (ch. 4, periodic review): the order placed now covers demand over
  L + 1 periods, so the newsvendor is solved for mean (L + 1) mu and sd sigma * sqrt(L + 1);
  with L = 4 in the example above S* = 264.7669.
* Newsvendor, Poisson demand: S* = smallest S with F(S) >= p / (p + h), cost
  h * (S - mu) + (h + p) * n(S) with n the Poisson loss function.
* EOQ (ch. 3): Q* = sqrt(2 K lambda / h), g(Q*) = sqrt(2 K lambda h);
  K = 8, h = 0.225, lambda = 1300 gives Q* = 304.0468, g = 68.4105.
* EOQ with planned backorders (EOQB, ch. 3): Q* = sqrt(2 K lambda (h + p) / (h p)),
  backordered fraction x* = h / (h + p), g* = sqrt(2 K lambda h p / (h + p)).
* EOQ with all-units quantity discounts (ch. 3): evaluate each price tier's EOQ, pushed up to
  the tier's break point when below it and discarded when above the next break point; take the
  cheapest of purchase + ordering + holding cost (holding cost = holding rate x unit price).
* (r, Q) expected-inventory-level (EIL) approximation (ch. 5): the expected cost
  h (r - lambda L + Q/2) + K lambda / Q + p lambda n(r) / Q is minimised by alternating
      r = F^-1(1 - Q h / (p lambda))          (first-order condition in r)
      Q = sqrt(2 lambda (K + p n(r)) / h)    (first-order condition in Q)
  from Q = EOQ until both change by less than the tolerance (Hadley & Whitin's algorithm).
  Lead-time demand is normal with mean lambda L and sd sigma sqrt(L). Book example:
  h = 0.225, p = 7.5, K = 8, lambda = 1300, sigma = 150, L = 1/12 -> r = 213.97, Q = 318.59.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.special import ndtri

from inventory.engine.normal_loss import standard_normal_loss, standard_normal_pdf


@dataclass(frozen=True)
class NewsvendorSolution:
    order_up_to: float
    expected_cost: float
    critical_ratio: float


@dataclass(frozen=True)
class EoqSolution:
    order_quantity: float
    annual_cost: float
    backordered_fraction: float = 0.0
    unit_price: float | None = None


@dataclass(frozen=True)
class RQSolution:
    reorder_point: float
    order_quantity: float
    iterations: int


def _scalar(value: np.ndarray | float) -> float:
    return float(np.asarray(value))


def newsvendor_normal_cost(order_up_to: float, h: float, p: float, mean: float, sd: float) -> float:
    """g(S) = h E[(S - D)^+] + p E[(D - S)^+] = sd * (h z + (h + p) G(z)), z = (S - mean) / sd."""
    z = (order_up_to - mean) / sd
    return sd * (h * z + (h + p) * _scalar(standard_normal_loss(z)))


def newsvendor_normal(h: float, p: float, mean: float, sd: float) -> NewsvendorSolution:
    critical_ratio = p / (p + h)
    z = _scalar(ndtri(critical_ratio))
    cost = (p + h) * sd * _scalar(standard_normal_pdf(z))
    return NewsvendorSolution(mean + sd * z, cost, critical_ratio)


def base_stock_normal_with_lead_time(
    h: float, p: float, mean_per_period: float, sd_per_period: float, lead_time_periods: int
) -> NewsvendorSolution:
    periods_covered = lead_time_periods + 1
    return newsvendor_normal(
        h, p, mean_per_period * periods_covered, sd_per_period * math.sqrt(periods_covered)
    )


def newsvendor_poisson(h: float, p: float, mean: float) -> NewsvendorSolution:
    critical_ratio = p / (p + h)
    order_up_to = _scalar(stats.poisson.ppf(critical_ratio, mean))
    # Poisson loss n(S) = mean * P(D >= S) - S * P(D > S).
    loss = mean * _scalar(stats.poisson.sf(order_up_to - 1, mean)) - order_up_to * _scalar(
        stats.poisson.sf(order_up_to, mean)
    )
    cost = h * (order_up_to - mean) + (h + p) * loss
    return NewsvendorSolution(order_up_to, cost, critical_ratio)


def eoq(fixed_cost: float, holding_cost: float, demand_rate: float) -> EoqSolution:
    quantity = math.sqrt(2.0 * fixed_cost * demand_rate / holding_cost)
    return EoqSolution(quantity, math.sqrt(2.0 * fixed_cost * demand_rate * holding_cost))


def eoq_with_planned_backorders(
    fixed_cost: float, holding_cost: float, backorder_cost: float, demand_rate: float
) -> EoqSolution:
    h, p = holding_cost, backorder_cost
    quantity = math.sqrt(2.0 * fixed_cost * demand_rate * (h + p) / (h * p))
    cost = math.sqrt(2.0 * fixed_cost * demand_rate * h * p / (h + p))
    return EoqSolution(quantity, cost, backordered_fraction=h / (h + p))


def eoq_all_units_discount(
    fixed_cost: float,
    holding_rate: float,
    demand_rate: float,
    break_quantities: Sequence[float],
    unit_prices: Sequence[float],
) -> EoqSolution:
    """Tier j's price applies to the whole order when Q >= break_quantities[j] (first is 0)."""
    best: EoqSolution | None = None
    upper_bounds = [*break_quantities[1:], math.inf]
    for lower, upper, price in zip(break_quantities, upper_bounds, unit_prices, strict=True):
        quantity = max(eoq(fixed_cost, holding_rate * price, demand_rate).order_quantity, lower)
        if quantity >= upper:
            continue  # A cheaper tier reaches this quantity; its own evaluation covers it.
        cost = price * demand_rate + fixed_cost * demand_rate / quantity
        cost += holding_rate * price * quantity / 2.0
        if best is None or cost < best.annual_cost:
            best = EoqSolution(quantity, cost, unit_price=price)
    if best is None:
        raise ValueError("no feasible price tier")
    return best


def r_q_expected_inventory_level(
    h: float,
    p: float,
    fixed_cost: float,
    demand_rate: float,
    demand_sd: float,
    lead_time: float,
    tolerance: float = 1e-8,
    max_iterations: int = 1000,
) -> RQSolution:
    """(r, Q) by the EIL approximation's alternating first-order conditions (module docstring)."""
    mean_ltd = demand_rate * lead_time
    sd_ltd = demand_sd * math.sqrt(lead_time)
    quantity = eoq(fixed_cost, h, demand_rate).order_quantity
    reorder_point = math.nan
    for iteration in range(1, max_iterations + 1):
        stockout_probability = quantity * h / (p * demand_rate)
        if stockout_probability >= 1.0:
            raise ValueError("holding cost too high relative to stockout cost: no interior r")
        new_r = mean_ltd + sd_ltd * _scalar(ndtri(1.0 - stockout_probability))
        expected_shortage = sd_ltd * _scalar(standard_normal_loss((new_r - mean_ltd) / sd_ltd))
        new_q = math.sqrt(2.0 * demand_rate * (fixed_cost + p * expected_shortage) / h)
        converged = abs(new_q - quantity) < tolerance and abs(new_r - reorder_point) < tolerance
        quantity, reorder_point = new_q, new_r
        if converged:
            return RQSolution(reorder_point, quantity, iteration)
    raise RuntimeError("EIL (r, Q) iteration did not converge")
