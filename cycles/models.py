"""A planning cycle, its stages and sign-offs, and the audit log of plan-number changes.

Concurrency: every transition bumps ``PlanningCycle.version`` with a conditional update inside a
row lock, so two people advancing the same stage at once cannot both succeed.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from accounts.roles import Role
from cycles.runs import CalculationRun
from cycles.stages import CYCLE_STATES, STAGE_BY_KEY


class PlanningCycle(models.Model):
    month = models.DateField(unique=True, help_text="First day of the cycle's month.")
    horizon_months = models.PositiveSmallIntegerField(default=18)
    state = models.CharField(
        max_length=24, choices=[(s, s.replace("_", " ").capitalize()) for s in CYCLE_STATES]
    )
    version = models.PositiveIntegerField(default=0)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"SIOP {self.month:%B %Y}"

    @property
    def is_locked(self) -> bool:
        """An approved (or closed) cycle's plan is immutable."""
        return self.state in {"approved", "closed"}


class StageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_PROGRESS = "in_progress", "In progress"
    SIGNED_OFF = "signed_off", "Signed off"


class CycleStage(models.Model):
    cycle = models.ForeignKey(PlanningCycle, on_delete=models.CASCADE, related_name="stages")
    key = models.CharField(max_length=24)
    position = models.PositiveSmallIntegerField()
    owner_role = models.CharField(max_length=32, choices=Role.choices)
    due_date = models.DateField()
    status = models.CharField(max_length=16, choices=StageStatus.choices)
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cycle", "position"]
        constraints = [models.UniqueConstraint(fields=["cycle", "key"], name="uniq_cycle_stage")]

    def __str__(self) -> str:
        return f"{self.cycle} / {self.key}"


class StageEvent(models.Model):
    """Every transition: sign-off (advance), approval, reopen and close, with who, when, comment."""

    class Action(models.TextChoices):
        OPEN = "open", "Opened"
        SIGN_OFF = "sign_off", "Signed off"
        CONFIRM = "confirm", "Re-planned runs confirmed"
        APPROVE = "approve", "Approved"
        REOPEN = "reopen", "Reopened"
        RESCHEDULE = "reschedule", "Rescheduled"
        CLOSE = "close", "Closed"

    cycle = models.ForeignKey(PlanningCycle, on_delete=models.CASCADE, related_name="events")
    stage_key = models.CharField(max_length=24)
    action = models.CharField(max_length=16, choices=Action.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    comment = models.TextField(blank=True)
    pinned = models.JSONField(
        default=dict, blank=True, help_text="Run and data version ids this sign-off approves."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class AuditEntry(models.Model):
    """One change to a plan number: who, when, before, after, reason, source.

    Shared by every stage (overrides, firm orders, policy overrides...), so auditors read one log.
    """

    cycle = models.ForeignKey(
        PlanningCycle, null=True, blank=True, on_delete=models.PROTECT, related_name="audit"
    )
    table = models.CharField(max_length=60)
    record_key = models.CharField(max_length=200)
    field = models.CharField(max_length=60)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    reason = models.CharField(max_length=60, blank=True)
    comment = models.TextField(blank=True)
    source = models.CharField(max_length=24)  # grid, upload, api, system, admin
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"


class SignOffRun(CalculationRun):
    """A stage's sign-off executed by a worker (``cycles.sign_off``): its freezes, the pinned runs,
    the approved snapshot (and, for an approval, the pack and the export documents).

    While one is queued or running its stage is "signing off": edits of the stage, reopening and
    a second sign-off are refused. ``executor`` names a registered executor (the executive's
    approval), empty for the plain ``cycles.services.stage_sign_off``.
    """

    task_name: ClassVar[str] = "cycles.sign_off"
    ribbon_label: ClassVar[str] = "Sign-off"
    retry_on_locked_cycle: ClassVar[bool] = False
    retry_by_owner_only: ClassVar[bool] = True
    retry_fields: ClassVar[tuple[str, ...]] = (
        "stage_key", "executor", "comment", "scenario_id", "reason",
    )  # fmt: skip

    stage_key = models.CharField(max_length=24)
    executor = models.CharField(max_length=40, blank=True)
    comment = models.TextField(blank=True)
    scenario_id = models.IntegerField(null=True, blank=True, help_text="Approved scenario.")
    reason = models.TextField(blank=True, help_text="Why not the recommended scenario.")

    def ribbon_applies(self, cycle: Any) -> bool:
        return bool(cycle.state == self.stage_key)

    @property
    def stage_label(self) -> str:
        stage = STAGE_BY_KEY.get(self.stage_key)
        return stage.label.lower() if stage else self.stage_key


# The consensus plan record lives in its own module (see its docstring); imported here so Django
# registers the models with the cycles app.
from cycles.export_models import ExportRun  # noqa: E402
from cycles.plan_models import (  # noqa: E402
    ApprovedPlan,
    ApprovedPlanRow,
    ApprovedResourceRow,
    ConsensusPlan,
    PlanBuildRun,
    PlanDemandRow,
    PlanResourceRow,
    PlanRow,
    PlanStep,
    PlanStepKey,
)

__all__ = [
    "ApprovedPlan",
    "ApprovedPlanRow",
    "ApprovedResourceRow",
    "AuditEntry",
    "ConsensusPlan",
    "CycleStage",
    "ExportRun",
    "PlanBuildRun",
    "PlanDemandRow",
    "PlanResourceRow",
    "PlanRow",
    "PlanStep",
    "PlanStepKey",
    "PlanningCycle",
    "SignOffRun",
    "StageEvent",
    "StageStatus",
]
