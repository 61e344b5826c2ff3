"""Inventory review records: per-cycle settings and targets, overrides, runs and their results.

* `InventorySettings` (one per cycle): ABC / XYZ cut-offs and the cost and review parameters
  the policy engine needs. `ServiceTarget`: the service level of each ABC x XYZ cell.
  Both are edited by the inventory planner, audited, and carry a `version` for optimistic
  locking (a stale form is refused, never silently overwritten).
* `PolicyOverride`: a per product x site override (service target, safety stock or order
  quantity) with a required reason; applied by the next calculation.
* `InventoryRun` (a `cycles.runs.CalculationRun`) and its result rows: `PolicyRow` per product x
  site, `ProjectionRow` per product x site x month, `InventoryException` ranked by value at
  risk. Only a succeeded run is ever read as the cycle's result.

Projection quantities are stored as decimals with two places: the calculation works on flows
rounded to hundredths and checks in integer hundredths that every row reconciles
(opening + receipts + planned supply - demand = closing) before anything is stored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from cycles.runs import CalculationRun
from masterdata.models import Product, Site

SEGMENTS = tuple(a + x for a in "ABC" for x in "XYZ")


def units_field(**kwargs: Any) -> models.DecimalField:
    """Quantities in units, to the hundredth."""
    return models.DecimalField(max_digits=16, decimal_places=2, **kwargs)


def _cutoff_field(
    label: str, max_digits: int, decimal_places: int, default: str
) -> models.DecimalField:
    """A segmentation cut-off: an ABC value share or an XYZ coefficient of variation."""
    return models.DecimalField(
        label, max_digits=max_digits, decimal_places=decimal_places, default=Decimal(default)
    )


class ServiceType(models.TextChoices):
    CYCLE = "cycle", "Cycle service level (probability of no stock-out per cycle)"
    FILL_RATE = "fill_rate", "Fill rate (share of demand served from stock)"


class InventorySettings(models.Model):
    cycle = models.OneToOneField(
        "cycles.PlanningCycle", on_delete=models.CASCADE, related_name="inventory_settings"
    )
    abc_a_cutoff = _cutoff_field("A cut-off (cumulative value share)", 5, 4, "0.80")
    abc_b_cutoff = _cutoff_field("B cut-off (cumulative value share)", 5, 4, "0.95")
    xyz_x_cutoff = _cutoff_field("X cut-off (coefficient of variation)", 6, 3, "0.5")
    xyz_y_cutoff = _cutoff_field("Y cut-off (coefficient of variation)", 6, 3, "1.0")
    service_type = models.CharField(
        max_length=16, choices=ServiceType.choices, default=ServiceType.CYCLE
    )
    holding_rate_per_year = models.DecimalField(
        max_digits=5, decimal_places=4, default=Decimal("0.25")
    )
    order_cost_eur = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("50"))
    review_period_months = models.DecimalField(
        "Review period (months, 0 = continuous review)",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0"),
    )
    excess_cover_weeks = models.DecimalField(
        "Excess above (weeks of supply)", max_digits=6, decimal_places=1, default=Decimal("26")
    )
    default_lead_time_days = models.PositiveIntegerField(
        default=30, help_text="Used for product-sites without a supply term."
    )
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "inventory settings"


class ServiceTarget(models.Model):
    cycle = models.ForeignKey(
        "cycles.PlanningCycle", on_delete=models.CASCADE, related_name="service_targets"
    )
    segment = models.CharField(max_length=2, choices=[(s, s) for s in SEGMENTS])
    service_target = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("0.9999"))],
    )
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["segment"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "segment"], name="uniq_inventory_target")
        ]


class PolicyOverride(models.Model):
    cycle = models.ForeignKey(
        "cycles.PlanningCycle", on_delete=models.CASCADE, related_name="inventory_overrides"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    service_target = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    safety_stock_units = units_field(null=True, blank=True)
    order_quantity_units = units_field(null=True, blank=True)
    reason = models.CharField(max_length=60)
    comment = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "product", "site"], name="uniq_inventory_override"
            )
        ]


class InventoryRun(CalculationRun):
    """A calculation of the inventory review, as one of two steps of the plan pipeline:
    ``targets`` (policies from demand statistics, lead times and service targets, before the
    supply plan) or ``projection`` (projected inventory and KPIs from the pinned supply plan)."""

    task_name = "inventory.calculate"
    run_action = "edit_inventory_policy"
    pruned_rows = ("inventory.PolicyRow", "inventory.ProjectionRow", "inventory.InventoryException")

    demand_source = models.CharField(max_length=60, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    plan_step = models.CharField(
        max_length=16,
        choices=[("targets", "Inventory targets"), ("projection", "Projected inventory")],
        default="targets",
    )

    class Meta(CalculationRun.Meta):
        pass


class PolicyRow(models.Model):
    run = models.ForeignKey(InventoryRun, on_delete=models.CASCADE, related_name="policies")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    abc_class = models.CharField(max_length=1)
    xyz_class = models.CharField(max_length=1)
    segment = models.CharField(max_length=2)
    annual_value_eur = models.FloatField()
    cv = models.FloatField(null=True)
    service_type = models.CharField(max_length=16)
    service_target = models.FloatField()
    policy = models.CharField(max_length=16)
    method = models.CharField(max_length=20)
    variability_source = models.CharField(max_length=20)
    mean_demand_per_month_units = models.FloatField()
    sd_per_month_units = models.FloatField()
    lead_time_months = models.FloatField()
    safety_stock_units = models.FloatField()
    reorder_point_units = models.FloatField()
    order_quantity_units = models.FloatField()
    order_up_to_units = models.FloatField()
    target_weeks_of_supply = models.FloatField(null=True)
    safety_stock_value_eur = models.FloatField()
    opening_stock_units = models.FloatField()
    average_inventory_value_eur = models.FloatField()
    turns_per_year = models.FloatField(null=True)
    dio_days = models.FloatField(null=True)
    opening_weeks_of_supply = models.FloatField(null=True)
    overridden = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["product__sku", "site__code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "product", "site"], name="uniq_policy_row")
        ]

    @property
    def service_target_percent(self) -> float:
        return self.service_target * 100.0


class ProjectionRow(models.Model):
    # The unique (run, product, site, month) index serves every lookup; separate foreign-key
    # indexes would only slow the bulk insert of a run's rows (360,000 at 10,000 SKUs), and so
    # would a per-row foreign-key trigger (rows come by COPY from ids read in the same run;
    # Django still applies on_delete, see ``siop.bulk``).
    run = models.ForeignKey(InventoryRun, on_delete=models.CASCADE, related_name="projection",
                            db_index=False, db_constraint=False)  # fmt: skip
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+",
                                db_index=False, db_constraint=False)  # fmt: skip
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+", db_index=False,
                             db_constraint=False)  # fmt: skip
    month = models.DateField()
    opening_units = units_field()
    receipts_units = units_field()
    planned_supply_units = units_field()
    demand_units = units_field()
    # The part of demand_units the pinned supply plan counts as lost (left the balance).
    lost_sales_units = units_field(default=0)
    closing_units = units_field()
    safety_stock_units = models.FloatField()
    weeks_of_supply = models.FloatField(null=True)
    closing_value_eur = models.FloatField()
    stockout = models.BooleanField()
    below_safety_stock = models.BooleanField()
    excess = models.BooleanField()
    obsolete = models.BooleanField()

    class Meta:
        ordering = ["product_id", "site_id", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "product", "site", "month"], name="uniq_projection_row"
            )
        ]


class InventoryException(models.Model):
    class Kind(models.TextChoices):
        STOCKOUT = "stockout", "Stock-out"
        BELOW_SAFETY_STOCK = "below_safety_stock", "Below safety stock"
        EXCESS = "excess", "Excess"
        OBSOLETE = "obsolete", "Obsolete"

    run = models.ForeignKey(InventoryRun, on_delete=models.CASCADE, related_name="exceptions")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    first_month = models.DateField()
    months = models.PositiveSmallIntegerField()
    value_at_risk_eur = models.FloatField()

    class Meta:
        ordering = ["-value_at_risk_eur"]
        # The review page shows a run's 25 costliest exceptions: walked from this index instead
        # of sorting the run's 23,000 rows (10,000 SKUs) on every view.
        indexes = [
            models.Index(
                "run", models.F("value_at_risk_eur").desc(), "id", name="inv_exception_ranked"
            )
        ]
