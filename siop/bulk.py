"""Loading a large frame into a table: PostgreSQL's COPY where available, batched INSERTs else.

COPY streams rows in one statement (statement-level triggers still fire once), which loads the
1.2 M sales-history rows of a 10,000-SKU company in seconds instead of minutes of ``bulk_create``
batches that also build a model object per row. The rows go in PostgreSQL's binary format when
every column's type and values allow it (`siop.bulk_binary`: numbers as machine values, no text
formatting and parsing per number), else as CSV. Other databases (SQLite for ``make run``) get
batched INSERTs of the same rows.

``read_frame`` is the reverse: a queryset's ``values_list`` rows as a frame, streamed on
PostgreSQL with ``COPY (query) TO STDOUT`` and parsed by pandas, so 200,000 rows arrive in a
fraction of a second instead of building a tuple, a ``Decimal`` and a ``date`` per value.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from siop.bulk_binary import binary_copy

log = logging.getLogger(__name__)

COPY_CHUNK_ROWS = 50_000  # bounds the text of one chunk held in memory (~70 MB at 23 columns)
INSERT_BATCH_ROWS = 5_000


def load_frame(model: type[models.Model], frame: pd.DataFrame) -> int:
    """Insert every row of ``frame`` (columns named by the table's column names) into ``model``.

    ``created_at``/``updated_at`` are set to now when the model has them and the frame does not.
    Returns the number of rows written. Runs in the caller's transaction.
    """
    frame = _with_timestamps(model, frame)
    columns = [str(c) for c in frame.columns]
    if connection.vendor == "postgresql":
        return _copy(model, columns, frame)
    return _insert(model._meta.db_table, columns, frame)


def _with_timestamps(model: type[models.Model], frame: pd.DataFrame) -> pd.DataFrame:
    names = {f.column for f in model._meta.concrete_fields}
    now = timezone.now()
    extra = {c: now for c in ("created_at", "updated_at") if c in names and c not in frame}
    return frame.assign(**extra) if extra else frame


NULL = "\\N"  # COPY's NULL marker here, so an empty string stays an empty string


def _column_text(values: pd.Series) -> list[str]:
    """One column as COPY CSV fields: numbers by ``repr`` (round-trip exact), booleans t/f,
    anything else as its quoted ``str``, missing values as ``NULL``; a timestamp column holding
    one value (created_at, frozen_at...) is formatted once."""
    if values.dtype.kind == "b":
        return np.where(values.to_numpy(), "t", "f").tolist()
    if values.dtype.kind in "iu":
        return values.to_numpy().astype(str).tolist()
    if values.dtype.kind == "f":
        array = values.to_numpy()
        return [NULL if v != v else repr(v) for v in array.tolist()]
    timestamps = isinstance(values.dtype, pd.DatetimeTZDtype) or values.dtype.kind == "M"
    if timestamps and values.notna().all() and values.nunique() == 1:
        return [values.iloc[0].isoformat()] * len(values)
    # Text, dates, decimals: each distinct value is formatted once (a month column has 18).
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    texts = np.array(['"' + str(v).replace('"', '""') + '"' for v in distinct] + [NULL],
                     dtype=object)  # fmt: skip
    return texts[codes].tolist()  # code -1 (missing) picks the trailing NULL


def _csv(frame: pd.DataFrame) -> io.StringIO:
    """``frame`` as COPY CSV rows, built column by column (pandas' ``to_csv`` formats value by
    value and took twice as long on 250,000 rows of 20 float columns)."""
    columns = [_column_text(frame[c]) for c in frame.columns]
    buffer = io.StringIO("\n".join(map(",".join, zip(*columns, strict=True))) + "\n")
    return buffer


def _copy(model: type[models.Model], columns: list[str], frame: pd.DataFrame) -> int:
    """COPY in chunks: binary where every column allows it (`siop.bulk_binary`), else CSV."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(frame), COPY_CHUNK_ROWS):
            chunk = frame.iloc[start : start + COPY_CHUNK_ROWS]
            binary = binary_copy(model, chunk)
            if binary is None:
                named, options, data = columns, f"csv, NULL '{NULL}'", _csv(chunk)
            else:
                named, options, data = binary[0], "binary", io.BytesIO(binary[1])  # type: ignore[assignment]
            quoted = ", ".join(connection.ops.quote_name(c) for c in named)
            sql = f"COPY {table} ({quoted}) FROM STDIN WITH (FORMAT {options})"
            with connection.wrap_database_errors:  # IntegrityError etc., as for the ORM
                cursor.copy_expert(sql, data)  # type: ignore[attr-defined]
    return len(frame)


def refresh_statistics(*tables: str) -> None:
    """Refresh PostgreSQL's planner statistics of ``tables`` (every table when none is named)
    after a bulk load replaced much of their rows; nothing on SQLite.

    Why: until autovacuum analyses a table (if it runs at all), the planner still plans with the
    old rows' statistics -- e.g. a new run id it believes absent -- and scans where an index
    would do ("Populating a Database: Run ANALYZE Afterwards", PostgreSQL manual 14.4.9).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def refresh_statistics_after_write(table: str, written_rows: int) -> bool:
    """Refresh ``table``'s planner statistics when ``written_rows`` (inserted + updated by one
    write) would make autovacuum analyse it; True when it did. Nothing on SQLite.

    The threshold is autovacuum's default: 50 rows + 10 % of the rows the statistics know
    (``autovacuum_analyze_threshold`` / ``_scale_factor``, PostgreSQL manual 25.1.6), so a
    first import into an empty table always counts. Why here and not left to autovacuum: it
    may be off, and until it runs the planner plans with the old row count -- 1.2 M sales
    rows it believes absent read a 1,000-product history by the month index, 2.7 s instead
    of 0.12 s per forecast chunk. Runs inside the caller's transaction: ANALYZE counts the rows
    it inserted, so the planner knows them from the commit on (a rollback keeps the row count
    estimate, which PostgreSQL writes in place, but not the column statistics). A failed
    ANALYZE (a lock or statement timeout) is logged and rolled back to its savepoint alone:
    the write it follows still commits.
    """
    if connection.vendor != "postgresql" or written_rows <= 0:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(table)],
        )
        known = cursor.fetchone()
    if known is not None and written_rows <= 50 + 0.1 * max(float(known[0]), 0.0):
        return False
    return refresh_statistics_or_log(table)


def refresh_statistics_or_log(*tables: str) -> bool:
    """``refresh_statistics(*tables)`` in a savepoint of the caller's transaction: a failure
    (a lock or statement timeout) is logged and undone alone, never failing the write it
    follows. True when the statistics were refreshed."""
    try:
        with transaction.atomic():
            refresh_statistics(*tables)
    except DatabaseError:
        log.warning("ANALYZE of %s failed", ", ".join(tables), exc_info=True)
        return False
    return True


def read_frame(
    queryset: QuerySet[Any], columns: list[str], *, dates: Iterable[str] = (),
    text: Iterable[str] = (),
) -> pd.DataFrame:  # fmt: skip
    """The rows of ``queryset`` (a ``values_list``) as a frame with ``columns``.

    Numbers arrive as int64/float64 (decimals as float; NULL as NaN), ``dates`` columns as
    ``datetime.date`` and ``text`` columns as ``str``. PostgreSQL streams the query's rows with
    COPY; other databases read them through the ORM into the same shapes.
    """
    dates, text = list(dates), list(text)
    if connection.vendor != "postgresql":
        frame = pd.DataFrame.from_records(list(queryset), columns=columns)
        numbers = [c for c in columns if c not in dates and c not in text]
        frame[numbers] = frame[numbers].apply(pd.to_numeric)
        return frame.astype({c: str for c in text})
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # filtered on an empty ``__in`` list: no rows, nothing to ask
        return _empty_frame(columns, dates, text)
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()  # type: ignore[attr-defined]
        copy = f"COPY ({query}) TO STDOUT WITH (FORMAT csv, NULL '{NULL}')"
        cursor.copy_expert(copy, buffer)  # type: ignore[attr-defined]
    if not buffer.getbuffer().nbytes:
        return _empty_frame(columns, dates, text)
    buffer.seek(0)
    frame = pd.read_csv(
        buffer, header=None, names=columns, na_values=[NULL], keep_default_na=False,
        float_precision="round_trip",
        dtype={c: str for c in [*dates, *text]},
    )  # fmt: skip
    for column in dates:
        frame[column] = _dates(frame[column])
    return frame


def _dates(values: pd.Series) -> pd.Series:
    """ISO date strings as ``datetime.date``: each distinct string parsed once (a plan's 18,000
    rows hold 18 months), NULL as NaT."""
    if values.isna().any():
        return pd.to_datetime(values, format="%Y-%m-%d").dt.date
    return values.map({text: dt.date.fromisoformat(text) for text in values.unique()})


def _empty_frame(columns: list[str], dates: list[str], text: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype=object if c in dates or c in text else float) for c in columns}
    )


def _insert(table: str, columns: list[str], frame: pd.DataFrame) -> int:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"
    records = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
    rows: list[Any] = [tuple(_plain(v) for v in row) for row in records]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH_ROWS):
            cursor.executemany(sql, rows[start : start + INSERT_BATCH_ROWS])
    return len(rows)


def _plain(value: object) -> object:
    # numpy scalars and pandas timestamps are not adapted by every driver
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    item = getattr(value, "item", None)
    return item() if callable(item) else value
