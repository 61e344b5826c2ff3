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

Worst offenders first: rows are sorted by the consensus's absolute error in units.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from django.db.models import Sum

from datainputs.models import SalesHistory
from demand.models import ConsensusSnapshot

METHODS = ("naive", "statistical", "consensus")


def scored_cells(family_ids: set[int] | None = None, lag: int | None = None) -> pd.DataFrame:
    """Snapshot cells whose month has actuals, with the actual units attached."""
    rows = ConsensusSnapshot.objects.all()
    if family_ids is not None:
        rows = rows.filter(product__family_id__in=family_ids)
    if lag is not None:
        rows = rows.filter(lag_months=lag)
    values = rows.values_list(
        "product_id",
        "product__sku",
        "product__family__code",
        "month",
        "lag_months",
        "naive_units",
        "statistical_units",
        "consensus_units",
    )
    columns = ["product_id", "sku", "family", "month", "lag", *(f"{m}_units" for m in METHODS)]
    cells = pd.DataFrame.from_records(list(values), columns=columns)
    if cells.empty:
        return cells.assign(actual_units=pd.Series(dtype=float))
    actual = (
        SalesHistory.objects.filter(
            product_id__in=cells["product_id"].unique().tolist(),
            month__gte=cells["month"].min(),
            month__lte=cells["month"].max(),
        )
        .values("product_id", "month")
        .annotate(units=Sum("quantity"))
    )
    actuals = pd.DataFrame.from_records(list(actual), columns=["product_id", "month", "units"])
    last_month = SalesHistory.objects.order_by("-month").values_list("month", flat=True).first()
    cells = cells[cells["month"] <= last_month] if last_month else cells.iloc[0:0]
    cells = cells.merge(actuals, on=["product_id", "month"], how="left")
    cells["actual_units"] = cells["units"].astype(float).fillna(0.0)
    for method in METHODS:
        cells[f"{method}_units"] = cells[f"{method}_units"].astype(float)
    return cells.drop(columns="units")


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
    table = _ratios(sums).reset_index()
    table = table.sort_values("consensus_abs_error", ascending=False, kind="stable")
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
