"""The writes of one consensus edit, set-based: one statement per table, whatever the cell count.

A family cell spread over 1,000 products changes up to 1,000 overrides. They are written with
one ``UPDATE ... FROM unnest(...)`` for the cells already overridden (locked by the caller) and
one COPY (``siop.bulk.load_frame``) for the new ones, and audited with one more COPY: the
queries of a save do not grow with the family. A concurrent first insert of the same cell hits
the unique constraint (``uniq_override_cell``) and raises ``IntegrityError`` for the caller to
turn into a conflict; the whole batch is then rolled back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd
from django.db import connection
from django.db.models import Case, F, Value, When
from django.utils import timezone

from cycles.audit import audit_frame
from cycles.models import PlanningCycle
from demand.models import DemandOverride
from masterdata.models import Product
from siop.bulk import load_frame

# product_id -> (override id, version) of a cell the caller locked
Locked = tuple[int, int]
# (product_id, consensus before, consensus typed, statistical forecast seen), units
Cell = tuple[int, Decimal, Decimal, Decimal]

_UPDATE = """
UPDATE demand_demandoverride AS o
SET consensus_units = v.units, statistical_at_entry_units = v.seen, version = o.version + 1,
    reason = %s, comment = %s, updated_by_id = %s, carried_from_id = NULL, updated_at = %s
FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[]) AS v(id, units, seen)
WHERE o.id = v.id
"""


def write_cells(
    cycle: PlanningCycle, month: dt.date, cells: list[Cell], locked: dict[int, Locked],
    user: Any, why: tuple[str, str, str],
) -> int:  # fmt: skip
    """Store ``cells`` of ``month`` as typed overrides, each audited; returns how many.

    ``locked``: the month's existing overrides by product (updated to the next version, and
    made the planner's own: no longer carried over); the other cells are inserted at version 1.
    ``why``: (reason, comment, source). Raises ``IntegrityError`` on a concurrent first insert.
    """
    reason, comment, _ = why
    stamp = {"reason": reason, "comment": comment[:500], "updated_at": timezone.now(),
             "updated_by_id": getattr(user, "pk", None)}  # fmt: skip
    _update([(locked[c[0]][0], c[2], c[3]) for c in cells if c[0] in locked], stamp)
    _insert(cycle, month, [c for c in cells if c[0] not in locked], stamp)
    return _audit(cycle, month, cells, user, why)


def _update(rows: list[tuple[int, Decimal, Decimal]], stamp: dict[str, Any]) -> None:
    """rows: (override id, consensus, statistical seen)."""
    if not rows:
        return
    ids, units, seen = (list(column) for column in zip(*rows, strict=True))
    if connection.vendor == "postgresql":
        params = [stamp["reason"], stamp["comment"], stamp["updated_by_id"], stamp["updated_at"]]
        with connection.cursor() as cursor:
            cursor.execute(_UPDATE, [*params, ids, units, seen])
        return
    # Other databases (SQLite for ``make run``): the same single UPDATE with CASE per column.
    DemandOverride.objects.filter(pk__in=ids).update(
        consensus_units=Case(*(When(pk=i, then=Value(u)) for i, u in zip(ids, units, strict=True))),
        statistical_at_entry_units=Case(
            *(When(pk=i, then=Value(s)) for i, s in zip(ids, seen, strict=True))
        ),
        version=F("version") + 1,
        carried_from=None,
        **stamp,
    )


def _insert(cycle: PlanningCycle, month: dt.date, cells: list[Cell], stamp: dict[str, Any]) -> None:
    if not cells:
        return
    frame = pd.DataFrame(
        {
            "product_id": pd.Series([c[0] for c in cells], dtype="int64"),
            "consensus_units": [c[2] for c in cells],
            "statistical_at_entry_units": [c[3] for c in cells],
        }
    ).assign(cycle_id=cycle.pk, month=month, version=1, **stamp)
    load_frame(DemandOverride, frame)


def _audit(
    cycle: PlanningCycle, month: dt.date, cells: list[Cell], user: Any, why: tuple[str, str, str]
) -> int:
    """One audit row per changed cell (SKU:month, before, after), written in one COPY."""
    reason, comment, source = why
    ids = [c[0] for c in cells]
    skus = dict(Product.objects.filter(pk__in=ids).values_list("pk", "sku"))
    who = user.pk if getattr(user, "is_authenticated", False) else None
    frame = pd.DataFrame(
        {
            "record_key": [f"{skus[pid]}:{month:%Y-%m}" for pid in ids],
            "before": [str(c[1]) for c in cells],
            "after": [str(c[2]) for c in cells],
        }
    ).assign(
        cycle_id=cycle.pk, table="demand_override", field="consensus_units", user_id=who,
        source=source, reason=reason, comment=comment,
    )  # fmt: skip
    return audit_frame(frame)
