"""File exports (XLSX) as background runs: one mechanism for every stage's export.

A stage app registers an `Exporter` (``register_exporter``): who may read it (``authorize``, the
same checks as the page it comes from: role, family scope), what data it shows (``version``: the
record ids and data versions it reads), its file name and title, and ``write`` (the workbook,
written to a binary stream). `request_export` answers at once:

* a succeeded export with the same key -- same exporter, parameters, family scope and data
  versions -- whose file is still stored is returned as it is (nothing is rebuilt);
* else an `ExportRun` is queued (one active run per key) and its task sent when the transaction
  commits; with eager Celery (``make run``) it runs within the request, like a sign-off.

The task (`execute_export`, idempotent by run id on the shared run lifecycle: claim, heartbeat,
watchdog, failed with the reason) writes the workbook to a temporary file (openpyxl write-only
mode: memory stays flat in the rows) and stores it (``ExportRun.file``, default storage). The
key is computed before the build, so a stored file is never older than the data its key names.
Files are deleted after ``EXPORT_RETENTION_HOURS`` by the daily run pruning.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction

from accounts.roles import Role
from accounts.selectors import user_family_ids, user_may, user_role
from cycles.models import ExportRun, PlanningCycle
from cycles.run_tasks import execute_run, request_run, task_sender
from cycles.runs import RunStatus, RunTakenOver

logger = logging.getLogger(__name__)


class ExportError(Exception):
    """An export that cannot be built, with a message meant for the user."""


@dataclass(frozen=True)
class Exporter:
    """How one kind of export is checked, keyed and written (registered by a stage app).

    Every callable takes ``(cycle, user, params)`` except ``write``; ``params`` is the JSON-able
    dict of the request's choices (a family id, a measure, a search).
    """

    name: str
    # Raise PermissionDenied / Http404 / BadRequest exactly as the export's page would.
    authorize: Callable[[PlanningCycle, Any, dict[str, Any]], None]
    # JSON-able parts naming the data shown (record ids, data versions); read before the build.
    version: Callable[[PlanningCycle, Any, dict[str, Any]], list[Any]]
    filename: Callable[[PlanningCycle, Any, dict[str, Any]], str]
    title: Callable[[PlanningCycle, Any, dict[str, Any]], str]
    # Writes the workbook for the run's requester to the stream (the run gives cycle and params).
    write: Callable[[ExportRun, IO[bytes]], None]


_EXPORTERS: dict[str, Exporter] = {}


def register_exporter(exporter: Exporter) -> Exporter:
    """Make ``exporter`` available under its name (called once, from a stage app's module)."""
    _EXPORTERS[exporter.name] = exporter
    return exporter


def exporter_of(name: str) -> Exporter:
    if name not in _EXPORTERS:
        raise ExportError(f"No exporter {name!r} is registered.")
    return _EXPORTERS[name]


def require_action(user: Any, action: str) -> None:
    """PermissionDenied unless ``user`` may ``action`` in the browser (as `RoleRequiredMixin`)."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Sign in first.")
    if user_role(user) == Role.ERP or not user_may(user, action):
        raise PermissionDenied("Your role may not do this.")


def requester(run: ExportRun) -> Any:
    """Whom the export is built for (its rights and family scope); ExportError if gone."""
    if run.requested_by is None:
        raise ExportError("The user who asked for this export no longer exists.")
    return run.requested_by


def audience_of(user: Any) -> str:
    """SHA-256 of the families ``user`` sees (all, or a list): who may share a built file."""
    scope = user_family_ids(user)
    return _digest(["*"] if scope is None else sorted(scope))


def _digest(parts: list[Any]) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def may_read(run: ExportRun, user: Any) -> bool:
    """Whether ``user`` may see ``run`` and download its file: the export's own checks (role,
    family) pass for its parameters and the user sees the families it was built for.
    Raises what ``authorize`` raises (PermissionDenied, Http404)."""
    exporter_of(run.exporter).authorize(run.cycle, user, run.params)
    return run.audience == audience_of(user)


def stored(run: ExportRun) -> bool:
    """The run succeeded and its file is still in storage (not pruned)."""
    return (
        run.status == RunStatus.SUCCEEDED
        and bool(run.file)
        and run.file.storage.exists(run.file.name or "")
    )


def request_export(
    name: str,
    cycle: PlanningCycle,
    user: Any,
    params: dict[str, Any],
    *,
    back_url: str = "",
    send: Callable[[int], Any] | None = None,
) -> ExportRun:
    """The export ``name`` of ``cycle`` with ``params`` for ``user``: a finished one of the same
    data, else a new run (finished already with eager Celery, else queued). Raises what the
    exporter's ``authorize`` raises; ``send`` replaces the task's sender (tests hold it back)."""
    exporter = exporter_of(name)
    exporter.authorize(cycle, user, params)
    audience = audience_of(user)
    key = _digest([name, cycle.pk, params, audience, exporter.version(cycle, user, params)])
    done = ExportRun.objects.filter(key=key, status=RunStatus.SUCCEEDED).exclude(file="")
    for run in done.order_by("-finished_at", "-id")[:3]:
        if stored(run):
            return run
    fields = {
        "exporter": name, "params": params, "audience": audience, "back_url": back_url[:500],
        "title": exporter.title(cycle, user, params)[:255],
        "filename": exporter.filename(cycle, user, params)[:200],
        "message": "Preparing the file...",
    }  # fmt: skip
    eager = send is None and settings.CELERY_TASK_ALWAYS_EAGER
    sender = None if eager else (send or task_sender(ExportRun))
    with transaction.atomic():  # one active run per key; the task is sent once this commits
        run = request_run(ExportRun, cycle, user, sender, scope={"key": key}, fields=fields)
    if eager and run.is_active:
        execute_export(run.pk)  # no worker: as a task sent on commit would, in this process
        run.refresh_from_db()
    return run


def execute_export(run_id: int) -> str:
    """The body of the ``cycles.export`` task; returns the run's final status (a finished run
    is left alone: a re-delivered message does nothing)."""
    return execute_run(ExportRun, run_id, _work, steps=2, expected=((ExportError, ""),),
                       logger=logger, name="Export run")  # fmt: skip


def _work(run: ExportRun) -> None:
    exporter = exporter_of(run.exporter)
    with tempfile.TemporaryFile() as spool:
        exporter.write(run, spool)
        run.mark_progress(1, "Storing the file...")
        size = spool.tell()
        spool.seek(0)
        # Stored under the run's id, never the user's text (a family code "A/../B" is a path
        # traversal Django refuses); the download is still named ``run.filename``.
        run.file.save(f"export-{run.pk}.xlsx", File(spool), save=False)
    try:
        with transaction.atomic():
            ExportRun.objects.filter(pk=run.pk).update(file=run.file.name, size=size, message="")
            run.size, run.message = size, ""
            if not run.mark_finished():  # cancelled meanwhile: no file to keep
                raise RunTakenOver(f"Export run {run.pk} was cancelled.")
    except BaseException:
        run.file.delete(save=False)
        raise
