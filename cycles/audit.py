"""The one way to record a change to a plan number (who, when, before, after, reason, source)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cycles.models import AuditEntry, PlanningCycle
from siop.bulk import load_frame


def audit_record(
    *,
    cycle: PlanningCycle | None,
    table: str,
    record_key: str,
    field: str,
    before: Any,
    after: Any,
    user: Any,
    source: str,
    reason: str = "",
    comment: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        cycle=cycle,
        table=table,
        record_key=record_key,
        field=field,
        before="" if before is None else str(before),
        after="" if after is None else str(after),
        user=user if getattr(user, "is_authenticated", False) else None,
        source=source,
        reason=reason,
        comment=comment,
    )


def audit_bulk(entries: list[AuditEntry]) -> None:
    AuditEntry.objects.bulk_create(entries, batch_size=2000)


def audit_frame(frame: pd.DataFrame) -> int:
    """Record many changes in one statement: one row per change, with ``AuditEntry``'s columns
    (cycle_id, table, record_key, field, before, after, user_id, source, reason, comment; text
    as str, ``user_id`` None for the system). Written by COPY (``siop.bulk.load_frame``) with
    ``created_at`` now, so a save of 1,000 cells builds no model object per change. Returns the
    number of rows written."""
    return load_frame(AuditEntry, frame)
