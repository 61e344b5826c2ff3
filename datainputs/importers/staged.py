"""PostgreSQL fast path for large imports: COPY -> set-based checks -> one INSERT ... ON CONFLICT.

Why: building a Python dict and a model instance per row costs tens of microseconds, so a
million-row ERP sync would take minutes. Here PostgreSQL parses the CSV (``COPY`` into a
temporary staging table), checks every row with a handful of set-based queries (joins to the
master tables for natural keys, regular expressions for numbers, months and dates, a GROUP BY for
duplicate keys) and upserts with ``INSERT ... ON CONFLICT DO UPDATE ... WHERE ... IS DISTINCT
FROM ... RETURNING (xmax = 0)``, which counts created and updated rows and leaves unchanged rows
untouched (no ``updated_at`` churn for incremental sync).

The SQL checks are a *conservative screen*, not a second rule book: they accept only text the
row-by-row validator (``validation.py``) accepts with the same value. Whenever they flag
anything, or COPY cannot read the body, ``StagingFallback`` sends the request to the row-by-row
path, which reports the exact row errors the browser upload reports. Rows are upserted in key
order so overlapping concurrent batches lock rows in the same order and cannot deadlock.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction

from datainputs.importers.specs import Column, ImportSpec
from datainputs.importers.validation import FK_MODELS
from datainputs.importers.writer import WriteCounts, table_lock
from masterdata.models import Product

STAGE = "_siop_import_stage"
SUPPORTED_KINDS = {"str", "int", "decimal", "month", "date", "choice", "fk", "bool"}
WS = r"E' \t\r\n\f\v'"
MONTH_RE = "^[1-9][0-9]{3}-(0[1-9]|1[0-2])(-01)?$"
DATE_RE = "^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
TRUE_TEXT, BOOL_TEXT = ("true", "1", "yes"), ("true", "1", "yes", "false", "0", "no")


class StagingFallback(Exception):
    """The fast path cannot decide this request; use the row-by-row path."""


def supports(spec: ImportSpec) -> bool:
    """Fast path only where SQL can express every rule and a unique index backs the key."""
    if connection.vendor != "postgresql" or spec.extra_checks or spec.input_only_fields:
        return False
    if any(c.kind not in SUPPORTED_KINDS for c in spec.columns):
        return False
    key_columns = [c for c in spec.columns if c.field in spec.key_fields]
    if len(key_columns) != len(spec.key_fields) or not all(c.required for c in key_columns):
        return False
    return _unique_on(spec.model, set(spec.key_fields))


def _field(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name)


def _unique_on(model: type[models.Model], fields: set[str]) -> bool:
    for constraint in model._meta.constraints:
        unconditional = isinstance(constraint, models.UniqueConstraint) and not constraint.condition
        if unconditional and set(constraint.fields) == fields:  # type: ignore[attr-defined]
            return True
    if len(fields) == 1:
        return bool(_field(model, next(iter(fields))).unique)
    return False


def import_csv(
    spec: ImportSpec, body: bytes, headers: list[str], family_scope: set[int] | None
) -> tuple[WriteCounts, int]:
    """Stage, screen and upsert; call inside ``transaction.atomic``. Returns (counts, rows)."""
    table_lock(spec, shared=True)
    with connection.cursor() as cursor:
        rows = _stage(cursor, spec, body, headers)
        _screen(cursor, spec, family_scope)
        counts = _upsert(cursor, spec, rows)
        cursor.execute(f"DROP TABLE {STAGE}")
    return counts, rows


def _stage(cursor: Any, spec: ImportSpec, body: bytes, headers: list[str]) -> int:
    columns = ", ".join(f'"{c.name}" text' for c in spec.columns)
    copy_columns = ", ".join(f'"{h}"' for h in headers)
    try:
        with transaction.atomic():
            cursor.execute(f"CREATE TEMP TABLE {STAGE} (rn serial, {columns}) ON COMMIT DROP")
            cursor.copy_expert(
                f"COPY {STAGE} ({copy_columns}) FROM STDIN "
                "WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')",
                io.BytesIO(body),
            )
    except (DatabaseError, connection.Database.Error) as exc:  # type: ignore[attr-defined]  # malformed CSV, blank lines...
        raise StagingFallback(str(exc)) from exc
    cursor.execute(f"SELECT count(*) FROM {STAGE}")
    rows = int(cursor.fetchone()[0])
    if rows > settings.IMPORT_MAX_ROWS:
        raise StagingFallback("too many rows")
    return rows


def _text(column: Column) -> str:
    return f'btrim(s."{column.name}", {WS})'


def _fk_alias(column: Column) -> str:
    return f'"fk_{column.name}"'


def _joins(spec: ImportSpec) -> str:
    parts = []
    for column in spec.columns:
        if column.kind != "fk":
            continue
        model, key = (Product, "sku") if column.fk == "product" else FK_MODELS[column.fk]
        table = model._meta.db_table
        parts.append(
            f'LEFT JOIN "{table}" {_fk_alias(column)} '
            f'ON {_fk_alias(column)}."{key}" = {_text(column)}'
        )
    return " ".join(parts)


def _bad_value(column: Column, model: type[models.Model]) -> str:
    """SQL that is true when the (non-empty) text is not certainly valid."""
    t = _text(column)
    sign = "[+]?" if column.non_negative else "[+-]?"
    if column.kind == "str":
        return f"(length({t}) > {column.max_length} OR {t} ~ '^[[:space:]]|[[:space:]]$')"
    if column.kind == "int":
        return f"{t} !~ '^{sign}[0-9]{{1,9}}$'"
    if column.kind == "decimal":
        field = _field(model, column.field)
        digits = min(12, field.max_digits - field.decimal_places)
        places = min(column.decimals, field.decimal_places)
        fraction = f"(\\.[0-9]{{1,{places}}})?" if places else ""
        return f"{t} !~ '^{sign}[0-9]{{1,{digits}}}{fraction}$'"
    if column.kind == "month":
        return f"{t} !~ '{MONTH_RE}'"
    if column.kind == "date":
        return f"({t} !~ '{DATE_RE}' OR to_char(to_date({t}, 'YYYY-MM-DD'), 'YYYY-MM-DD') <> {t})"
    if column.kind == "choice":
        return f"lower({t}) NOT IN ({_literals(column.choices)})"
    if column.kind == "bool":
        return f"lower({t}) NOT IN ({_literals(BOOL_TEXT)})"
    return f"{_fk_alias(column)}.id IS NULL"


def _literals(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _screen(cursor: Any, spec: ImportSpec, family_scope: set[int] | None) -> None:
    conditions = []
    for column in spec.columns:
        empty = f"coalesce({_text(column)}, '') = ''"
        bad = _bad_value(column, spec.model)
        conditions.append(empty if column.required else f"(NOT {empty} AND {bad})")
        if column.required:
            conditions.append(bad)
    params: list[Any] = []
    product = next((c for c in spec.columns if c.fk == "product" and c.field == "product"), None)
    if family_scope is not None and product is not None:
        conditions.append(f"NOT ({_fk_alias(product)}.family_id = ANY(%s))")
        params.append(sorted(family_scope))
    where = " OR ".join(conditions)
    try:
        with transaction.atomic():
            cursor.execute(f"SELECT 1 FROM {STAGE} s {_joins(spec)} WHERE {where} LIMIT 1", params)
            flagged = cursor.fetchone() is not None
            keys = ", ".join(_key_expr(c) for c in spec.columns if c.field in spec.key_fields)
            cursor.execute(f"SELECT 1 FROM {STAGE} s GROUP BY {keys} HAVING count(*) > 1 LIMIT 1")
            flagged = flagged or cursor.fetchone() is not None
    except DatabaseError as exc:  # e.g. 2026-02-30 makes to_date() raise
        raise StagingFallback(str(exc)) from exc
    if flagged:
        raise StagingFallback("rows need the row-by-row validator")


def _key_expr(column: Column) -> str:
    t = _text(column)
    if column.kind == "month":
        return f"left({t}, 7)"
    if column.kind == "int":
        return f"({t})::integer"
    if column.kind == "choice":
        return f"lower({t})"
    return t


def _value_expr(column: Column, params: list[Any]) -> str:
    t = _text(column)
    if column.kind == "str":
        value = t
    elif column.kind == "int":
        value = f"({t})::integer"
    elif column.kind == "decimal":
        value = f"({t})::numeric"
    elif column.kind == "month":
        value = f"to_date(left({t}, 7) || '-01', 'YYYY-MM-DD')"
    elif column.kind == "date":
        value = f"({t})::date"
    elif column.kind == "choice":
        value = f"lower({t})"
    elif column.kind == "bool":
        value = f"lower({t}) IN ({_literals(TRUE_TEXT)})"
    else:
        value = f"{_fk_alias(column)}.id"
    if column.required:
        return value
    if column.default:
        empty: str = "%s"
        params.append(_default(column))
    else:
        empty = "''" if column.kind in {"str", "choice"} else "NULL"
    return f"CASE WHEN coalesce({t}, '') = '' THEN {empty} ELSE {value} END"


def _default(column: Column) -> Any:
    if column.kind == "bool":
        return column.default.lower() in TRUE_TEXT
    if column.kind == "int":
        return int(column.default)
    return column.default


def _upsert(cursor: Any, spec: ImportSpec, rows: int) -> WriteCounts:
    meta = spec.model._meta
    params: list[Any] = []
    columns = [f'"{_field(spec.model, c.field).column}"' for c in spec.columns]
    values = [_value_expr(c, params) for c in spec.columns]
    keys = [f'"{_field(spec.model, f).column}"' for f in spec.key_fields]
    order = ", ".join(_key_expr(c) for c in spec.columns if c.field in spec.key_fields)
    changing = [f'"{_field(spec.model, f).column}"' for f in spec.value_fields]
    if changing:
        assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*changing, '"updated_at"'])
        mine = ", ".join(f"t.{c}" for c in changing)
        theirs = ", ".join(f"EXCLUDED.{c}" for c in changing)
        action = f"DO UPDATE SET {assignments} WHERE ROW({mine}) IS DISTINCT FROM ROW({theirs})"
    else:
        action = "DO NOTHING"
    cursor.execute(
        f'WITH up AS (INSERT INTO "{meta.db_table}" AS t ({", ".join(columns)}, '
        f'"created_at", "updated_at") SELECT {", ".join(values)}, statement_timestamp(), statement_timestamp() '
        f"FROM {STAGE} s {_joins(spec)} ORDER BY {order} "
        f"ON CONFLICT ({', '.join(keys)}) {action} RETURNING (xmax = 0) AS created) "
        "SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up",
        params,
    )
    created, updated = cursor.fetchone()
    return WriteCounts(created=created, updated=updated, unchanged=rows - created - updated)
