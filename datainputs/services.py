"""Write services for data inputs: preview an upload, apply it, or import rows in one go (API).

Both doors end in ``_validate_and_write`` so an ERP push and a browser upload behave the same.
``table_import`` (the API door for whole CSV/JSON bodies) first tries the PostgreSQL fast path
(``importers.staged``), which only accepts what ``_validate_and_write`` would accept and hands
everything else to it, so row errors read the same whichever path ran.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from accounts.selectors import user_family_ids, user_may
from datainputs.importers import (
    ImportSpec,
    RowError,
    TableParseError,
    WriteCounts,
    parse_table,
    staged,
    validate_rows,
    write_rows,
)
from datainputs.importers.payload import TablePayload
from datainputs.models import ImportBatch
from siop.bulk import refresh_statistics_after_write
from siop.numbers import MACHINE, number_locale

PREVIEW_ROWS = 20

# (data input name, import batch id) -> None, run once an applied import is committed. Stage apps
# register here (e.g. execution monitoring after sales history) so this app imports no stage.
AfterImport = Callable[[str, int], None]
_AFTER_IMPORT: list[AfterImport] = []


def register_after_import(hook: AfterImport) -> AfterImport:
    """Call ``hook(data_input, batch_id)`` after every applied import, once it is committed."""
    if hook not in _AFTER_IMPORT:
        _AFTER_IMPORT.append(hook)
    return hook


def _after_import(batch: ImportBatch) -> None:
    name, batch_id = batch.data_input, batch.pk
    for hook in list(_AFTER_IMPORT):
        transaction.on_commit(lambda hook=hook: hook(name, batch_id))  # type: ignore[misc]


@dataclass(frozen=True)
class ImportOutcome:
    batch: ImportBatch
    errors: list[RowError]
    counts: WriteCounts | None
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _require_writer(spec: ImportSpec, user: Any) -> None:
    if not user_may(user, f"upload_{spec.name}"):
        raise PermissionDenied(f"Your role may not import {spec.label.lower()}.")


def upload_preview(
    spec: ImportSpec, content: bytes | BinaryIO, file_name: str, user: Any
) -> ImportOutcome:
    """Parse and validate an uploaded file without writing data; keep the rows for apply.

    People's files are read in ``settings.NUMBER_LOCALE`` (``1.234,5`` in German).
    """
    _require_writer(spec, user)
    try:
        table = parse_table(content, file_name, settings.IMPORT_MAX_ROWS, number_locale())
    except TableParseError as exc:
        errors = [RowError(0, "file", str(exc))]
        batch = _record(spec, "upload", file_name, user, ImportBatch.Status.REJECTED, 0, errors)
        return ImportOutcome(batch, errors, None)
    result = validate_rows(spec, table.rows, table.headers, user_family_ids(user), number_locale())
    status = ImportBatch.Status.PREVIEWED if result.ok else ImportBatch.Status.REJECTED
    batch = _record(spec, "upload", file_name, user, status, len(table.rows), result.errors)
    batch.warnings = [w.as_dict() for w in result.warnings[:1000]]
    if result.ok:
        batch.payload = [[number, dict(raw)] for number, raw in table.rows]
    batch.save(update_fields=["payload", "warnings"])
    return ImportOutcome(batch, result.errors, None, result.warnings)


def upload_apply(spec: ImportSpec, batch: ImportBatch, user: Any) -> ImportOutcome:
    """Re-validate the previewed rows (master data may have changed) and write them atomically."""
    _require_writer(spec, user)
    if batch.status != ImportBatch.Status.PREVIEWED or batch.data_input != spec.name:
        raise PermissionDenied("This upload was already applied or rejected; upload it again.")
    raw_rows = [(int(number), raw) for number, raw in batch.payload]
    return _validate_and_write(spec, raw_rows, None, user, batch)


def rows_import(
    spec: ImportSpec,
    raw_rows: Sequence[tuple[int, Mapping[str, str]]],
    headers: list[str] | None,
    user: Any,
    source: str = "api",
) -> ImportOutcome:
    """Validate and write rows in one call (the API door); nothing is written on any error."""
    _require_writer(spec, user)
    batch = _record(spec, source, "", user, ImportBatch.Status.PREVIEWED, len(raw_rows), [])
    return _validate_and_write(spec, raw_rows, headers, user, batch)


def table_import(
    spec: ImportSpec, payload: TablePayload, user: Any, source: str = "api"
) -> ImportOutcome:
    """Validate and upsert a whole request body (CSV or JSON) all-or-nothing (the API door).

    Large clean bodies take the PostgreSQL fast path (``staged``); anything it cannot vouch
    for goes row by row, so errors read exactly like the browser upload's.
    """
    _require_writer(spec, user)
    batch = _record(spec, source, "", user, ImportBatch.Status.PREVIEWED, 0, [])
    if staged.supports(spec) and payload.fast_path_ok and _headers_ok(spec, payload.headers):
        for attempt in range(3):
            try:
                with transaction.atomic():
                    counts, rows = staged.import_csv(
                        spec, payload.csv_body, payload.headers, user_family_ids(user)
                    )
                    batch.row_count = rows
                    _mark_applied(spec, batch, counts)
                return ImportOutcome(batch, [], counts)
            except staged.StagingFallback:
                break
            except OperationalError:  # deadlock / serialization failure: retry the batch
                if attempt == 2:
                    raise
    try:
        headers, raw_rows = payload.numbered_rows(settings.IMPORT_MAX_ROWS)
    except TableParseError as exc:
        errors = [RowError(0, "file", str(exc))]
        batch.status, batch.errors = ImportBatch.Status.REJECTED, [e.as_dict() for e in errors]
        batch.save(update_fields=["status", "errors"])
        return ImportOutcome(batch, errors, None)
    batch.row_count = len(raw_rows)
    for attempt in range(3):
        try:
            return _validate_and_write(spec, raw_rows, headers, user, batch)
        except IntegrityError:  # a concurrent request created the same key first: re-read
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _headers_ok(spec: ImportSpec, headers: list[str]) -> bool:
    return validate_rows(spec, [], headers).ok


def _mark_applied(spec: ImportSpec, batch: ImportBatch, counts: WriteCounts) -> None:
    """Record the applied import (inside its transaction); a large one refreshes its table's
    planner statistics so the next forecast, run or page plans on the rows it wrote."""
    refresh_statistics_after_write(spec.model._meta.db_table, counts.created + counts.updated)
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_at = timezone.now()
    batch.created_count, batch.updated_count = counts.created, counts.updated
    batch.unchanged_count = counts.unchanged
    batch.save()
    _after_import(batch)


def _validate_and_write(
    spec: ImportSpec,
    raw_rows: Sequence[tuple[int, Mapping[str, str]]],
    headers: list[str] | None,
    user: Any,
    batch: ImportBatch,
) -> ImportOutcome:
    locale = number_locale() if batch.source == "upload" else MACHINE
    result = validate_rows(spec, raw_rows, headers, user_family_ids(user), locale)
    batch.warnings = [w.as_dict() for w in result.warnings[:1000]]
    if not result.ok:
        batch.status = ImportBatch.Status.REJECTED
        batch.errors = [e.as_dict() for e in result.errors]
        batch.payload = []
        batch.save(update_fields=["status", "errors", "warnings", "payload", "row_count"])
        return ImportOutcome(batch, result.errors, None, result.warnings)
    with transaction.atomic():
        counts = write_rows(spec, result.rows)
        batch.payload = []
        _mark_applied(spec, batch, counts)
    return ImportOutcome(batch, [], counts, result.warnings)


def _record(
    spec: ImportSpec,
    source: str,
    file_name: str,
    user: Any,
    status: str,
    row_count: int,
    errors: list[RowError],
) -> ImportBatch:
    return ImportBatch.objects.create(
        data_input=spec.name,
        source=source,
        file_name=file_name[:255],
        status=status,
        row_count=row_count,
        errors=[e.as_dict() for e in errors[:1000]],
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
