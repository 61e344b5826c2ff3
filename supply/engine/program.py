"""A linear program in HiGHS' bounded-row form, and the builder that assembles it from blocks.

Blocks of columns and rows are registered by name (so results can slice the solution by
block), and the matrix is collected as (row, column, value) triplets that become one CSC
matrix at the end -- building a sparse matrix incrementally would be far slower.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ModelSize:
    rows: int
    columns: int
    nonzeros: int
    integer_columns: int


@dataclass(frozen=True)
class LinearProgram:
    """min cost @ x  s.t.  row_lower <= matrix @ x <= row_upper, col_lower <= x <= col_upper.

    ``integrality`` is 1 for integer columns; ``columns`` / ``rows`` name each block's slice;
    ``index`` holds per-block index arrays the results need (which lanes, cells or positions
    a block's entries belong to).
    """

    cost: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    row_lower: FloatArray
    row_upper: FloatArray
    matrix: sparse.csc_array
    integrality: npt.NDArray[np.uint8]
    columns: dict[str, slice]
    rows: dict[str, slice]
    index: dict[str, IntArray]

    @property
    def size(self) -> ModelSize:
        return ModelSize(
            len(self.row_lower), len(self.cost), int(self.matrix.nnz), int(self.integrality.sum())
        )

    def block(self, x: FloatArray, name: str) -> FloatArray:
        return x[self.columns[name]]

    def with_column_bounds(self, lower: FloatArray, upper: FloatArray) -> LinearProgram:
        return LinearProgram(
            self.cost, lower, upper, self.row_lower, self.row_upper, self.matrix,
            self.integrality, self.columns, self.rows, self.index,
        )  # fmt: skip


@dataclass
class ProgramBuilder:
    """Collects column blocks, row blocks and matrix triplets; `build` assembles them once."""

    cost: list[FloatArray] = field(default_factory=list)
    lower: list[FloatArray] = field(default_factory=list)
    upper: list[FloatArray] = field(default_factory=list)
    integer: list[npt.NDArray[np.uint8]] = field(default_factory=list)
    row_lower: list[FloatArray] = field(default_factory=list)
    row_upper: list[FloatArray] = field(default_factory=list)
    triplets: list[tuple[IntArray, IntArray, FloatArray]] = field(default_factory=list)
    columns: dict[str, slice] = field(default_factory=dict)
    rows: dict[str, slice] = field(default_factory=dict)
    index: dict[str, IntArray] = field(default_factory=dict)
    n_cols: int = 0
    n_rows: int = 0

    def add_columns(
        self, name: str, cost: npt.ArrayLike, lower: npt.ArrayLike, upper: npt.ArrayLike,
        integer: bool = False,
    ) -> int:  # fmt: skip
        """Register a column block; returns its first column."""
        cost_array = np.asarray(cost, dtype=float)
        count = len(cost_array)
        self.columns[name] = slice(self.n_cols, self.n_cols + count)
        self.cost.append(cost_array)
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=float), count).copy())
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=float), count).copy())
        self.integer.append(np.full(count, 1 if integer else 0, dtype=np.uint8))
        self.n_cols += count
        return self.columns[name].start

    def add_rows(self, name: str, lower: npt.ArrayLike, upper: npt.ArrayLike) -> int:
        """Register a row block (bounds broadcast against each other); returns its first row."""
        low, high = np.broadcast_arrays(np.asarray(lower, float), np.asarray(upper, float))
        self.rows[name] = slice(self.n_rows, self.n_rows + low.size)
        self.row_lower.append(low.ravel().copy())
        self.row_upper.append(high.ravel().copy())
        self.n_rows += low.size
        return self.rows[name].start

    def tighten_upper(self, name: str, cells: IntArray, upper: FloatArray) -> None:
        """Lower the upper bound of some columns of a block (cells relative to the block)."""
        block = list(self.columns).index(name)
        self.upper[block][cells] = np.minimum(self.upper[block][cells], upper)

    def add_entries(self, rows: npt.ArrayLike, cols: npt.ArrayLike, values: npt.ArrayLike) -> None:
        rows_array = np.asarray(rows, dtype=np.int64)
        values_array = np.broadcast_to(np.asarray(values, dtype=float), rows_array.shape)
        self.triplets.append((rows_array, np.asarray(cols, dtype=np.int64), values_array))

    def build(self) -> LinearProgram:
        rows, cols, values = (np.concatenate(part) for part in zip(*self.triplets, strict=True))
        matrix = sparse.csc_array((values, (rows, cols)), shape=(self.n_rows, self.n_cols))
        matrix.sum_duplicates()
        return LinearProgram(
            np.concatenate(self.cost), np.concatenate(self.lower), np.concatenate(self.upper),
            np.concatenate(self.row_lower), np.concatenate(self.row_upper), matrix,
            np.concatenate(self.integer), self.columns, self.rows, self.index,
        )  # fmt: skip
