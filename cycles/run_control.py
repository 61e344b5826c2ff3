"""Controls over calculation runs of every kind: which kinds exist, and cancelling an active one.

A cancelled run becomes failed with "Cancelled by ..." (so the stage's Retry and Run buttons work
at once); a worker still busy with it finds the run no longer active and never switches it to
succeeded (`CalculationRun.mark_finished` is conditional). Who may cancel: an administrator, or
whoever may start that kind of run (`run_action` of the run model).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from accounts.selectors import user_may, user_role
from cycles.audit import audit_record
from cycles.runs import CalculationRun, RunStatus


class RunControlError(Exception):
    """A run control the server refuses, with a message meant for the user."""


def run_models() -> list[type[CalculationRun]]:
    """Every concrete run model of the project (forecast, supply plan, inventory, ...)."""
    return [m for m in apps.get_models() if issubclass(m, CalculationRun)]


def run_model_for(kind: str) -> type[CalculationRun]:
    """The run model named ``kind`` (``app_label.modelname``); RunControlError if none."""
    for model in run_models():
        if model._meta.label_lower == kind:
            return model
    raise RunControlError(f"Unknown kind of run: {kind!r}.")


def may_cancel(user: Any, run_model: type[CalculationRun]) -> bool:
    if user_role(user) == Role.ADMINISTRATOR:
        return True
    return bool(run_model.run_action) and user_may(user, run_model.run_action)


def run_cancel(
    run_model: type[CalculationRun], run_id: int, user: Any, *, source: str = "web"
) -> CalculationRun:
    """Cancel a queued or running run (it becomes failed, with who cancelled it and when).

    Raises PermissionDenied for a user who may not, RunControlError for a finished run.
    """
    if not may_cancel(user, run_model):
        raise PermissionDenied("Your role may not cancel this run.")
    with transaction.atomic():
        run = run_model._default_manager.select_for_update().filter(pk=run_id).first()
        if run is None:
            raise RunControlError("This run does not exist.")
        before = run.status
        if not run.is_active:
            raise RunControlError(f"This run has already {run.status}; nothing to cancel.")
        when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        who = user.get_username() if getattr(user, "is_authenticated", False) else "system"
        run.mark_finished(error=f"Cancelled by {who} at {when}. Run it again when ready.")
        audit_record(
            cycle=run.cycle,
            table=run._meta.model_name or "run",
            record_key=str(run.pk),
            field="status",
            before=before,
            after=run.status,
            user=user,
            source=source,
            reason="run_cancel",
        )
    return run


def may_retry(user: Any, run_model: type[CalculationRun], cycle: Any) -> bool:
    """Who may retry a background run: whoever may cancel it, or the current stage's owner (only
    the owner for a kind with ``retry_by_owner_only``, such as a sign-off)."""
    from cycles.stages import STAGE_BY_KEY

    stage = STAGE_BY_KEY.get(cycle.state)
    owner = getattr(stage, "owner", None)
    is_owner = owner is not None and user_role(user) == owner
    return is_owner or (not run_model.retry_by_owner_only and may_cancel(user, run_model))


def failed_background_runs(cycle: Any) -> list[CalculationRun]:
    """The newest run of each background kind (``ribbon_label``, per ``retry_scope`` value) of
    ``cycle`` when it failed: what the plan ribbon shows with a Retry button."""
    failed: list[CalculationRun] = []
    for model in run_models():
        if not model.ribbon_label or (cycle.is_locked and not model.retry_on_locked_cycle):
            continue
        seen: set[tuple[Any, ...]] = set()
        for run in model._default_manager.filter(cycle=cycle).order_by("-created_at", "-pk")[:20]:
            key = tuple(getattr(run, f) for f in model.retry_scope)
            if key not in seen:
                seen.add(key)
                if run.status == RunStatus.FAILED and run.ribbon_applies(cycle):
                    failed.append(run)
    return failed


def run_retry(run_model: type[CalculationRun], run_id: int, user: Any) -> CalculationRun:
    """Queue a new run like the failed ``run_id`` (same cycle and scope) on the shared lifecycle.

    Raises PermissionDenied for a user who may not, RunControlError when nothing is to retry.
    """
    from cycles.models import PlanningCycle
    from cycles.run_tasks import request_run, task_sender

    with transaction.atomic():
        run = run_model._default_manager.filter(pk=run_id).first()
        if run is None or not run_model.ribbon_label:
            raise RunControlError("This run does not exist or cannot be retried here.")
        cycle = PlanningCycle.objects.select_for_update().get(pk=run.cycle_id)
        if not may_retry(user, run_model, cycle):
            raise PermissionDenied("Your role may not retry this run.")
        if run.status != RunStatus.FAILED:
            raise RunControlError(f"This run has {run.status}; nothing to retry.")
        if cycle.is_locked and not run_model.retry_on_locked_cycle:
            raise RunControlError("The plan is approved and locked; it is never rebuilt.")
        scope = {f: getattr(run, f) for f in run_model.retry_scope}
        fields = {f: getattr(run, f) for f in run_model.retry_fields}
        return request_run(
            run_model, cycle, user, task_sender(run_model), scope=scope, fields=fields
        )


def run_outcome_text(run: CalculationRun, noun: str) -> str:
    """What the user is told after asking for a run: how it ended when it already did (eager
    Celery runs it inside the request), else that it is queued. ``noun``: "Supply plan"..."""
    if run.status == RunStatus.SUCCEEDED:
        return f"{noun} succeeded (run {run.pk})."
    if run.status == RunStatus.FAILED:
        return f"{noun} failed (run {run.pk}): {run.error}"
    return f"{noun} queued (run {run.pk}); the page updates when it is done."
