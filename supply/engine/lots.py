"""Shared arithmetic of the lot-sizing programmes (bought lots in ``rounding``, make runs in
``make_moq``): one place for the prefix sums both dynamic programmes read."""

from __future__ import annotations

import numpy as np

from supply.engine.program import FloatArray


def lot_prefix_sums(need: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Prefix sums of a Wagner-Whitin lot-sizing programme over ``need`` (rows x months):
    ``cumulative[:, u]`` = need of months 0..u-1 and ``weighted[:, u]`` = sum of v x need[v]
    over them, so a lot made in s for s..u-1 needs cumulative[u] - cumulative[s] units and is
    carried weighted[u] - weighted[s] - s x units unit-months. Shape (rows x months + 1)."""
    rows, months = need.shape
    cumulative = np.column_stack([np.zeros(rows), np.cumsum(need, axis=1)])
    weighted = np.column_stack([np.zeros(rows), np.cumsum(need * np.arange(months), axis=1)])
    return cumulative, weighted
