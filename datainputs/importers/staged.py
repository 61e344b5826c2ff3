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
RESOLVED = "_siop_import_resolved"
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
    """Stage, resolve, screen and upsert; call inside ``transaction.atomic``.

    Returns (counts, rows). Raises ``StagingFallback`` (after undoing its own work) whenever
    the row-by-row validator must decide.
    """
    table_lock(spec, shared=True)
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                rows = _stage(cursor, spec, body, headers)
                _resolve(cursor, spec)
                _screen(cursor, spec, family_scope)
        except (DatabaseError, connection.Database.Error) as exc:  # type: ignore[attr-defined]
            # Malformed CSV, blank lines, non-numbers in numeric columns, 2026-02-30...
            raise StagingFallback(str(exc)) from exc
        counts = _upsert(cursor, spec, rows)
        cursor.execute(f"DROP TABLE {STAGE}, {RESOLVED}")
    return counts, rows


def _stage_type(column: Column) -> str:
    # PostgreSQL's own input functions type-check numbers during COPY; a bad value fails the
    # COPY and the row-by-row validator then names the row and field.
    return {"int": "integer", "decimal": "numeric"}.get(column.kind, "text")


def _stage(cursor: Any, spec: ImportSpec, body: bytes, headers: list[str]) -> int:
    columns = ", ".join(f'"{c.name}" {_stage_type(c)}' for c in spec.columns)
    copy_columns = ", ".join(f'"{h}"' for h in headers)
    cursor.execute(f"CREATE TEMP TABLE {STAGE} (rn serial, {columns}) ON COMMIT DROP")
    cursor.copy_expert(
        f"COPY {STAGE} ({copy_columns}) FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')",
        io.BytesIO(body),
    )
    cursor.execute(f"ANALYZE {STAGE}")  # so natural keys are resolved with hash joins
    cursor.execute(f"SELECT count(*) FROM {STAGE}")
    rows = int(cursor.fetchone()[0])
    if rows > settings.IMPORT_MAX_ROWS:
        raise StagingFallback("too many rows")
    return rows


def _text(column: Column) -> str:
    return f'btrim(s."{column.name}", {WS})'


def _fk_alias(column: Column) -> str:
    return f'"fk_{column.name}"'


def _id(column: Column) -> str:
    return f'r."id_{column.name}"'


def _t(column: Column) -> str:
    return f'r."t_{column.name}"'


def _v(column: Column) -> str:
    return f'r."v_{column.name}"'


def _resolve(cursor: Any, spec: ImportSpec) -> None:
    """One pass: natural keys -> ids (hash joins), text trimmed once, numbers already typed."""
    outputs, joins = ["s.rn"], []
    for column in spec.columns:
        if column.kind in {"int", "decimal"}:
            outputs.append(f's."{column.name}" AS "v_{column.name}"')
            continue
        outputs.append(f'{_text(column)} AS "t_{column.name}"')
        if column.kind == "fk":
            model, key = (Product, "sku") if column.fk == "product" else FK_MODELS[column.fk]
            alias = _fk_alias(column)
            joins.append(
                f'LEFT JOIN "{model._meta.db_table}" {alias} ON {alias}."{key}" = {_text(column)}'
            )
            outputs.append(f'{alias}.id AS "id_{column.name}"')
            if column.fk == "product":
                outputs.append(f'{alias}.family_id AS "family_{column.name}"')
    cursor.execute(
        f"CREATE TEMP TABLE {RESOLVED} ON COMMIT DROP AS "
        f"SELECT {', '.join(outputs)} FROM {STAGE} s {' '.join(joins)}"
    )


def _empty(column: Column) -> str:
    if column.kind in {"int", "decimal"}:
        return f"{_v(column)} IS NULL"
    return f"coalesce({_t(column)}, '') = ''"


def _bad_value(column: Column, model: type[models.Model]) -> str:
    """SQL that is true when the (non-empty) value is not certainly valid."""
    t = _t(column)
    if column.kind == "str":
        return f"(length({t}) > {column.max_length} OR {t} ~ '^[[:space:]]|[[:space:]]$')"
    if column.kind == "int":
        return f"{_v(column)} < 0" if column.non_negative else "false"
    if column.kind == "decimal":
        return _bad_decimal(column, model)
    if column.kind == "month":
        return f"{t} !~ '{MONTH_RE}'"
    if column.kind == "date":
        return f"({t} !~ '{DATE_RE}' OR to_char(to_date({t}, 'YYYY-MM-DD'), 'YYYY-MM-DD') <> {t})"
    if column.kind == "choice":
        return f"lower({t}) NOT IN ({_literals(column.choices)})"
    if column.kind == "bool":
        return f"lower({t}) NOT IN ({_literals(BOOL_TEXT)})"
    return f"{_id(column)} IS NULL"


