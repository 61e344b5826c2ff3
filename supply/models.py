"""Supply review records: plan runs and their results, firm orders and extra overtime.

A `SupplyPlanRun` (a `CalculationRun`) owns its result rows -- planned orders, shortages, gap
options, resource load and the cost breakdown -- so a re-plan never mixes with an older plan and
readers only use the latest succeeded run. The planner's decisions live on the cycle, not on a
run, so they survive re-plans: `FirmOrder` (a floor the engine must keep) and
`ResourceOvertime` (extra overtime hours allowed on a resource for the cycle). Both carry a
``version`` for optimistic locking; every change is audited via ``cycles.audit``.

Quantities are units, loads hours and money EUR; computed results are floats, planner inputs
decimals.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from cycles.runs import CalculationRun
from masterdata.models import Channel, Product, Resource, Site

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class SourceType(models.TextChoices):
    MAKE = "make", "Make"
    BUY = "buy", "Buy"


class SupplyPlanRun(CalculationRun):
    task_name = "supply.plan"
    run_action = "run_supply_plan"
    pruned_rows = (
        "supply.PlannedOrder",
        "supply.Shortage",
        "supply.GapOption",
        "supply.PlanResourceLoad",
    )  # PlanCost stays: a few rows per run, read by the "vs the previous plan" comparison

    method = models.CharField(max_length=24, blank=True)
    solve_status = models.CharField(max_length=24, blank=True)
    objective_eur = models.FloatField(null=True, blank=True)
    solve_seconds = models.FloatField(null=True, blank=True)
    demand_source = models.CharField(max_length=40, blank=True)
    warnings = models.JSONField(default=list, blank=True)

    class Meta(CalculationRun.Meta):
        pass

    def __str__(self) -> str:
        return f"Supply plan #{self.pk} ({self.status})"


class PlannedOrder(models.Model):
    """One planned release: production on a resource or a purchase from a supplier by mode."""

    run = models.ForeignKey(SupplyPlanRun, on_delete=models.CASCADE, related_name="orders")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    source_type = models.CharField(max_length=8, choices=SourceType.choices)
    source_code = models.CharField(max_length=32, help_text="Resource or supplier code.")
    mode = models.CharField(max_length=16, blank=True)
    release_month = models.DateField()
    receipt_month = models.DateField()
    quantity_units = models.FloatField()
    firm_units = models.FloatField(default=0.0)
    is_firm = models.BooleanField(default=False)
    load_hours = models.FloatField(default=0.0)
    supply_cost_eur = models.FloatField(default=0.0)
    transport_cost_eur = models.FloatField(default=0.0)

    class Meta:
        ordering = ["product__sku", "site__code", "release_month", "source_code"]
        indexes = [models.Index(fields=["run", "release_month"])]


class Shortage(models.Model):
    run = models.ForeignKey(SupplyPlanRun, on_delete=models.CASCADE, related_name="shortages")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    demand_units = models.FloatField()
    shortage_units = models.FloatField()
    shortage_cost_eur = models.FloatField()
    reason = models.CharField(max_length=24)

    class Meta:
        ordering = ["month", "product__sku", "channel__service_priority"]


class GapOption(models.Model):
    """A way to close a shortage of a product-site-month, and what it costs."""

    run = models.ForeignKey(SupplyPlanRun, on_delete=models.CASCADE, related_name="gap_options")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    shortage_units = models.FloatField()
    option = models.CharField(max_length=24)
    source_code = models.CharField(max_length=32)
    mode = models.CharField(max_length=16, blank=True)
    release_month = models.DateField()
    closable_units = models.FloatField()
    order_units = models.FloatField()
    cost_per_unit_eur = models.FloatField()
    option_cost_eur = models.FloatField()
    shortage_cost_avoided_eur = models.FloatField()
    net_saving_eur = models.FloatField()

    class Meta:
        ordering = ["month", "product__sku", "cost_per_unit_eur"]


class PlanResourceLoad(models.Model):
    """A resource-month: the plan's load and the rough-cut (unconstrained) requirement."""

    run = models.ForeignKey(SupplyPlanRun, on_delete=models.CASCADE, related_name="loads")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    required_hours = models.FloatField(help_text="Rough-cut load of demand and stock targets.")
    load_hours = models.FloatField()
    capacity_hours = models.FloatField()
    overtime_hours = models.FloatField()
    overtime_limit_hours = models.FloatField()
    utilisation_pct = models.FloatField(null=True)
    overtime_cost_eur = models.FloatField()

    class Meta:
        ordering = ["resource__code", "month"]


class PlanCost(models.Model):
    run = models.ForeignKey(SupplyPlanRun, on_delete=models.CASCADE, related_name="costs")
    component = models.CharField(max_length=24)
    cost_eur = models.FloatField()

    class Meta:
        ordering = ["id"]


class FirmOrder(models.Model):
    """A planned order the supply planner committed: every re-plan keeps at least this much."""

    cycle = models.ForeignKey(
        "cycles.PlanningCycle", on_delete=models.CASCADE, related_name="supply_firm_orders"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    source_type = models.CharField(max_length=8, choices=SourceType.choices)
    source_code = models.CharField(max_length=32)
    mode = models.CharField(max_length=16, blank=True)
    release_month = models.DateField()
    quantity_units = models.DecimalField(max_digits=14, decimal_places=2, validators=NON_NEGATIVE)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["release_month", "product__sku"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "product", "site", "source_type", "source_code", "mode",
                        "release_month"],
                name="uniq_supply_firm_order",
            )
        ]  # fmt: skip

    @property
    def record_key(self) -> str:
        lane = f"{self.source_code}/{self.mode}" if self.mode else self.source_code
        return f"{self.product.sku}@{self.site.code} {lane} {self.release_month:%Y-%m}"


class ResourceOvertime(models.Model):
    """Extra overtime hours per month the planner allows on a resource for this cycle."""

    cycle = models.ForeignKey(
        "cycles.PlanningCycle", on_delete=models.CASCADE, related_name="supply_overtime"
    )
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="+")
    extra_hours_per_month = models.DecimalField(
        max_digits=12, decimal_places=2, validators=NON_NEGATIVE
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["resource__code"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "resource"], name="uniq_supply_overtime")
        ]
