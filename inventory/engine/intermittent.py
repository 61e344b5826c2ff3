"""Discrete lead-time demand for intermittent items: Poisson or negative binomial.

A normal approximation of lead-time demand for an item that sells a few units every other
month puts mass on negative demand and gives fractional, sometimes negative, safety stocks.
Items are treated as intermittent when the average demand interval exceeds 1.32 periods
(ADI cut-off of Syntetos, Boylan & Croston, 2005). Their demand over the protection period
is modelled with a count distribution fitted by moments to the same mean and variance as the
normal method uses (mu = d * P, var = P * sigma_d^2 + d^2 * sigma_L^2):

* variance <= mean: Poisson(mu) (the classic base-stock model for slow movers);
* variance  > mean: negative binomial with size n = mu^2 / (var - mu) and success
  probability p = mu / var, which captures the over-dispersion of lumpy demand
  (a compound-Poisson model with logarithmic order sizes, Axsaeter, *Inventory Control*, 5.2).

Levels are whole units. For a cycle service (Type 1) target alpha the reorder point is the
smallest integer r with F(r) >= alpha. For a fill-rate (Type 2) target beta it is the smallest
integer r >= 0 with expected shortage per cycle n(r) = E[(D - r)^+] <= (1 - beta) * Q.
The loss n(r) has a closed form for both families because k * f(k) = mu * f'(k - 1), where
f' is the same family with one extra "success" (negative binomial n + 1) or the Poisson itself:

    n(r) = mu * P'(D' >= r) - r * P(D >= r + 1).

n(r) is decreasing in r, so a vectorised integer bisection finds r for all items at once.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Variance within this relative margin of the mean is treated as Poisson: the negative
# binomial size parameter would explode and the two distributions coincide there anyway.
_OVERDISPERSION_MARGIN = 1e-6


def is_overdispersed(mean: FloatArray, variance: FloatArray) -> npt.NDArray[np.bool_]:
    return np.asarray((mean > 0.0) & (variance > mean * (1.0 + _OVERDISPERSION_MARGIN)), dtype=bool)


def _negative_binomial_params(
    mean: FloatArray, variance: FloatArray
) -> tuple[FloatArray, FloatArray]:
    size = mean * mean / (variance - mean)
    success_probability = mean / variance
    return size, success_probability


def count_survival(k: npt.ArrayLike, mean: FloatArray, variance: FloatArray) -> FloatArray:
    """P(D > k) under the moment-fitted Poisson / negative binomial, element-wise."""
    k_arr = np.broadcast_to(np.asarray(k, dtype=float), mean.shape)
    over = is_overdispersed(mean, variance)
    result = stats.poisson.sf(k_arr, mean)
    if over.any():
        size, prob = _negative_binomial_params(mean[over], variance[over])
        result[over] = stats.nbinom.sf(k_arr[over], size, prob)
    return np.asarray(result, dtype=float)


def count_loss(r: npt.ArrayLike, mean: FloatArray, variance: FloatArray) -> FloatArray:
    """Expected shortage E[(D - r)^+] for integer r >= 0 (see module docstring)."""
    r_arr = np.broadcast_to(np.asarray(r, dtype=float), mean.shape)
    over = is_overdispersed(mean, variance)
    # Poisson: sum_{k>r} k f(k) = mu * P(D >= r) = mu * P(D > r - 1).
    tail_mass = stats.poisson.sf(r_arr - 1.0, mean)
    if over.any():
        size, prob = _negative_binomial_params(mean[over], variance[over])
        tail_mass[over] = stats.nbinom.sf(r_arr[over] - 1.0, size + 1.0, prob)
    loss = mean * tail_mass - r_arr * count_survival(r_arr, mean, variance)
    return np.asarray(np.maximum(loss, 0.0), dtype=float)


def count_quantile(probability: FloatArray, mean: FloatArray, variance: FloatArray) -> IntArray:
    """Smallest integer r with P(D <= r) >= probability."""
    over = is_overdispersed(mean, variance)
    result = stats.poisson.ppf(probability, mean)
    if over.any():
        size, prob = _negative_binomial_params(mean[over], variance[over])
        result[over] = stats.nbinom.ppf(probability[over], size, prob)
    result = np.where(mean > 0.0, result, 0.0)
    return np.asarray(np.nan_to_num(result, nan=0.0), dtype=np.int64)


def count_level_for_fill_rate(
    fill_rate: FloatArray, mean: FloatArray, variance: FloatArray, units_per_cycle: FloatArray
) -> IntArray:
    """Smallest integer r >= 0 with E[(D - r)^+] - E[(D - r - Q)^+] <= (1 - fill_rate) * Q.

    The left side is the exact expected shortage of one cycle of Q units (the discrete form of
    `normal_loss.fill_rate_safety_factor`); Q is taken in whole units, at least 1, so lot-for-
    lot ordering gives P(D > r) <= 1 - fill_rate instead of no stock at all.
    """
    lot = np.maximum(np.ceil(np.asarray(units_per_cycle, dtype=float) - 1e-9), 1.0)
    allowed_shortage = (1.0 - fill_rate) * lot
    low = np.full(mean.shape, -1, dtype=np.int64)  # invariant: loss(low) > allowed (or low = -1)
    # The 1 - 1e-12 quantile bounds r from above: its loss is far below any meaningful target.
    high = count_quantile(np.full(mean.shape, 1.0 - 1e-12), mean, variance) + 1
    while np.any(high - low > 1):
        middle = (low + high) // 2
        active = high - low > 1
        shortage = count_loss(middle, mean, variance) - count_loss(middle + lot, mean, variance)
        within = shortage <= allowed_shortage
        high = np.where(active & within, middle, high)
        low = np.where(active & ~within, middle, low)
    return np.asarray(high, dtype=np.int64)
