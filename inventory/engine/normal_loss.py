"""Standard normal loss function G(z) and its inverse, vectorised.

The first-order loss function of the standard normal distribution is

    G(z) = E[(Z - z)^+] = phi(z) - z * (1 - Phi(z))

(Snyder & Shen, *Fundamentals of Supply Chain Theory*, section C.3.2; Silver, Pyke & Thomas
call it G_u(k)). Scaled by sigma it gives the expected shortage of a normal lead-time demand
beyond a stock level mu + z*sigma, which is what a fill-rate (Type 2) target constrains:

    expected shortage per cycle = sigma_LTD * G(z) = (1 - beta) * Q.

G is strictly decreasing and convex, with G(z) -> -z as z -> -inf and G(z) -> 0 as z -> +inf,
so G(z) = t has exactly one root for every t > 0. Newton's method started left of the root
(where G(z0) >= t) converges monotonically for a decreasing convex function, which is why
`inverse_standard_normal_loss` starts at z0 = -t (G(-t) >= t because G(z) >= -z).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr, ndtri

FloatArray = npt.NDArray[np.float64]

_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
# Below this target the root lies beyond z ~ 6; a service target that strict is not meaningful
# and the loss function loses relative precision there.
_SMALLEST_TARGET = 1e-9
_NEWTON_TOLERANCE = 1e-12
_NEWTON_MAX_STEPS = 200


def standard_normal_pdf(z: npt.ArrayLike) -> FloatArray:
    z_arr = np.asarray(z, dtype=float)
    return np.asarray(_INV_SQRT_2PI * np.exp(-0.5 * z_arr * z_arr), dtype=float)


def standard_normal_loss(z: npt.ArrayLike) -> FloatArray:
    """G(z) = E[(Z - z)^+] for Z ~ N(0, 1)."""
    z_arr = np.asarray(z, dtype=float)
    return np.asarray(standard_normal_pdf(z_arr) - z_arr * ndtr(-z_arr), dtype=float)


def complementary_standard_normal_loss(z: npt.ArrayLike) -> FloatArray:
    """G_bar(z) = E[(z - Z)^+] = z + G(z): expected leftover stock, used for holding cost."""
    z_arr = np.asarray(z, dtype=float)
    return np.asarray(z_arr + standard_normal_loss(z_arr), dtype=float)


def inverse_standard_normal_loss(target: npt.ArrayLike) -> FloatArray:
    """Solve G(z) = target for z, element-wise; targets are floored at 1e-9."""
    t = np.maximum(np.asarray(target, dtype=float), _SMALLEST_TARGET)
    z = -t.copy()
    for _ in range(_NEWTON_MAX_STEPS):
        # G'(z) = -(1 - Phi(z)); monotone from the left, so the step is never negative.
        step = (standard_normal_loss(z) - t) / ndtr(-z)
        z = z + step
        if np.all(np.abs(step) < _NEWTON_TOLERANCE):
            break
    return np.asarray(z, dtype=float)


# A safety factor beyond +-8 standard deviations has no practical meaning; the bracket keeps
# the bisection finite.
_FACTOR_BRACKET = 8.0
_BISECTION_STEPS = 64


def fill_rate_safety_factor(fill_rate: npt.ArrayLike, cycle_over_sd: npt.ArrayLike) -> FloatArray:
    """Safety factor k meeting a fill rate (Type 2) beta with q = units per cycle / sigma_P.

    Exact expected shortage per replenishment cycle of a continuous-review (s, Q) policy with
    backorders (Hadley & Whitin; Silver, Pyke & Thomas 7.x, the form they recommend when Q
    is small against sigma; Snyder & Shen 5.x):
        ESPRC = sigma_P * [G(k) - G(k + Q / sigma_P)] = (1 - beta) * Q.
    The common approximation drops G(k + Q / sigma_P), which overstates shortages when Q is
    small and sends k to infinity as Q -> 0. With the exact form, dividing by Q and letting
    Q -> 0 gives 1 - Phi(k) = 1 - beta: lot-for-lot ordering needs k = Phi^-1(beta), and a
    zero ``cycle_over_sd`` returns exactly that. The left side over q falls from 1 to 0 as k
    grows, so the root is unique; it is found by bisection on [-(q + 8), 8] (64 halvings; at
    the lower end the share is within 1e-15 of 1, above any shortage a target allows).
    """
    beta = np.asarray(fill_rate, dtype=float)
    q = np.maximum(np.asarray(cycle_over_sd, dtype=float), 0.0)
    beta, q = np.broadcast_arrays(beta, q)
    low = -(q + _FACTOR_BRACKET)
    high = np.full(beta.shape, _FACTOR_BRACKET)
    tiny = q < 1e-9
    safe_q = np.where(tiny, 1.0, q)
    for _ in range(_BISECTION_STEPS):
        middle = (low + high) / 2.0
        shortage_share = (
            standard_normal_loss(middle) - standard_normal_loss(middle + safe_q)
        ) / safe_q
        too_short = shortage_share > 1.0 - beta
        low = np.where(too_short, middle, low)
        high = np.where(too_short, high, middle)
    lot_for_lot = ndtri(np.clip(beta, 1e-12, 1.0 - 1e-12))
    return np.asarray(np.where(tiny, lot_for_lot, (low + high) / 2.0), dtype=float)
