"""A request body (CSV bytes or a JSON array of objects) seen two ways: as CSV for the
PostgreSQL fast path, and as numbered string rows for the row-by-row validator.

Row numbers: a CSV row is numbered as in a spreadsheet (header = 1, first data row = 2); a JSON
item by its 1-based position in the array.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datainputs.importers.parsing import TableParseError, parse_table

BOM = b"\xef\xbb\xbf"


def as_text(value: Any) -> str:
    """JSON scalar -> the text a CSV cell would hold (null -> empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return json.dumps(value)


@dataclass
class TablePayload:
    csv_body: bytes
    headers: list[str]
    records: Sequence[Mapping[str, Any]] | None = None  # set for JSON bodies

    @classmethod
    def from_csv(cls, body: bytes) -> TablePayload:
        if body.startswith(BOM):
            body = body[len(BOM) :]
        first_line = body.split(b"\n", 1)[0].decode("utf-8", errors="replace").rstrip("\r")
        try:
            headers = [h.strip().lower() for h in next(csv.reader([first_line]), [])]
        except csv.Error:
            headers = []  # not for the fast path; the row-by-row parser reports the problem
        return cls(csv_body=body, headers=headers)

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, Any]]) -> TablePayload:
        headers: dict[str, None] = {}
        for record in records:
            for key in record:
                headers.setdefault(str(key).strip().lower(), None)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        for record in records:
            normal = {str(k).strip().lower(): v for k, v in record.items()}
            writer.writerow([as_text(normal.get(h)) for h in headers])
        return cls(buffer.getvalue().encode(), list(headers), records)

    @property
    def fast_path_ok(self) -> bool:
        """Headers a COPY column list can use (named, distinct, plain)."""
        names = self.headers
        return bool(names) and "" not in names and len(set(names)) == len(names)

    def numbered_rows(
        self, max_rows: int
    ) -> tuple[list[str] | None, list[tuple[int, dict[str, str]]]]:
        """(headers, rows) for the row-by-row validator; raises ``TableParseError``.

        An empty JSON array has no headers to check: it is a valid no-op batch.
        """
        if self.records is None:
            table = parse_table(self.csv_body, "body.csv", max_rows)
            return table.headers, table.rows
        if len(self.records) > max_rows:
            raise TableParseError(f"Too many rows: {len(self.records)} (the limit is {max_rows}).")
        rows = []
        for number, record in enumerate(self.records, start=1):
            normal = {str(k).strip().lower(): as_text(v).strip() for k, v in record.items()}
            rows.append((number, normal))
        return (self.headers if rows else None), rows
