"""Vectorised grid search of smoothing parameters for many series at once.

Scipy's optimisers work on one series at a time, which costs a Python-level loop of
thousands of objective calls per series. Here every series is scored on a shared coarse
grid in one vectorised pass (`(n_series, n_candidates)` sums of squared errors), then each
series' best point is refined by a few rounds of local search with a halving step. The
initial states are not searched: each model solves them in closed form (least squares),
so only 1-3 smoothing parameters remain and a grid of ~100 points plus refinement lands
within a few thousandths of the optimum, more than enough for forecasting accuracy.

Each axis is given by increasing coarse values; the search runs in "index space" (a
position between 0 and len(values) - 1, mapped to a value by linear interpolation), so a
non-uniform coarse grid (denser where the objective is steep, e.g. small alphas) is
refined with a matching resolution.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Objective = Callable[[Mapping[str, FloatArray]], FloatArray]


@dataclass(frozen=True)
class Axis:
    """One searched parameter and its increasing coarse grid values."""

    name: str
    values: tuple[float, ...]

    def at(self, position: FloatArray) -> FloatArray:
        return np.interp(position, np.arange(len(self.values)), self.values)


def grid_search(
    objective: Objective, axes: Sequence[Axis], n_series: int, refine_rounds: int = 2
) -> dict[str, FloatArray]:
    """Best parameters per series, each an `(n_series,)` array, minimising `objective`.

    `objective` maps parameter arrays of shape `(1, k)` (shared) or `(n_series, k)` (per
    series) to losses of shape `(n_series, k)`.
    """
    coarse = np.array(list(itertools.product(*(range(len(a.values)) for a in axes))), float)
    shared = {a.name: a.at(coarse[:, i])[None, :] for i, a in enumerate(axes)}
    losses = objective(shared)
    best_index = np.argmin(losses, axis=1)
    best_loss = losses[np.arange(n_series), best_index]
    position = coarse[best_index]  # (n_series, n_axes)
    offsets = np.array([o for o in itertools.product((-1.0, 0.0, 1.0), repeat=len(axes)) if any(o)])
    upper = np.array([len(a.values) - 1 for a in axes], float)
    step = 0.5
    for _ in range(refine_rounds):
        candidate = np.clip(position[:, None, :] + step * offsets[None, :, :], 0.0, upper)
        params = {a.name: a.at(candidate[:, :, i]) for i, a in enumerate(axes)}
        losses = objective(params)
        round_best = np.argmin(losses, axis=1)
        round_loss = losses[np.arange(n_series), round_best]
        improved = round_loss < best_loss
        position[improved] = candidate[improved, round_best[improved]]
        best_loss = np.where(improved, round_loss, best_loss)
        step /= 2.0
    return {a.name: a.at(position[:, i]) for i, a in enumerate(axes)}
