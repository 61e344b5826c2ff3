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
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from cycles.models import PlanningCycle
from datainputs.importers.parsing import TableParseError, xlsx_rows
from demand.grid import grid_data, month_key, version_key
from demand.overrides import MAX_UNITS, CellEdit
from masterdata.models import Product, ProductFamily
from siop.cells import xlsx_append
from siop.numbers import NumberError, parse_number

HEAD = ["Family", "SKU", "Product", "Measure"]
EDITABLE_FILL = PatternFill("solid", fgColor="FFF4CC")
MAX_SHEET_ROWS = 100_000  # a family of 20,000 products x 5 measures
MAX_COLUMNS = 200  # 4 label columns + history + horizon months


FAMILY_VERSION_KEY = "(family total)"  # the _versions sheet's SKU for the family row


def grid_workbook(cycle: PlanningCycle, family: ProductFamily, user: Any) -> bytes:
    """The family's grid as XLSX bytes (see `write_grid_workbook`)."""
    out = io.BytesIO()
    write_grid_workbook(cycle, family, user, out)
    return out.getvalue()


def write_grid_workbook(
    cycle: PlanningCycle, family: ProductFamily, user: Any, out: IO[bytes]
) -> None:
    """The family's grid as an XLSX workbook written to ``out``, row by row (openpyxl write-only
    mode; the background export `demand.exports` writes it to a temporary file).

    Memory stays flat in the number of products: rows are streamed to the file and the sheet
    is never asked for ``max_row``. The family Consensus row and each product's Consensus row
    are editable (filled); the hidden ``_versions`` sheet carries their lock versions.
    """
    data = grid_data(cycle, family, user)
    months = data.history + data.horizon
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Demand review")
    sheet.freeze_panes = "E2"
    versions = book.create_sheet("_versions")
    versions.sheet_state = "hidden"
    bold = Font(bold=True)
    sheet.append([_styled(sheet, h, font=bold) for h in HEAD + [f"{m:%Y-%m}" for m in months]])
    versions.append(["SKU", "Month", "Version", "Consensus at download"])
    horizon = set(data.horizon)
    for row in data.rows:
        sku = FAMILY_VERSION_KEY if row["is_family"] else row["sku"]
        label = row["product"] if row["is_family"] else row["product"][len(sku) + 1 :]
        editable = row["measure"] == "consensus"
        cells = [
            _styled(sheet, row.get(month_key(m)), fill=EDITABLE_FILL)
            if editable and m in horizon
            else row.get(month_key(m))
            for m in months
        ]
        sku_text = "" if row["is_family"] else sku
        xlsx_append(sheet, [family.code, sku_text, label, row["measure_label"], *cells])
        if editable:
            for m in data.horizon:
                at_download = row.get(month_key(m)) if row["is_family"] else None
                version = row.get(version_key(m), 0)
                xlsx_append(versions, [sku, f"{m:%Y-%m}", version, at_download])
    book.save(out)


def _styled(sheet: Any, value: Any, **style: Any) -> Any:
    """A write-only cell carrying ``value`` with the given style attributes (font, fill)."""
    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


@dataclass
class UploadResult:
    edits: list[CellEdit] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    saved: int = 0  # product cells changed (a family total edit changes several)


def parse_upload(
    content: bytes, cycle: PlanningCycle, family: ProductFamily, user: Any
) -> UploadResult:
    """Turn an uploaded grid into edits (changed consensus cells), or row-level errors.

    Numbers typed as text are read in ``NUMBER_LOCALE`` (``siop.numbers``); the sheet is
    streamed and read no further than ``MAX_SHEET_ROWS`` rows.
    """
    result = UploadResult()
    try:
        rows = _sheet_rows(content, "Demand review")
        downloaded, totals_then = _versions(content, result)
    except TableParseError as exc:
        result.errors.append(f"{exc} Download the grid, edit it and upload that file.")
        return result
    data = grid_data(cycle, family, user)
    columns = _month_columns(rows[0] if rows else (), data.horizon, result)
    current = {
        r["product_id"]: r for r in data.rows if r["measure"] == "consensus" and not r["is_family"]
    }
    totals = next(r for r in data.rows if r["measure"] == "consensus" and r["is_family"])
    skus = dict(Product.objects.filter(family=family).values_list("sku", "pk"))
    for number, values in enumerate(rows[1:], start=2):
        if len(values) < 4 or str(values[3] or "").strip().lower() != "consensus":
            continue
        if not values[1]:  # the family total row: spread like a family edit in the grid
            for index, month in columns.items():
                key = (FAMILY_VERSION_KEY, f"{month:%Y-%m}")
                if not _same(values[index] if index < len(values) else None, totals_then.get(key)):
                    _cell(result, number, values, index, month, totals, downloaded.get(key))
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
    _refuse_mixed_months(result)
    return result


