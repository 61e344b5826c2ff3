"""One-sheet workbooks written row by row; user text goes in as text (``siop.cells``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO, Any

from openpyxl import Workbook

from siop.cells import xlsx_append

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_xlsx(
    out: IO[bytes], sheet: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """A one-sheet workbook written to ``out`` row by row (openpyxl write-only mode: memory
    stays flat however many rows there are; background exports write it to a temporary file)."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    xlsx_append(worksheet, header)
    for row in rows:
        xlsx_append(worksheet, row)
    workbook.save(out)
