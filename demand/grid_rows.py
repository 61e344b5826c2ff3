"""The demand grid's rows built from its frames (``demand.grid`` reads them, this lays them out).

A product has six rows (``MEASURES``); each row is a dict of the row's fields and one key per
month (``m2026_11``: units, or money, rounded to cents), the consensus row also one lock version
per month (``v2026_11``) and its flags (overridden, carried-over and statistical-changed cells).
The family has the same six rows, totalled over its products by month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from masterdata.models import Product, ProductFamily

MEASURES = [
    ("actual", "Actual sales"),
    ("statistical", "Statistical"),
    ("events", "Events"),
    ("override", "Override"),
    ("consensus", "Consensus"),
    ("backlog", "Backlog (past due)"),
]
MEASURE_FIELD = {
    "statistical": "statistical_units",
    "events": "event_units",
    "override": "adjustment_units",
    "consensus": "consensus_units",
}
Frames = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]  # consensus, actuals, backlog


def month_key(month: dt.date) -> str:
    return f"m{month:%Y_%m}"


def version_key(month: dt.date) -> str:
    return f"v{month:%Y_%m}"


def _cells(
    frame: pd.DataFrame, fields: list[str], key: Callable[[dt.date], str] = month_key
) -> dict[str, dict[int, dict[str, Any]]]:
    """field -> product_id -> {month key: value} for every product at once, in month order
    (missing cells left out; ``month_key`` values rounded to cents, versions as they are).

    One grouping of the frame for all its fields, then one pass over plain lists: 200 products
    x 18 months x 6 measures are 20,000 cells, which a pivot per measure and a dict per row
    of it cost ten times as much."""
    if frame.empty:
        return {field: {} for field in fields}
    if frame.duplicated(["product_id", "month"]).any():  # else each cell is one row already
        frame = frame.groupby(["product_id", "month"])[fields].sum(min_count=1).reset_index()
    frame = frame.sort_values("month", kind="stable")  # each product's months in order
    names = {month: key(month) for month in frame["month"].unique()}
    pks = frame["product_id"].astype(int).tolist()
    months = [names[month] for month in frame["month"].tolist()]
    cells: dict[str, dict[int, dict[str, Any]]] = {}
    for field in fields:
        values = frame[field].to_numpy(dtype=float)
        if key is month_key:
            values = values.round(2)
        by_product: dict[int, dict[str, Any]] = {}
        present = (~np.isnan(values)).tolist()
        for pk, month, value, here in zip(pks, months, values.tolist(), present, strict=True):
            if here:
                by_product.setdefault(pk, {})[month] = value
        cells[field] = by_product
    return cells


def product_rows(
    family: ProductFamily,
    family_label: str,
    listed: list[tuple[int, str, str]],
    frames: Frames,
    editable: bool,
    flags: dict[int, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Six rows per listed product (pk, sku, name); ``flags``: the consensus rows' flags when
    ``frames`` holds only some months (else read from them)."""
    consensus, actuals, backlog = frames
    measured = _cells(consensus, list(MEASURE_FIELD.values()))
    values = {measure: measured[field] for measure, field in MEASURE_FIELD.items()}
    values["actual"] = _cells(actuals, ["actual_units"])["actual_units"]
    values["backlog"] = _cells(backlog, ["backlog_units"])["backlog_units"]
    versions = _cells(consensus, ["version"], version_key)["version"]
    models = consensus.groupby("product_id")["model"].first().to_dict() if len(consensus) else {}
    flags = consensus_flags(consensus) if flags is None else flags
    rows = []
    for pk, sku, name in listed:
        common = {"family": family_label, "family_id": family.pk, "product_id": pk, "sku": sku,
                  "product": f"{sku} {name}", "is_family": False}  # fmt: skip
        for measure, measure_label in MEASURES:
            row: dict[str, Any] = {
                "id": f"p{pk}-{measure}",
                **common,
                "measure": measure,
                "measure_label": measure_label,
                "editable": editable and measure == "consensus",
                **values[measure].get(pk, {}),
            }
            if measure == "statistical" and pk in models:
                row["measure_label"] = f"Statistical · {models[pk]}"
            if measure == "consensus":
                row.update({k: int(v) for k, v in versions.get(pk, {}).items()})
                row.update(flags.get(pk, _NO_FLAGS))
            rows.append(row)
    return rows


_NO_FLAGS: dict[str, Any] = {"overridden": [], "carried": [], "statistical_changed": {}}


def total_rows(
    family: ProductFamily,
    family_label: str,
    product: Product | None,
    label: str,
    frames: Frames,
    editable: bool,
) -> list[dict[str, Any]]:
    """The six rows of ``frames`` totalled by month (the family's, or the company's)."""
    consensus, actuals, backlog = frames
    key = f"p{product.pk}" if product else f"f{family.pk}"
    totals = consensus.groupby("month")[[*MEASURE_FIELD.values(), "version"]].sum()
    by_month = {
        "actual": actuals.groupby("month")["actual_units"].sum(),
        "backlog": backlog.groupby("month")["backlog_units"].sum(),
    }
    rows = []
    for measure, measure_label in MEASURES:
        row: dict[str, Any] = {
            "id": f"{key}-{measure}",
            "family": family_label,
            "family_id": family.pk,
            "product_id": product.pk if product else None,
            "product": label,
            "is_family": product is None,
            "measure": measure,
            "measure_label": measure_label,
            "editable": editable and measure == "consensus",
        }
        values = by_month.get(measure)
        if values is None:
            values = totals[MEASURE_FIELD[measure]]
        row.update({month_key(m): round(float(v), 2) for m, v in values.items()})
        if measure == "consensus":
            row.update({version_key(m): int(v) for m, v in totals["version"].items()})
        rows.append(row)
    return rows


def consensus_flags(consensus: pd.DataFrame) -> dict[int, dict[str, Any]]:
    """product_id -> its overridden, carried-over and statistical-changed consensus cells.

    One pass over the overridden cells (a family save overrides a cell of each of its 1,000
    products; grouping them per product in pandas cost a frame per product)."""
    overridden = consensus[consensus["overridden"].astype(bool)]
    if overridden.empty:
        return {}
    keys = {month: month_key(month) for month in overridden["month"].unique()}
    columns = [
        overridden["product_id"].astype(int).tolist(),
        overridden["month"].tolist(),
        overridden["carried"].astype(bool).tolist(),
        overridden["statistical_changed"].astype(bool).tolist(),
        overridden["statistical_units"].astype(float).round(2).tolist(),
    ]
    flags: dict[int, dict[str, Any]] = {}
    for pk, month, carried, changed, units in zip(*columns, strict=True):
        cell = flags.setdefault(pk, {"overridden": [], "carried": [], "statistical_changed": {}})
        key = keys[month]
        cell["overridden"].append(key)
        if carried:
            cell["carried"].append(key)
        if changed:
            cell["statistical_changed"][key] = units
    return flags