def _sheet_rows(content: bytes, name: str) -> list[tuple[Any, ...]]:
    rows = []
    for number, values in enumerate(xlsx_rows(io.BytesIO(content), name, MAX_COLUMNS), start=1):
        if number > MAX_SHEET_ROWS:
            raise TableParseError(f"The '{name}' sheet has more than {MAX_SHEET_ROWS} rows.")
        rows.append(values)
    return rows


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


def _same(value: Any, downloaded: Any) -> bool:
    """The family total cell still holds what was downloaded (the planner did not type it)."""
    if downloaded is None or value is None:
        return False
    try:
        return abs(parse_number(value) - parse_number(downloaded)) < Decimal("0.005")
    except NumberError:
        return False


Versions = dict[tuple[str, str], int]


def _versions(content: bytes, result: UploadResult) -> tuple[Versions, dict[tuple[str, str], Any]]:
    """(SKU, month) -> the lock version at download time, from the hidden ``_versions`` sheet;
    and for the family total row, (key, month) -> its consensus at download time (a family
    total is an edit only where the planner changed it, not where others changed products)."""
    try:
        rows = _sheet_rows(content, "_versions")
    except TableParseError:
        return {}, {}  # a sheet re-saved without it: the current versions apply
    out = {}
    totals = {}
    for number, values in enumerate(rows[1:], start=2):
        sku, month, version, total = [*values, None, None, None, None][:4]
        if sku == FAMILY_VERSION_KEY:
            totals[(str(sku), str(month))] = total
        if sku is None and month is None:
            continue
        if isinstance(version, bool) or not (
            version is None or isinstance(version, int) or str(version).strip().isdigit()
        ):
            result.errors.append(
                f"_versions sheet, row {number}: '{version}' is not a version number; "
                "this sheet is written by the download, do not edit it."
            )
            continue
        out[(str(sku), str(month))] = int(str(version).strip() or 0) if version else 0
    return out, totals


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
        units = parse_number(raw, limit=MAX_UNITS)
    except NumberError as exc:
        result.errors.append(f"{where}: {exc}")
        return
    if units < 0:
        result.errors.append(f"{where}: the consensus must be zero or more, not {raw}.")
        return
    if abs(units - Decimal(str(row.get(month_key(month), 0)))) < Decimal("0.005"):
        return
    result.edits.append(
        CellEdit(
            month=month,
            consensus_units=units,
            version=row.get(version_key(month), 0) if version is None else version,
            product_id=None if row["is_family"] else row["product_id"],
            family_id=row["family_id"] if row["is_family"] else None,
        )
    )


def _refuse_mixed_months(result: UploadResult) -> None:
    """A month whose family total and some of its products both changed is ambiguous: the
    spread of the total would overwrite the product cells typed in the same file."""
    family_months = {e.month for e in result.edits if e.family_id is not None}
    mixed = sorted({e.month for e in result.edits if e.product_id is not None} & family_months)
    for month in mixed:
        result.errors.append(
            f"{month:%Y-%m}: both the family total row and product rows changed; change either "
            "the family total (it is spread over its products) or the products, not both."
        )


def upload_apply(
    cycle_id: int, family: ProductFamily, content: bytes, user: Any, reason: str, comment: str = ""
) -> UploadResult:
    """Validate the whole upload, then save every changed cell in one transaction (or none)."""
    from demand.overrides import overrides_apply

    cycle = PlanningCycle.objects.get(pk=cycle_id)
    result = parse_upload(content, cycle, family, user)
    if not result.errors and result.edits:
        result.saved = overrides_apply(
            cycle_id, result.edits, user, reason=reason, comment=comment, source="upload"
        )
    return result
