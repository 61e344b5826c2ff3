"""Django admin for calculation runs: read-only, with one action, "Cancel selected runs".

Before this, a run stuck "queued" could only be moved on with SQL; the action calls the same
service as the stage pages' Cancel button (`cycles.run_control.run_cancel`: checked, audited).
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from cycles.run_control import RunControlError, run_cancel
from cycles.runs import ACTIVE_STATUSES, CalculationRun
from siop.admin_readonly import ReadOnlyAdmin


@admin.action(description="Cancel selected runs (queued or running)")
def cancel_selected_runs(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[CalculationRun]
) -> None:
    cancelled = 0
    for run in queryset.filter(status__in=ACTIVE_STATUSES):
        try:
            run_cancel(type(run), run.pk, request.user, source="admin")
        except (RunControlError, PermissionDenied) as exc:
            modeladmin.message_user(request, f"Run {run.pk}: {exc}", messages.ERROR)
        else:
            cancelled += 1
    modeladmin.message_user(request, f"{cancelled} run(s) cancelled.", messages.SUCCESS)


class RunAdmin(ReadOnlyAdmin):
    list_display = ["id", "cycle", "status", "progress_done", "progress_total", "attempts",
                    "heartbeat_at", "created_at", "finished_at"]  # fmt: skip
    list_filter = ["status"]
    actions = [cancel_selected_runs]


def register_run_admins(app_label: str) -> None:
    """Register the app's run models (unless already registered) with `RunAdmin`."""
    for model in apps.get_app_config(app_label).get_models():
        if issubclass(model, CalculationRun) and not admin.site.is_registered(model):
            admin.site.register(model, RunAdmin)
