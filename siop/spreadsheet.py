"""Writing user text into spreadsheets safely, and streaming workbooks to the browser.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel and LibreOffice as a formula (OWASP "CSV Injection"): a product named
``=HYPERLINK("http://…","Click me")`` would become a live link. Such text is written with a
leading apostrophe, which spreadsheet programs show as plain text. Numbers stay numbers.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import FileResponse
from openpyxl import Workbook

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any) -> Any:
    """``value`` unchanged, except text a spreadsheet would run as a formula (see module doc)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def xlsx_response(
    filename: str, sheet: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> FileResponse:
    """A one-sheet workbook as a download, written row by row (openpyxl write-only mode).

    The workbook is spooled to a temporary file, so memory stays flat however many rows there are.
    """
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    worksheet.append([safe_cell(h) for h in header])
    for row in rows:
        worksheet.append([safe_cell(v) for v in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it after sending
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
