"""Pruning of superseded runs' result rows (a Celery beat task, daily).

Every supply and inventory run keeps its full result rows, so a 10,000-SKU company grows by about
186 MB a cycle for rows nobody reads again. After ``RUN_RETENTION_DAYS`` a finished run that a
newer succeeded run of the same cycle and kind has superseded loses its result rows (the models
listed in its ``pruned_rows``); the run record itself stays (who, when, status, summary), with a
message saying its rows were pruned.

Never pruned: active runs; the newest succeeded run of each cycle (the current result); the
newest run of each cycle (what the stage page shows); and every run a cycle still refers to, read
defensively from any integer under the cycle's sign-off pins (``StageEvent.pinned``), plan steps
(``PlanStep.run_id``), consensus plan and approved plan (``run_ids``). Ids of every kind are kept
together, so a pin of another kind can only keep more rows, never lose one.

Stored files of runs (``pruned_files``: a background export's workbook) are deleted from storage
``EXPORT_RETENTION_HOURS`` after the run finished, whatever supersedes it: asking for the export
again builds a new file. The run record stays, with a message saying its file was deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from cycles.run_control import run_models
from cycles.runs import ACTIVE_STATUSES, CalculationRun, RunStatus

PRUNED_MESSAGE = "Result rows pruned (superseded, older than {days} days)."
FILE_PRUNED_MESSAGE = "File deleted (older than {hours} hours); export again to rebuild it."
# (app label, model, field or fields holding run ids, as a JSON object or an integer)
REFERENCES = (
    ("cycles", "StageEvent", "pinned"),
    ("cycles", "PlanStep", "run_id"),
    ("cycles", "PlanStep", "inputs"),
    ("cycles", "ConsensusPlan", "run_ids"),
    ("cycles", "ApprovedPlan", "run_ids"),
)


def prune_superseded_runs(now: dt.datetime | None = None) -> dict[str, int]:
    """Delete the result rows of superseded runs past retention; returns rows deleted per table."""
    days = settings.RUN_RETENTION_DAYS
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted: dict[str, int] = {}
    for model in run_models():
        if not model.pruned_rows:
            continue
        for run in _prunable(model, cutoff):
            try:
                with transaction.atomic():
                    counts = _delete_rows(model, run)
                    model._default_manager.filter(pk=run.pk).update(
                        message=PRUNED_MESSAGE.format(days=days)
                    )
            except (ProtectedError, RestrictedError):
                continue  # another record still points at these rows: keep them
            for label, count in counts.items():
                deleted[label] = deleted.get(label, 0) + count
    deleted.update(prune_run_files(now))
    return deleted


def prune_run_files(now: dt.datetime | None = None) -> dict[str, int]:
    """Delete the stored files of runs finished more than ``EXPORT_RETENTION_HOURS`` ago;
    returns files deleted per run model ("<label> files")."""
    hours = settings.EXPORT_RETENTION_HOURS
    cutoff = (now or timezone.now()) - dt.timedelta(hours=hours)
    deleted: dict[str, int] = {}
    for model in run_models():
        for field in model.pruned_files:
            old = model._default_manager.exclude(status__in=ACTIVE_STATUSES).exclude(**{field: ""})
            for run in old.filter(finished_at__lt=cutoff).exclude(**{f"{field}__isnull": True}):
                getattr(run, field).delete(save=False)  # a file already gone is no error
                model._default_manager.filter(pk=run.pk).update(
                    **{field: ""}, message=FILE_PRUNED_MESSAGE.format(hours=hours)
                )
                label = f"{model._meta.label} files"
                deleted[label] = deleted.get(label, 0) + 1
    return deleted


def _prunable(model: type[CalculationRun], cutoff: dt.datetime) -> list[CalculationRun]:
    finished = model._default_manager.exclude(status__in=ACTIVE_STATUSES)
    old = finished.filter(finished_at__lt=cutoff).exclude(message__startswith="Result rows pruned")
    out = []
    for cycle_id in old.values_list("cycle_id", flat=True).distinct():
        keep = _kept_ids(model, cycle_id)
        newest_good = (
            model._default_manager.filter(cycle_id=cycle_id, status=RunStatus.SUCCEEDED)
            .order_by("-created_at", "-id")
            .first()
        )
        if newest_good is None:
            continue  # nothing supersedes them
        out += [
            run
            for run in old.filter(cycle_id=cycle_id, created_at__lt=newest_good.created_at)
            if run.pk not in keep
        ]
    return out


def _kept_ids(model: type[CalculationRun], cycle_id: int) -> set[int]:
    keep: set[int] = set()
    runs = model._default_manager.filter(cycle_id=cycle_id)
    newest = runs.order_by("-created_at", "-id").first()
    if newest is not None:
        keep.add(newest.pk)
    for app_label, model_name, field in REFERENCES:
        try:
            holder = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        if field not in {f.name for f in holder._meta.get_fields()}:
            continue
        for value in holder._default_manager.filter(cycle_id=cycle_id).values_list(
            field, flat=True
        ):
            keep.update(_ints(value))
    return keep


def _ints(value: Any) -> Iterable[int]:
    """Every integer inside a JSON value (ids may sit at any depth, as numbers or digit strings)."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        yield value
    elif isinstance(value, str) and value.isdigit():
        yield int(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _ints(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _ints(item)


def _delete_rows(model: type[CalculationRun], run: CalculationRun) -> dict[str, int]:
    counts = {}
    for label in model.pruned_rows:
        rows = apps.get_model(label)
        field = next(
            f.name for f in rows._meta.fields if getattr(f, "related_model", None) is model
        )
        counts[label], _ = rows._default_manager.filter(**{field: run}).delete()
    return counts
