"""Streaming a workbook to the browser; user text goes in as text (``siop.cells``)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import FileResponse
from openpyxl import Workbook

from siop.cells import xlsx_append

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(
    filename: str, sheet: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> FileResponse:
    """A one-sheet workbook as a download, written row by row (openpyxl write-only mode).

    The workbook is spooled to a temporary file, so memory stays flat however many rows there are.
    """
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    xlsx_append(worksheet, header)
    for row in rows:
        xlsx_append(worksheet, row)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it after sending
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
