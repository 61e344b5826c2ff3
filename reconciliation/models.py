"""Integrated reconciliation: the budget, scenarios on the consensus plan, their facts.

* ``BudgetVersion`` / ``BudgetLine``: the annual operating plan per year, by family x month in
  units and value (revenue, COGS in EUR). One version per year is active (the one compared with).
* ``PriceSnapshot``: the standard price and cost of every product, taken once per cycle (from
  the consensus plan's rows, else master data) so a later master-data edit does not move a
  reconciled number.
* ``Scenario``: the baseline (the cycle's consensus plan) or a named set of ``ScenarioLever``
  rows on it. ``baseline_version`` is the consensus plan version it was built on; when the plan
  moves on, the scenario is stale until rebased.
* ``ScenarioRun``: one calculation of a scenario (the shared run lifecycle); its results are
  ``ScenarioFact`` rows, family x month plus total rows (family ``*``), so pages only read.
* ``Recommendation``: finance's recommended scenario of the cycle, pinned to the run it saw.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cycles.runs import CalculationRun

TOTAL_FAMILY = "*"


class BudgetVersion(models.Model):
    code = models.CharField(max_length=40, unique=True, help_text="e.g. AOP-2027")
    year = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120, blank=True)
    is_active = models.BooleanField(
        default=True, help_text="The version the plan is compared with."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(is_active=True), name="one_active_budget_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.year})"


class BudgetLine(models.Model):
    version = models.ForeignKey(BudgetVersion, on_delete=models.CASCADE, related_name="lines")
    family = models.ForeignKey(
        "masterdata.ProductFamily", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(help_text="First day of the month.")
    units = models.DecimalField(max_digits=16, decimal_places=2)
    revenue_eur = models.DecimalField(max_digits=16, decimal_places=2)
    cogs_eur = models.DecimalField(max_digits=16, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["version", "family", "month"]
        constraints = [
            models.UniqueConstraint(fields=["version", "family", "month"], name="uniq_budget_line")
        ]

    def __str__(self) -> str:
        return f"{self.version.code} {self.family_id} {self.month:%Y-%m}"


class PriceSnapshot(models.Model):
    cycle = models.ForeignKey("cycles.PlanningCycle", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("masterdata.Product", on_delete=models.CASCADE, related_name="+")
    unit_price_eur = models.FloatField()
    unit_cost_eur = models.FloatField()
    taken_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "product"], name="uniq_price_snapshot")
        ]


class ScenarioKind(models.TextChoices):
    BASELINE = "baseline", "Baseline (consensus plan)"
    CUSTOM = "custom", "Custom"
    BEST = "best", "Best case"
    EXPECTED = "expected", "Expected case"
    WORST = "worst", "Worst case"


class Scenario(models.Model):
    cycle = models.ForeignKey("cycles.PlanningCycle", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=16, choices=ScenarioKind.choices, default="custom")
    description = models.TextField(blank=True)
    baseline_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The consensus plan version the scenario is built on."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "name"], name="uniq_scenario_name"),
            models.UniqueConstraint(
                fields=["cycle"], condition=models.Q(kind="baseline"), name="one_baseline_a_cycle"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_baseline(self) -> bool:
        return self.kind == ScenarioKind.BASELINE


class ScenarioLever(models.Model):
    """One lever of a scenario; ``params`` holds the `reconciliation.engine.Lever` fields."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="levers")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=32)
    params = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scenario", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "position"], name="uniq_lever_position")
        ]


class ScenarioRun(CalculationRun):
    task_name = "reconciliation.calculate"
    run_action = "edit_reconciliation"

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="runs")
    baseline_version = models.PositiveIntegerField(null=True, blank=True)
    levers = models.JSONField(default=list, blank=True, help_text="The levers as calculated.")
    method = models.CharField(max_length=32, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    summary = models.JSONField(
        default=dict, blank=True,
        help_text="bucket -> figures per family (`engine.periods.summarise`), stored at the run.",
    )  # fmt: skip

    class Meta(CalculationRun.Meta):
        indexes = [models.Index(fields=["scenario", "status"])]


def _eur() -> models.FloatField:  # type: ignore[type-arg]
    return models.FloatField(default=0.0)


class ScenarioFact(models.Model):
    """Family x month figures of a run (``family_code == '*'``: the month's total)."""

    run = models.ForeignKey(ScenarioRun, on_delete=models.CASCADE, related_name="facts")
    family_code = models.CharField(max_length=64)
    month = models.DateField()
    demand_units = _eur()
    served_units = _eur()
    lost_sales_units = _eur()
    revenue_eur = _eur()
    cogs_eur = _eur()
    gross_margin_eur = _eur()
    production_cost_eur = _eur()
    purchase_cost_eur = _eur()
    transport_cost_eur = _eur()
    holding_cost_eur = _eur()
    overtime_cost_eur = _eur()
    revenue_at_risk_eur = _eur()
    opening_inventory_value_eur = _eur()
    closing_inventory_value_eur = _eur()
    demand_cost_eur = _eur()
    load_hours = _eur()
    capacity_hours = _eur()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "family_code", "month"], name="uniq_fact")
        ]


class Recommendation(models.Model):
    cycle = models.OneToOneField("cycles.PlanningCycle", on_delete=models.CASCADE, related_name="+")
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(ScenarioRun, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField()
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recommended_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.cycle}: {self.scenario}"
