"""Turn an uploaded CSV or XLSX file into header-keyed rows of strings, streaming.

Row numbers follow what the user sees in a spreadsheet: the header is row 1, data starts at row 2.
Everything stays a string here; typing happens in validation so every error is reported together.

Memory stays bounded whatever the file claims: CSV is decoded and split as a stream, XLSX is read
with openpyxl's read-only iterator, and both stop as soon as the row limit is passed. The XLSX
``<dimension>`` tag is ignored (``reset_dimensions``): other tools often write ``A1`` there (which
would read as an empty sheet) and a hostile file may claim ``A1:XFD1048576`` (which would pad
every row to 16,384 cells).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

import openpyxl
from babel.numbers import format_decimal
from openpyxl.utils.exceptions import InvalidFileException

from siop.numbers import MACHINE

MAX_COLUMNS = 64  # no data input has more than a dozen; wider sheets are read this far only
MAX_SHAPE_ERRORS = 10
SNIFF_BYTES = 4096


class TableParseError(ValueError):
    """The file as a whole cannot be read (wrong format, no header, too many rows)."""


@dataclass(frozen=True)
class RawTable:
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row number, values by header)


def parse_table(
    content: bytes | BinaryIO, file_name: str, max_rows: int, number_locale: str = MACHINE
) -> RawTable:
    """Read a .csv/.txt or .xlsx upload; raises ``TableParseError`` naming the true cause.

    ``number_locale`` is how typed XLSX numbers are written back as text, so validation reads
    them in the same notation as typed text (``MACHINE``: ``1234.5``; ``de``: ``1234,5``).
    """
    stream = io.BytesIO(content) if isinstance(content, bytes) else content
    lower = file_name.lower()
    if lower.endswith(".xlsx"):
        return _to_table(_xlsx_rows(stream, number_locale), max_rows, strict_width=False)
    if lower.endswith(".csv") or lower.endswith(".txt"):
        return _to_table(_csv_rows(stream), max_rows, strict_width=True)
    raise TableParseError("Unsupported file type: upload a .csv or .xlsx file.")


def _csv_rows(stream: BinaryIO) -> Iterator[list[str]]:
    sample = stream.read(SNIFF_BYTES)
    stream.seek(0)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            sample.decode("utf-8-sig", errors="ignore"), delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    text = codecs.getreader("utf-8-sig")(stream)
    reader = csv.reader(_lines(text), dialect)
    try:
        yield from reader
    except UnicodeDecodeError as exc:
        raise TableParseError(
            f"The CSV file is not UTF-8 encoded (near row {reader.line_num + 1}); "
            "save it as 'CSV UTF-8'."
        ) from exc
    except csv.Error as exc:
        raise TableParseError(
            f"The CSV file cannot be read at row {reader.line_num}: {exc}."
        ) from exc


def _lines(text: codecs.StreamReader) -> Iterator[str]:
    # keepends: the csv module needs the line ends to read quoted fields spanning lines.
    while True:
        line = text.readline(keepends=True)
        if not line:
            return
        yield line


def xlsx_rows(
    stream: BinaryIO, sheet_name: str | None = None, max_columns: int = MAX_COLUMNS
) -> Iterator[tuple[object, ...]]:
    """Stream a sheet's rows as raw cell values (the first sheet unless ``sheet_name``).

    Ignores the ``<dimension>`` tag and reads at most ``max_columns`` columns; stopping the
    iteration early stops reading. Raises ``TableParseError`` for unreadable workbooks and a
    missing sheet.
    """
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableParseError("The file is not a readable .xlsx workbook.") from exc
    try:
        if sheet_name is not None and sheet_name not in workbook.sheetnames:
            raise TableParseError(f"The workbook has no '{sheet_name}' sheet.")
        sheet = workbook[sheet_name] if sheet_name else workbook.worksheets[0]
        sheet.reset_dimensions()  # type: ignore[union-attr]
        yield from sheet.iter_rows(max_col=max_columns, values_only=True)  # type: ignore[union-attr]
    except TableParseError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableParseError(f"The .xlsx workbook is damaged and cannot be read: {exc}.") from exc
    finally:
        workbook.close()


def _xlsx_rows(stream: BinaryIO, number_locale: str) -> Iterator[list[str]]:
    for row in xlsx_rows(stream):
        yield [_cell_text(value, number_locale) for value in row]


def _cell_text(value: object, number_locale: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number_text(value, number_locale)
    return str(value).strip()


def _number_text(value: int | float, number_locale: str) -> str:
    """A typed number as text the validator reads back exactly, in ``number_locale``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if number_locale == MACHINE or not (isinstance(value, float) and value == value):
        return str(value) if isinstance(value, int) else repr(value)
    if abs(value) >= 1e15:
        return repr(value)  # validation refuses it as too large; no grouping games here
    return format_decimal(
        Decimal(repr(value)),
        locale=number_locale,
        group_separator=False,
        decimal_quantization=False,
    )


def _to_table(rows: Iterator[list[str]], max_rows: int, strict_width: bool) -> RawTable:
    headers: list[str] | None = None
    width = 0
    data: list[tuple[int, dict[str, str]]] = []
    shape_errors: list[str] = []
    for number, values in enumerate(rows, start=1):
        if not any(str(c).strip() for c in values):
            continue
        if headers is None:
            headers = [str(h).strip().lower() for h in values]
            width = max(i + 1 for i, h in enumerate(headers) if h)
            continue
        problem = _shape_problem(values, width, strict_width)
        if problem and len(shape_errors) < MAX_SHAPE_ERRORS:
            shape_errors.append(f"row {number} {problem}")
        if len(data) == max_rows:
            raise TableParseError(
                f"Too many rows: more than {max_rows} data rows (the import limit); split the file."
            )
        padded = list(values) + [""] * (width - len(values))
        data.append((number, {h: padded[j].strip() for j, h in enumerate(headers) if h}))
    if headers is None:
        raise TableParseError("The file is empty: expected a header row and data rows.")
    if shape_errors:
        raise TableParseError(
            f"Rows do not match the header's {width} columns ({'; '.join(shape_errors)}): "
            "nothing was read. Check for unquoted separators (a decimal comma in a "
            "comma-separated file) or a missing field."
        )
    return RawTable(headers=[h for h in headers if h], rows=data)


def _shape_problem(values: list[str], width: int, strict_width: bool) -> str:
    extra = [c for c in values[width:] if str(c).strip()]
    if extra:
        return f"has {width + len(extra)}+ fields"
    if strict_width and len(values) < width:
        return f"has {len(values)} fields"
    return ""
