"""Executive review records: precomputed KPI facts, exceptions with escalation tiers, the
registers carried from cycle to cycle, the approval with its frozen meeting pack, and the
execution-monitoring facts.

Pages only read these tables; Celery tasks (``executive.tasks``) write the facts after each plan
build, approval, import and nightly. Money in EUR, quantities in units, shares in percent.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from cycles.runs import CalculationRun


class FactSource(models.TextChoices):
    PLAN = "plan", "Consensus plan"
    APPROVED = "approved", "Approved plan"


class KpiSnapshot(models.Model):
    """The dashboard facts of one cycle's plan (live) or its approved snapshot (frozen)."""

    cycle = models.ForeignKey(
        "cycles.PlanningCycle", on_delete=models.CASCADE, related_name="kpi_snapshots"
    )
    source = models.CharField(max_length=16, choices=FactSource.choices)
    plan_version = models.PositiveIntegerField(default=0, help_text="ConsensusPlan.version read.")
    computed_at = models.DateTimeField(auto_now=True)
    kpis = models.JSONField(default=dict, help_text="KPI key -> value (see engine.definitions).")
    families = models.JSONField(default=list, help_text="Family totals over the KPI window.")
    months = models.JSONField(default=list, help_text="Monthly totals over the KPI window.")
    waterfall = models.JSONField(default=list, help_text="Change since the last approved plan.")
    compared_to = models.ForeignKey(
        "cycles.PlanningCycle", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "source"], name="uniq_kpi_snapshot")
        ]


class RuleCode(models.TextChoices):
    GAP_TO_BUDGET = "gap_to_budget", "Gap to budget"
    SHORTAGE_VALUE = "shortage_value", "Shortage value"
    CAPACITY_OVER = "capacity_over", "Capacity over limit"
    TRACKING_SIGNAL = "tracking_signal", "Tracking signal"
    ACTUAL_VS_CONSENSUS = "actual_vs_consensus", "Actual vs consensus"
    FORECAST_ACCURACY = "forecast_accuracy", "Forecast accuracy below target"
    INVENTORY_COVER = "inventory_cover", "Inventory above cover"


class ExceptionRule(models.Model):
    """A rule with its editable threshold and its escalation matrix (value at risk -> tier)."""

    code = models.CharField(max_length=32, choices=RuleCode.choices, unique=True)
    threshold = models.FloatField(help_text="Fires beyond this value (unit below).")
    unit = models.CharField(max_length=16)
    default_tier = models.PositiveSmallIntegerField(default=1)
    tier2_value_eur = models.FloatField(default=50_000.0)
    tier3_value_eur = models.FloatField(default=250_000.0)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.get_code_display()


class ExceptionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted at approval"
    RESOLVED = "resolved", "Resolved (no longer breached)"
    CLOSED = "closed", "Closed"


