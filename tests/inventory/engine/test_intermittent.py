"""Intermittent items: Poisson / negative-binomial levels in whole, non-negative units."""

import numpy as np
import pytest
from scipy import stats

from inventory.engine import intermittent
from inventory.engine.policies import compute_policies
from tests.inventory.engine.policies_builders import products

SLOW = {"mean_demand_per_month": 0.5, "adi_periods": 3.0}


def test_given_adi_above_cutoff_and_poisson_like_variance_then_poisson_quantile_is_the_reorder_point() -> (
    None
):
    out = compute_policies(products({**SLOW, "sd_demand_per_month": np.sqrt(0.5)})).iloc[0]
    assert out["method"] == "poisson"
    assert out["reorder_point_units"] == stats.poisson.ppf(0.95, 0.5) == 2
    assert out["safety_stock_units"] == 2  # ceil(2 - 0.5)


def test_given_overdispersed_intermittent_demand_then_negative_binomial_quantile() -> None:
    out = compute_policies(products({**SLOW, "sd_demand_per_month": 1.5})).iloc[0]
    assert out["method"] == "negative_binomial"
    mean, var = 0.5, 2.25
    expected = stats.nbinom.ppf(0.95, mean**2 / (var - mean), mean / var)
    assert out["reorder_point_units"] == expected


def test_given_adi_at_or_below_cutoff_then_normal_method() -> None:
    out = compute_policies(products({**SLOW, "adi_periods": 1.32, "sd_demand_per_month": 1.5}))
    assert out["method"].iloc[0] == "normal"


def test_given_many_random_intermittent_items_then_levels_are_non_negative_integers() -> None:
    # Given demand so sparse that a normal approximation puts most mass below zero
    rng = np.random.default_rng(7)
    n = 300
    frame = products(*({} for _ in range(n))).assign(
        mean_demand_per_month=rng.uniform(0.01, 3.0, n),
        sd_demand_per_month=rng.uniform(0.05, 6.0, n),
        adi_periods=rng.uniform(1.4, 12.0, n),
        service_target=rng.uniform(0.05, 0.999, n),
        service_type=rng.choice(["cycle", "fill_rate"], n),
        review_period_months=rng.choice([0.0, 1.0], n),
        sd_lead_time_months=rng.uniform(0.0, 0.5, n),
    )
    # When policies are computed
    out = compute_policies(frame)
    # Then every level is a whole, non-negative number of units
    for column in [
        "safety_stock_units",
        "reorder_point_units",
        "order_up_to_units",
        "order_quantity_units",
    ]:
        values = out[column].to_numpy()
        assert np.all(values >= 0), column
        assert np.all(values == np.round(values)), column
    assert set(out["method"]) <= {"poisson", "negative_binomial"}


@pytest.mark.parametrize(("mean", "variance"), [(0.4, 0.4), (3.0, 3.0), (3.0, 9.0), (20.0, 100.0)])
def test_given_count_distribution_then_closed_form_loss_matches_brute_force(
    mean: float, variance: float
) -> None:
    k = np.arange(0, 3000)
    if variance > mean:
        pmf = stats.nbinom.pmf(k, mean**2 / (variance - mean), mean / variance)
    else:
        pmf = stats.poisson.pmf(k, mean)
    for r in range(0, 30, 3):
        brute = float((np.maximum(k - r, 0) * pmf).sum())
        closed = intermittent.count_loss(
            np.array([float(r)]), np.array([mean]), np.array([variance])
        )
        assert closed[0] == pytest.approx(brute, abs=1e-10)


def test_given_fill_rate_then_smallest_whole_level_meeting_allowed_shortage() -> None:
    mean, var, per_cycle = np.array([3.0, 3.0]), np.array([3.0, 9.0]), np.array([5.0, 5.0])
    level = intermittent.count_level_for_fill_rate(np.array([0.95, 0.95]), mean, var, per_cycle)
    allowed = 0.05 * 5.0

    def cycle_shortage(r: np.ndarray) -> np.ndarray:
        # Exact shortage of a cycle of 5 units: E[(D - r)^+] - E[(D - r - 5)^+]
        return intermittent.count_loss(r, mean, var) - intermittent.count_loss(r + 5, mean, var)

    assert np.all(cycle_shortage(level) <= allowed)
    assert np.all(cycle_shortage(level - 1) > allowed)
