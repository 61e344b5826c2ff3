"""XLSX download and upload of the demand review grid (openpyxl).

The sheet mirrors the grid: Family, SKU, Product, Measure, then one column per month (``YYYY-MM``).
On upload only the product *Consensus* rows are read; a changed cell becomes an override with the
upload's reason code (source "upload"). A hidden ``_versions`` sheet carries each cell's lock
version at download time, so a cell someone changed since then is a conflict, not an overwrite.
Every problem is reported with its row and column, and nothing is saved unless all rows are good.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from cycles.models import PlanningCycle
from demand.grid import grid_data, month_key, version_key
from demand.overrides import CellEdit
from masterdata.models import Product, ProductFamily

HEAD = ["Family", "SKU", "Product", "Measure"]
EDITABLE_FILL = PatternFill("solid", fgColor="FFF4CC")


def grid_workbook(cycle: PlanningCycle, family: ProductFamily, user: Any) -> bytes:
    data = grid_data(cycle, family, user)
    months = data.history + data.horizon
    book = Workbook()
    sheet = book.create_sheet("Demand review", 0)
    book.remove(book.worksheets[1])
    sheet.title = "Demand review"
    sheet.append(HEAD + [f"{m:%Y-%m}" for m in months])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    versions = book.create_sheet("_versions")
    versions.append(["SKU", "Month", "Version"])
    skus = dict(Product.objects.filter(family=family).values_list("pk", "sku"))
    for row in data.rows:
        sku = "" if row["is_family"] else skus[row["product_id"]]
        label = row["product"] if row["is_family"] else row["product"][len(sku) + 1 :]
        sheet.append(
            [family.code, sku, label, row["measure_label"]]
            + [row.get(month_key(m)) for m in months]
        )
        if row["measure"] == "consensus" and not row["is_family"]:
            for m in data.horizon:
                versions.append([sku, f"{m:%Y-%m}", row.get(version_key(m), 0)])
                sheet.cell(sheet.max_row, 5 + months.index(m)).fill = EDITABLE_FILL
    versions.sheet_state = "hidden"
    sheet.freeze_panes = "E2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class UploadResult:
    edits: list[CellEdit] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_upload(
    content: bytes, cycle: PlanningCycle, family: ProductFamily, user: Any
) -> UploadResult:
    """Turn an uploaded grid into edits (changed consensus cells), or row-level errors."""
    result = UploadResult()
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        result.errors.append("The file is not a readable .xlsx workbook.")
        return result
    if "Demand review" not in book.sheetnames:
        result.errors.append("The workbook has no 'Demand review' sheet; download the grid first.")
        return result
    rows = list(book["Demand review"].iter_rows(values_only=True))
    data = grid_data(cycle, family, user)
    columns = _month_columns(rows[0] if rows else (), data.horizon, result)
    downloaded = _versions(book)
    current = {
        r["product_id"]: r for r in data.rows if r["measure"] == "consensus" and not r["is_family"]
    }
    skus = dict(Product.objects.filter(family=family).values_list("sku", "pk"))
    for number, values in enumerate(rows[1:], start=2):
        if len(values) < 4 or str(values[3] or "").strip().lower() != "consensus" or not values[1]:
            continue
        sku = str(values[1]).strip()
        if sku not in skus:
            result.errors.append(
                f"Row {number}, SKU: '{sku}' is not a product of family {family.code}."
            )
            continue
        row = current.get(skus[sku])
        if row is None:
            result.errors.append(f"Row {number}, SKU: '{sku}' has no forecast yet.")
            continue
        for index, month in columns.items():
            _cell(
                result, number, values, index, month, row, downloaded.get((sku, f"{month:%Y-%m}"))
            )
    return result


def _month_columns(
    header: tuple[Any, ...], horizon: list[dt.date], result: UploadResult
) -> dict[int, dt.date]:
    wanted = {f"{m:%Y-%m}": m for m in horizon}
    columns = {
        i: wanted[str(h).strip()[:7]]
        for i, h in enumerate(header)
        if str(h or "").strip()[:7] in wanted
    }
    if list(header[:4]) != HEAD or not columns:
        result.errors.append(
            "Row 1: the header must be Family, SKU, Product, Measure and the months (YYYY-MM)."
        )
    return columns


def _versions(book: Any) -> dict[tuple[str, str], int]:
    if "_versions" not in book.sheetnames:
        return {}
    out = {}
    for sku, month, version in list(book["_versions"].iter_rows(values_only=True))[1:]:
        out[(str(sku), str(month))] = int(version or 0)
    return out


def _cell(
    result: UploadResult,
    number: int,
    values: tuple[Any, ...],
    index: int,
    month: dt.date,
    row: dict[str, Any],
    version: int | None,
) -> None:
    raw = values[index] if index < len(values) else None
    where = f"Row {number}, {month:%Y-%m}"
    if raw is None or str(raw).strip() == "":
        result.errors.append(f"{where}: the consensus is empty; give a number (0 for none).")
        return
    try:
        units = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        result.errors.append(f"{where}: '{raw}' is not a number.")
        return
    if not units.is_finite() or units < 0:
        result.errors.append(f"{where}: the consensus must be zero or more, not {raw}.")
        return
    if abs(units - Decimal(str(row.get(month_key(month), 0)))) < Decimal("0.005"):
        return
    result.edits.append(
        CellEdit(
            month=month,
            consensus_units=units,
            version=row.get(version_key(month), 0) if version is None else version,
            product_id=row["product_id"],
        )
    )


def upload_apply(
    cycle_id: int, family: ProductFamily, content: bytes, user: Any, reason: str, comment: str = ""
) -> UploadResult:
    """Validate the whole upload, then save every changed cell in one transaction (or none)."""
    from demand.overrides import overrides_apply

    cycle = PlanningCycle.objects.get(pk=cycle_id)
    result = parse_upload(content, cycle, family, user)
    if not result.errors and result.edits:
        overrides_apply(
            cycle_id, result.edits, user, reason=reason, comment=comment, source="upload"
        )
    return result