class PlanException(models.Model):
    """A breached rule on one scope (family, product, resource...) shown in one cycle.

    ``cycle`` is null for a breach found by execution monitoring while no cycle is open: it is
    attached to the next cycle when that opens (carry-over).
    """

    cycle = models.ForeignKey(
        "cycles.PlanningCycle",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exceptions",
    )
    rule = models.ForeignKey(ExceptionRule, on_delete=models.PROTECT, related_name="exceptions")
    scope_key = models.CharField(max_length=120, help_text="e.g. family:BEV|2026-11")
    title = models.CharField(max_length=255)
    family_code = models.CharField(max_length=64, blank=True)
    month = models.DateField(null=True, blank=True)
    measured = models.FloatField(null=True, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    value_at_risk_eur = models.FloatField(default=0.0)
    tier = models.PositiveSmallIntegerField(default=1)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ExceptionStatus.choices, default=ExceptionStatus.OPEN
    )
    source = models.CharField(max_length=16, default="plan")  # plan or monitoring
    scenario_id = models.PositiveIntegerField(null=True, blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detected_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-tier", "-value_at_risk_eur", "id"]
        indexes = [models.Index(fields=["cycle", "tier", "status"])]

    def __str__(self) -> str:
        return self.title


class ExceptionEscalation(models.Model):
    """One change of tier: automatic (the value at risk grew) or by a user, with a comment."""

    exception = models.ForeignKey(
        PlanException, on_delete=models.CASCADE, related_name="escalations"
    )
    from_tier = models.PositiveSmallIntegerField()
    to_tier = models.PositiveSmallIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class RegisterKind(models.TextChoices):
    DECISION = "decision", "Decision"
    ASSUMPTION = "assumption", "Assumption"
    RISK = "risk", "Risk"
    OPPORTUNITY = "opportunity", "Opportunity"


class RegisterStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"


class RegisterEntry(models.Model):
    """A decision, assumption, risk or opportunity as recorded in one cycle.

    Open entries are copied into the next cycle (``carried_from``) until closed, so each cycle
    keeps what was on its table; ``origin`` ties the copies of one entry together.
    """

    cycle = models.ForeignKey(
        "cycles.PlanningCycle", on_delete=models.CASCADE, related_name="register"
    )
    kind = models.CharField(max_length=16, choices=RegisterKind.choices)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=RegisterStatus.choices, default=RegisterStatus.OPEN
    )
    expected_impact_eur = models.FloatField(null=True, blank=True)
    measured_outcome_eur = models.FloatField(null=True, blank=True)
    downside_eur = models.FloatField(null=True, blank=True)
    plan_eur = models.FloatField(null=True, blank=True)
    upside_eur = models.FloatField(null=True, blank=True)
    exception = models.ForeignKey(
        PlanException, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    scenario_id = models.PositiveIntegerField(null=True, blank=True)
    origin = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "status", "due_date", "id"]
        verbose_name_plural = "register entries"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class Approval(models.Model):
    """What the executive approved: the scenario, why, the comment, and the frozen pack."""

    cycle = models.OneToOneField(
        "cycles.PlanningCycle", on_delete=models.PROTECT, related_name="executive_approval"
    )
    scenario_id = models.PositiveIntegerField(null=True, blank=True)
    scenario_name = models.CharField(max_length=120)
    recommended_scenario_id = models.PositiveIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why not the recommended scenario.")
    comment = models.TextField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)
    accepted_exceptions = models.PositiveIntegerField(default=0)
    accepted_exceptions_eur = models.FloatField(default=0.0)
    pack = models.JSONField(default=dict, help_text="The meeting pack's frozen content.")
    pack_xlsx = models.BinaryField(help_text="The meeting pack workbook, written once.")


class PerformanceSnapshot(models.Model):
    """Execution monitoring: actuals vs the plan in force, computed after imports and nightly."""

    computed_at = models.DateTimeField(auto_now_add=True)
    through_month = models.DateField(null=True, blank=True)
    totals = models.JSONField(default=dict)
    family_months = models.JSONField(default=list)
    product_breaches = models.JSONField(default=list)

    class Meta:
        ordering = ["-computed_at", "-id"]
        get_latest_by = "computed_at"


class ExecutiveJob(models.TextChoices):
    REFRESH = "refresh", "Dashboard facts and plan rules"
    MONITOR = "monitor", "Execution monitoring"


class ExecutiveRun(CalculationRun):
    """A background run of the executive review on the shared run lifecycle: ``refresh`` (the
    cycle's facts and plan rules, after a plan build or approval) or ``monitor`` (actuals vs the
    plan in force after an import of actuals; its cycle is the one whose facts it refreshes)."""

    task_name = "executive.tasks.execute"
    ribbon_label: ClassVar[str] = "Executive dashboard facts"
    retry_scope: ClassVar[tuple[str, ...]] = ("job",)

    job = models.CharField(max_length=16, choices=ExecutiveJob.choices)

    class Meta(CalculationRun.Meta):
        indexes = [models.Index(fields=["cycle", "job", "status"])]
