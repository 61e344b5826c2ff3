"""A batch of demand series laid out for vectorised model fitting.

Every model in the engine fits all series of a chunk at once with numpy instead of looping in
Python: the per-operation overhead of numpy is paid once per time step rather than once per
series and step, which is what makes 10,000 series a matter of seconds.

Layout: a `(n_series, n_periods)` matrix, right-aligned on the common forecast origin (the
last column is the last observed month of every series). A series that starts later has
zeros before its first observation and `start` holds its first column. Rows are sorted by
`start` ascending (longest series first), so at any column `t` the series already observed
are exactly the first `active[t]` rows. A recursion then updates `state[:active[t]]`, a
contiguous view, and the rows not started yet keep their initial state without masks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class SeriesBatch:
    """Right-aligned series sorted longest first; see the module docstring."""

    values: FloatArray  # (n_series, n_periods), zero before each series' start
    start: IntArray  # (n_series,) first observed column, ascending

    @property
    def n_series(self) -> int:
        return int(self.values.shape[0])

    @property
    def n_periods(self) -> int:
        return int(self.values.shape[1])

    @property
    def n_obs(self) -> IntArray:
        """Number of observations of each series."""
        return self.n_periods - self.start

    @property
    def active(self) -> IntArray:
        """`active[t]`: how many leading rows are observed at column `t`."""
        columns = np.arange(self.n_periods)
        return np.searchsorted(self.start, columns, side="right").astype(np.int64)

    def truncated(self, periods: int) -> SeriesBatch:
        """The batch without its last `periods` columns (series left with no data keep one)."""
        keep = self.n_periods - periods
        start = np.minimum(self.start, keep - 1)
        return SeriesBatch(values=self.values[:, :keep], start=start)

    def with_values(self, values: FloatArray) -> SeriesBatch:
        return SeriesBatch(values=values, start=self.start)

    def observed_mask(self) -> npt.NDArray[np.bool_]:
        return np.arange(self.n_periods)[None, :] >= self.start[:, None]

    def subset(self, rows: IntArray) -> SeriesBatch:
        """The given rows (kept in batch order) without the columns none of them observes."""
        rows = np.sort(rows)
        if len(rows) == 0:
            return SeriesBatch(values=np.zeros((0, 1)), start=np.zeros(0, dtype=np.int64))
        first = int(self.start[rows].min())
        return SeriesBatch(values=self.values[rows, first:], start=self.start[rows] - first)


def batch_from_matrix(values: FloatArray, start: IntArray) -> tuple[SeriesBatch, IntArray]:
    """Batch from a right-aligned `(n_series, n_periods)` matrix whose row i starts at `start[i]`.

    Returns the batch (rows sorted by start, values before the start zeroed) and `order`
    (batch row i = matrix row order[i]).
    """
    order = np.argsort(start, kind="stable").astype(np.int64)
    sorted_start = start[order].astype(np.int64)
    columns = np.arange(values.shape[1])[None, :]
    sorted_values = np.where(columns >= sorted_start[:, None], values[order], 0.0)
    return SeriesBatch(values=sorted_values, start=sorted_start), order
