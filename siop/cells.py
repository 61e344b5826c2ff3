"""User text in exported spreadsheets and CSV files never becomes a live formula.

OWASP "CSV Injection": a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is evaluated by Excel and LibreOffice when the file is opened, so a product named
``=HYPERLINK("http://...","Click me")`` would become a clickable link in a planner's export.

- CSV: such text cells are prefixed with a single quote (OWASP's recommended escape); numbers,
  and text that is exactly a plain number such as ``-12.5``, are left as they are.
- XLSX (openpyxl): text is stored as a text cell, never a formula cell (openpyxl otherwise turns
  any string starting with ``=`` into a formula); numbers stay numeric cells. Writers using
  xlsxwriter get the same with ``Workbook(..., {"strings_to_formulas": False})``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def csv_cell(value: Any) -> Any:
    """``value`` safe to write into a CSV cell (text escaped, everything else unchanged)."""
    formula_like = isinstance(value, str) and value.startswith(FORMULA_STARTS)
    if formula_like and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def xlsx_append(sheet: Any, values: Iterable[Any]) -> None:
    """``sheet.append(values)`` with every text cell stored as text, never as a formula.

    Formula-like text goes in as a prepared cell, so this works for write-only sheets too and
    never asks the sheet for its ``max_row`` (a scan of every cell, once per row: quadratic).
    """
    row = []
    for value in values:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(value)
    sheet.append(row)
