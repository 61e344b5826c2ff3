"""Forward-looking cover: how many weeks of *future* demand a stock level lasts.

Weeks of supply here is not stock / average past demand: it walks forward through the
projected demand month by month, as a planner reads a stock plan (APICS "days of supply",
forward). A stock of 150 with future monthly demand 100, 100, 100 covers 1.5 months.
When the stock outlasts the horizon, demand beyond it is taken at the run rate, i.e. the mean
of the last `run_rate_months` months of the horizon; with a zero run rate, leftover stock
covers infinitely many weeks. Stock <= 0 covers nothing. Months without demand that the stock
spans count as covered. Negative demand (returns) is ignored for cover.

Vectorised over rows; the only loop is over the T + 1 starting points, each a numpy pass
over a (rows x remaining months) block, so the cost is O(rows x T^2 / 2) flops.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def _months_covered(stock: FloatArray, future: FloatArray, run_rate: FloatArray) -> FloatArray:
    rows = stock.shape[0]
    cumulative = np.cumsum(future, axis=1)
    consumed_before = np.concatenate([np.zeros((rows, 1)), cumulative], axis=1)
    whole_months = (cumulative <= stock[:, None]).sum(axis=1)
    consumed = np.take_along_axis(consumed_before, whole_months[:, None], axis=1)[:, 0]
    # The month that exhausts the stock: inside the horizon, or the run rate beyond it.
    next_demand = np.take_along_axis(
        np.concatenate([future, run_rate[:, None]], axis=1), whole_months[:, None], axis=1
    )[:, 0]
    remaining = stock - consumed
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        fraction = np.where(next_demand > 0.0, remaining / next_demand, np.inf)
    fraction = np.where(remaining > 0.0, fraction, 0.0)
    return np.asarray(np.where(stock > 0.0, whole_months + fraction, 0.0), dtype=float)


def forward_cover_weeks(
    stock: FloatArray, demand: FloatArray, weeks_per_month: float, run_rate_months: int = 3
) -> FloatArray:
    """Cover in weeks of stock[:, k] (stock after k months) against demand[:, k:].

    stock has shape (rows, T + 1): column 0 is the opening position, column k the closing of
    month k; demand has shape (rows, T). Returns shape (rows, T + 1).
    """
    rows, months = demand.shape
    if stock.shape != (rows, months + 1):
        raise ValueError("stock must have one more column than demand")
    demand = np.maximum(demand, 0.0)
    tail = demand[:, max(months - run_rate_months, 0) :]
    run_rate = tail.mean(axis=1) if tail.shape[1] else np.zeros(rows)
    cover = np.empty((rows, months + 1))
    for start in range(months + 1):
        cover[:, start] = _months_covered(stock[:, start], demand[:, start:], run_rate)
    return cover * weeks_per_month
