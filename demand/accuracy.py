"""Forecast accuracy by family, product and lag from the frozen consensus snapshots.

Each signed-off cycle froze, per product x month, the naive forecast (last closed month's
actual carried forward), the statistical forecast and the consensus, with the lag (months
between the cycle and the forecast month). Once a month has actual sales, every snapshot that
forecast it is scored:

* MAPE  = mean over cells with actual > 0 of |f - a| / a  (scale-free, but explodes on small a)
* WAPE  = sum |f - a| / sum a  (volume-weighted: the planner's headline number)
* bias  = sum (f - a) / sum a  (positive = over-forecast)
* FVA   = the WAPE points each step removes: statistical vs naive, consensus vs statistical
  (Gilliland's forecast value added; a negative FVA means the step made the forecast worse).

Worst offenders first: rows are sorted by the consensus's absolute error in units. The page's
sums come from the database (``demand.accuracy_sql``); ``accuracy_table`` computes the same sums
from a frame of cells (the definitions, tested on small cases).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

METHODS = ("naive", "statistical", "consensus")


def accuracy_table(cells: pd.DataFrame, by: list[str]) -> list[dict[str, Any]]:
    """Metrics grouped by ``by`` (e.g. ["family"], ["family", "sku"], ["lag"]), worst first.

    Set-based: a handful of column operations and one grouped sum over all cells, whatever the
    number of groups (no Python call per product). MAPE averages |f - a| / a over the cells
    with a > 0 only; WAPE, bias and FVA are undefined (None) for groups without actual units.
    """
    if cells.empty:
        return []
    actual = cells["actual_units"].to_numpy(float)
    positive = actual > 0
    parts: dict[str, np.ndarray] = {
        "cells": np.ones(len(cells)),
        "actual_units": actual,
        "positive_cells": positive.astype(float),
    }
    for method in METHODS:
        error = cells[f"{method}_units"].to_numpy(float) - actual
        parts[f"{method}_error"] = error
        parts[f"{method}_abs_error"] = np.abs(error)
        with np.errstate(invalid="ignore", divide="ignore"):
            parts[f"{method}_ape"] = np.where(positive, np.abs(error) / actual, 0.0)
    sums = pd.DataFrame(parts, index=cells.index).groupby([cells[c] for c in by]).sum()
    return table_rows(sums)


def table_rows(sums: pd.DataFrame, limit: int | None = None) -> list[dict[str, Any]]:
    """Rows of metrics from grouped sums (``SUM_COLUMNS``, indexed by the group), worst first;
    the ``limit`` worst only when given (only those become Python dicts: 10,000 products would
    cost 0.4 s)."""
    table = _ratios(sums).reset_index()
    table = table.sort_values("consensus_abs_error", ascending=False, kind="stable")
    if limit is not None:
        table = table.head(limit)
    return [
        {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
        for row in table.to_dict("records")
    ]


def _ratios(sums: pd.DataFrame) -> pd.DataFrame:
    """Per-group percentages from the grouped sums (NaN where the denominator is 0)."""
    total = sums["actual_units"].where(sums["actual_units"] > 0)
    counted = sums["positive_cells"].where(sums["positive_cells"] > 0)
    out = pd.DataFrame(
        {"cells": sums["cells"].astype(int), "actual_units": sums["actual_units"]},
        index=sums.index,
    )
    for method in METHODS:
        out[f"{method}_mape"] = sums[f"{method}_ape"] / counted * 100
        out[f"{method}_wape"] = sums[f"{method}_abs_error"] / total * 100
        out[f"{method}_bias"] = sums[f"{method}_error"] / total * 100
        out[f"{method}_abs_error"] = sums[f"{method}_abs_error"]
    out["fva_statistical"] = out["naive_wape"] - out["statistical_wape"]
    out["fva_consensus"] = out["statistical_wape"] - out["consensus_wape"]
    return out
