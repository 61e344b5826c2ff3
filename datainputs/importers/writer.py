"""All-or-nothing upsert of validated rows on the table's natural key.

Existing rows are read once per batch and compared in Python so the answer can say how many rows
were created, updated and unchanged, and so an identical re-import writes nothing at all (no
``updated_at`` churn that would make incremental sync re-send everything).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from datainputs.importers.specs import ImportSpec

BATCH_SIZE = 2000


@dataclass(frozen=True)
class WriteCounts:
    created: int
    updated: int
    unchanged: int

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def write_rows(spec: ImportSpec, rows: list[dict[str, Any]]) -> WriteCounts:
    model = spec.model
    key_fields = list(spec.key_fields)
    value_fields = spec.value_fields
    with transaction.atomic():
        table_lock(spec, shared=False)
        existing = _existing_by_key(spec, rows)
        now = timezone.now()
        to_create, to_update, unchanged = [], [], 0
        for row in rows:
            key = tuple(row[f] for f in key_fields)
            current = existing.get(key)
            if current is None:
                to_create.append(model(**_as_model_kwargs(model, row)))
                continue
            if all(_same(getattr(current, _attname(model, f)), row[f]) for f in value_fields):
                unchanged += 1
                continue
            for name in value_fields:
                setattr(current, _attname(model, name), row[name])
            current.updated_at = now  # type: ignore[attr-defined]
            to_update.append(current)
        model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)  # type: ignore[attr-defined]
        update_fields = [*value_fields, "updated_at"]
        model.objects.bulk_update(to_update, update_fields, batch_size=BATCH_SIZE)  # type: ignore[attr-defined]
    return WriteCounts(created=len(to_create), updated=len(to_update), unchanged=unchanged)


def table_lock(spec: ImportSpec, shared: bool) -> None:
    """Serialise row-by-row writers of one table (they read, then insert) on PostgreSQL.

    The set-based fast path takes the lock shared (its ON CONFLICT is safe among peers), so it
    only waits for a row-by-row writer of the same table, never for another fast-path batch.
    """
    if connection.vendor != "postgresql":
        return
    key = zlib.crc32(f"siop-import:{spec.model._meta.db_table}".encode())
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [key])


def _existing_by_key(spec: ImportSpec, rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], Any]:
    if not rows:
        return {}
    # Narrow by the first key component (one IN query per chunk), then match full keys in Python.
    first = spec.key_fields[0]
    values = sorted({row[first] for row in rows}, key=str)
    found: dict[tuple[Any, ...], Any] = {}
    manager = spec.model.objects  # type: ignore[attr-defined]
    for start in range(0, len(values), 5000):
        chunk = values[start : start + 5000]
        lookup = f"{_attname(spec.model, first)}__in"
        for obj in manager.filter(**{lookup: chunk}).select_for_update():
            key = tuple(getattr(obj, _attname(spec.model, f)) for f in spec.key_fields)
            found[key] = obj
    return found


def _attname(model: type[Any], field: str) -> str:
    """``product`` -> ``product_id`` for foreign keys (rows carry ids, not instances)."""
    return str(model._meta.get_field(field).attname)


def _as_model_kwargs(model: type[Any], row: dict[str, Any]) -> dict[str, Any]:
    return {_attname(model, k): v for k, v in row.items()}


def _same(current: Any, new: Any) -> bool:
    if isinstance(current, Decimal) or isinstance(new, Decimal):
        if current is None or new is None:
            return current is new
        return Decimal(current) == Decimal(new)
    return bool(current == new)
