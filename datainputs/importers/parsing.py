"""Turn an uploaded CSV or XLSX file into header-keyed rows of strings.

Row numbers follow what the user sees in a spreadsheet: the header is row 1, data starts at row 2.
Everything stays a string here; typing happens in validation so every error is reported together.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException


class TableParseError(ValueError):
    """The file as a whole cannot be read (wrong format, no header, too many rows)."""


@dataclass(frozen=True)
class RawTable:
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row number, values by header)


def parse_table(content: bytes, file_name: str, max_rows: int) -> RawTable:
    lower = file_name.lower()
    if lower.endswith(".xlsx"):
        matrix = _xlsx_matrix(content)
    elif lower.endswith(".csv") or lower.endswith(".txt"):
        matrix = _csv_matrix(content)
    else:
        raise TableParseError("Unsupported file type: upload a .csv or .xlsx file.")
    return _to_table(matrix, max_rows)


def _csv_matrix(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableParseError("The CSV file is not UTF-8 encoded.") from exc
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise TableParseError(f"The CSV file cannot be read: {exc}.") from exc


def _xlsx_matrix(content: bytes) -> list[list[str]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableParseError("The file is not a readable .xlsx workbook.") from exc
    sheet = workbook.worksheets[0]
    matrix = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return matrix


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _to_table(matrix: list[list[str]], max_rows: int) -> RawTable:
    non_empty = [(i, row) for i, row in enumerate(matrix, start=1) if any(c.strip() for c in row)]
    if not non_empty:
        raise TableParseError("The file is empty: expected a header row and data rows.")
    _header_row, header = non_empty[0]
    headers = [h.strip().lower() for h in header]
    data = non_empty[1:]
    if len(data) > max_rows:
        raise TableParseError(f"Too many rows: {len(data)} (the limit is {max_rows}).")
    rows = []
    for number, values in data:
        padded = list(values) + [""] * (len(headers) - len(values))
        rows.append((number, {h: padded[j].strip() for j, h in enumerate(headers) if h}))
    return RawTable(headers=[h for h in headers if h], rows=rows)