def _bad_decimal(column: Column, model: type[models.Model]) -> str:
    # Same acceptance as validation._parse_decimal: finite, below 1e12, and (so no rounding
    # rule can differ) no more decimals than the column keeps; plus the field's digit limit.
    v = _v(column)
    field = _field(model, column.field)
    places = min(column.decimals, field.decimal_places)
    limit = min(12, field.max_digits - field.decimal_places)
    checks = [
        f"{v} = 'NaN'::numeric",
        f"{v} IN ('Infinity'::numeric, '-Infinity'::numeric)",
        f"abs({v}) >= 1e{limit}",
        f"scale({v}) > {places}",
    ]
    if column.non_negative or column.negative_warning:
        checks.append(f"{v} < 0")  # refused, or accepted with a warning the validator words
    return "(" + " OR ".join(checks) + ")"


def _literals(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _screen(cursor: Any, spec: ImportSpec, family_scope: set[int] | None) -> None:
    conditions = []
    for column in spec.columns:
        bad = _bad_value(column, spec.model)
        if column.required:
            conditions += [_empty(column), bad]
        else:
            conditions.append(f"(NOT {_empty(column)} AND {bad})")
    params: list[Any] = []
    product = next((c for c in spec.columns if c.fk == "product" and c.field == "product"), None)
    if family_scope is not None and product is not None:
        conditions.append(f'NOT (r."family_{product.name}" = ANY(%s))')
        params.append(sorted(family_scope))
    cursor.execute(f"SELECT 1 FROM {RESOLVED} r WHERE {' OR '.join(conditions)} LIMIT 1", params)
    flagged = cursor.fetchone() is not None
    if not flagged:
        keys = ", ".join(_key_expr(c) for c in _key_columns(spec))
        cursor.execute(f"SELECT 1 FROM {RESOLVED} r GROUP BY {keys} HAVING count(*) > 1 LIMIT 1")
        flagged = cursor.fetchone() is not None
    if flagged:
        raise StagingFallback("rows need the row-by-row validator")


def _key_columns(spec: ImportSpec) -> list[Column]:
    return [c for c in spec.columns if c.field in spec.key_fields]


def _key_expr(column: Column) -> str:
    if column.kind == "fk":
        return _id(column)
    if column.kind in {"int", "decimal"}:
        return _v(column)
    if column.kind == "month":
        return f"left({_t(column)}, 7)"
    if column.kind == "choice":
        return f"lower({_t(column)})"
    return _t(column)


def _value_expr(column: Column, params: list[Any]) -> str:
    t = _t(column)
    if column.kind in {"int", "decimal"}:
        if column.required or not column.default:
            return _v(column)
        params.append(_default(column))
        return f"coalesce({_v(column)}, %s)"
    if column.kind == "fk":
        return _id(column)  # empty optional -> NULL (no match)
    conversions = {
        "str": t,
        "month": f"to_date(left({t}, 7) || '-01', 'YYYY-MM-DD')",
        "date": f"({t})::date",
        "choice": f"lower({t})",
        "bool": f"lower({t}) IN ({_literals(TRUE_TEXT)})",
    }
    value = conversions[column.kind]
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
    """Insert new keys, update changed rows, and never touch (or lock) unchanged rows."""
    table = spec.model._meta.db_table
    params: list[Any] = []
    names = [f'"{_field(spec.model, c.field).column}"' for c in spec.columns]
    values = [f"{_value_expr(c, params)} AS {n}" for c, n in zip(spec.columns, names, strict=True)]
    keys = [f'"{_field(spec.model, f).column}"' for f in spec.key_fields]
    changing = [f'"{_field(spec.model, f).column}"' for f in spec.value_fields]
    same_key = " AND ".join(f"t.{k} = src.{k}" for k in keys)
    mine = ", ".join(f"t.{c}" for c in changing) or "NULL"
    theirs = ", ".join(f"src.{c}" for c in changing) or "NULL"
    excluded = ", ".join(f"EXCLUDED.{c}" for c in changing) or "NULL"
    if changing:
        assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*changing, '"updated_at"'])
        action = f"DO UPDATE SET {assignments} WHERE ROW({mine}) IS DISTINCT FROM ROW({excluded})"
    else:
        action = "DO NOTHING"
    cursor.execute(
        f"WITH src AS (SELECT {', '.join(values)} FROM {RESOLVED} r), "
        f'fresh AS (SELECT * FROM src WHERE NOT EXISTS (SELECT 1 FROM "{table}" t '
        f"WHERE {same_key} AND ROW({mine}) IS NOT DISTINCT FROM ROW({theirs}))), "
        f'up AS (INSERT INTO "{table}" AS t ({", ".join(names)}, "created_at", "updated_at") '
        f"SELECT {', '.join(names)}, statement_timestamp(), statement_timestamp() FROM fresh "
        f"ORDER BY {', '.join(keys)} "
        f"ON CONFLICT ({', '.join(keys)}) {action} RETURNING (xmax = 0) AS created) "
        "SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up",
        params,
    )
    created, updated = cursor.fetchone()
    return WriteCounts(created=created, updated=updated, unchanged=rows - created - updated)
