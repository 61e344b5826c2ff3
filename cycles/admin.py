from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cycles import models
from siop.admin_readonly import ReadOnlyAdmin, register_read_only


class CycleStageInline(admin.TabularInline):
    model = models.CycleStage
    extra = 0
    readonly_fields = ("key", "position", "owner_role", "status", "started_at")


@admin.register(models.PlanningCycle)
class PlanningCycleAdmin(admin.ModelAdmin):
    list_display = ("month", "state", "horizon_months", "approved_at", "closed_at")
    readonly_fields = ("state", "version", "approved_by", "approved_at", "closed_at")
    inlines = (CycleStageInline,)

    # An approved or closed cycle's plan is frozen: its horizon, calendar and stages too.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_locked:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_locked:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(models.CycleStage)
class CycleStageAdmin(admin.ModelAdmin):
    list_display = ("cycle", "key", "owner_role", "due_date", "status", "started_at")
    list_filter = ("key", "status", "owner_role")
    readonly_fields = ("cycle", "key", "position", "owner_role", "status", "started_at")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.cycle.is_locked:
            return False
        return super().has_change_permission(request, obj)


@admin.register(models.StageEvent)
class StageEventAdmin(ReadOnlyAdmin):
    """Sign-offs are the record of who approved what: never added, changed or deleted here."""

    list_display = ("cycle", "stage_key", "action", "user", "created_at")
    list_filter = ("action", "stage_key")


@admin.register(models.AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "user",
        "table",
        "record_key",
        "field",
        "before",
        "after",
        "reason",
        "source",
    )
    list_filter = ("table", "source", "reason")
    search_fields = ("record_key",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # the audit log is append-only

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


# The consensus plan, its steps and the approved snapshot are written only by the plan services.
register_read_only(
    [
        models.PlanStep,
        models.ConsensusPlan,
        models.PlanRow,
        models.PlanResourceRow,
        models.PlanDemandRow,
        models.ApprovedPlan,
        models.ApprovedPlanRow,
        models.ApprovedResourceRow,
        models.PlanBuildRun,
        models.SignOffRun,
        models.ExportRun,
    ]
)
