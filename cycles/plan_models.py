"""The consensus plan of a cycle: one integrated record every function signs off.

* ``PlanStep`` is one step of the plan pipeline of a cycle (demand -> targets -> supply ->
  projection -> finance), with the run it pins, the inputs it read and whether it is stale
  (an upstream change happened after it was computed). A stale step cannot be signed off.
* ``ConsensusPlan`` is the cycle's current integrated plan: which runs it was built from
  (``run_ids``) and its product x site x month rows (``PlanRow``) and resource x month rows
  (``PlanResourceRow``). Every stage page and the API read these, never a live recomputation.
* ``ApprovedPlan`` is the immutable snapshot written at executive approval, in the approval's
  transaction: every row with its natural keys (SKU, site, family codes at approval), the SHA-256
  of the rows and the run ids. PostgreSQL refuses UPDATE/DELETE of its rows (a trigger).

Units: quantities in units per month, money in the company currency (EUR), loads in hours.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from cycles.runs import CalculationRun


class PlanStepKey(models.TextChoices):
    DEMAND = "demand", "Consensus demand"
    TARGETS = "targets", "Inventory targets"
    SUPPLY = "supply", "Constrained supply plan"
    PROJECTION = "projection", "Projected inventory"
    FINANCE = "finance", "Financial roll-up"


PLAN_STEP_ORDER: tuple[str, ...] = tuple(PlanStepKey.values)


class PlanStep(models.Model):
    """A pipeline step of a cycle, the run it pins, and its staleness."""

    cycle = models.ForeignKey(
        "cycles.PlanningCycle", on_delete=models.CASCADE, related_name="plan_steps"
    )
    key = models.CharField(max_length=16, choices=PlanStepKey.choices)
    run_id = models.PositiveIntegerField(null=True, blank=True, help_text="The pinned run.")
    inputs = models.JSONField(
        default=dict, blank=True, help_text="Run ids and data versions this step read."
    )
    computed_at = models.DateTimeField(null=True, blank=True)
    stale = models.BooleanField(default=False)
    stale_reason = models.CharField(max_length=255, blank=True)
    stale_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cycle", "id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "key"], name="uniq_plan_step")]

    def __str__(self) -> str:
        return f"{self.cycle} / {self.key}"


class PlanBuildRun(CalculationRun):
    """A run of the financial roll-up (``cycles.plan_build``): the pipeline's last step, on the
    shared run lifecycle (queued on commit, heartbeat, watchdog, failed-with-retry)."""

    task_name = "cycles.plan_build"
    ribbon_label: ClassVar[str] = "Financial roll-up"
    retry_on_locked_cycle: ClassVar[bool] = False  # an approved plan is never rebuilt


class ConsensusPlan(models.Model):
    """The cycle's current integrated plan and the runs it was built from."""

    cycle = models.OneToOneField(
        "cycles.PlanningCycle", on_delete=models.CASCADE, related_name="consensus_plan"
    )
    version = models.PositiveIntegerField(default=0, help_text="Bumped by every rebuild.")
    run_ids = models.JSONField(default=dict, blank=True, help_text="step key -> run id")
    built_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Consensus plan of {self.cycle} (v{self.version})"


def _units() -> models.FloatField:  # type: ignore[type-arg]
    return models.FloatField(default=0.0)


class PlanRowColumns(models.Model):
    """The numbers of a plan row, shared by the live plan and the approved snapshot."""

    month = models.DateField(help_text="First day of the month.")
    consensus_demand_units = _units()
    backlog_units = _units()
    served_units = _units()
    lost_sales_units = _units()
    production_units = _units()
    purchase_units = _units()
    purchase_units_by_mode = models.JSONField(
        default=dict, blank=True, help_text="transport mode -> units received that month"
    )
    opening_inventory_units = _units()
    projected_inventory_units = _units()
    safety_stock_units = _units()
    unit_price_eur = _units()
    unit_cost_eur = _units()
    revenue_eur = _units()
    cogs_eur = _units()
    gross_margin_eur = _units()
    revenue_at_risk_eur = _units()
    inventory_value_eur = _units()

    class Meta:
        abstract = True


class PlanRow(PlanRowColumns):
    # Bulk rows (250,000 at 10,000 SKUs) written by COPY from ids read in the same transaction:
    # no per-row foreign-key trigger (two thirds of the write's time, measured) and no index
    # beyond the unique key; Django still applies on_delete (see ``siop.bulk``).
    plan = models.ForeignKey(ConsensusPlan, on_delete=models.CASCADE, related_name="rows",
                             db_constraint=False, db_index=False)  # fmt: skip
    product = models.ForeignKey("masterdata.Product", on_delete=models.CASCADE, related_name="+",
                                db_constraint=False)  # fmt: skip
    site = models.ForeignKey("masterdata.Site", on_delete=models.CASCADE, related_name="+",
                             db_constraint=False, db_index=False)  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "product", "site", "month"], name="uniq_plan_row"
            )
        ]


class PlanResourceColumns(models.Model):
    month = models.DateField()
    load_hours = _units()
    capacity_hours = _units()
    overtime_hours = _units()
    utilisation_pct = models.FloatField(null=True, blank=True)

    class Meta:
        abstract = True


class PlanResourceRow(PlanResourceColumns):
    plan = models.ForeignKey(ConsensusPlan, on_delete=models.CASCADE, related_name="resource_rows")
    resource = models.ForeignKey("masterdata.Resource", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "resource", "month"], name="uniq_plan_resource_row"
            )
        ]


class ApprovedPlan(models.Model):
    """The frozen plan of an approved cycle (written once, never changed)."""

    cycle = models.OneToOneField(
        "cycles.PlanningCycle", on_delete=models.PROTECT, related_name="approved_plan"
    )
    sha256 = models.CharField(max_length=64)
    run_ids = models.JSONField(default=dict)
    row_count = models.PositiveIntegerField(default=0)
    scenario_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="The reconciliation scenario approved (None: baseline)."
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Approved plan of {self.cycle} ({self.sha256[:12]})"


class ApprovedPlanRow(PlanRowColumns):
    """A row of the approved snapshot; natural keys as they were at approval."""

    # 250,000 rows by one INSERT ... SELECT in the approval: a statement-level reference check
    # (``siop.reference_checks``), not one foreign-key trigger per row; the (approved_plan, sku,
    # site_code, month) index serves every lookup.
    approved_plan = models.ForeignKey(ApprovedPlan, on_delete=models.PROTECT, related_name="rows",
                                      db_constraint=False, db_index=False)  # fmt: skip
    product_id_at_approval = models.PositiveIntegerField()
    sku = models.CharField(max_length=64)
    site_code = models.CharField(max_length=32)
    family_code = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["approved_plan", "sku", "site_code", "month"])]


class ApprovedResourceRow(PlanResourceColumns):
    approved_plan = models.ForeignKey(
        ApprovedPlan, on_delete=models.PROTECT, related_name="resource_rows"
    )
    resource_code = models.CharField(max_length=32)


class PlanDemandRow(models.Model):
    """The consensus demand frozen at the demand sign-off, per product x site x month.

    Written by ``cycles.plan.demand_freeze`` in the sign-off's transaction; every later step
    (targets, supply, projection, the plan record) reads this, never the live demand, so a sales
    correction after the sign-off cannot move the numbers the next functions plan with.
    """

    # Bulk rows (250,000 at 10,000 SKUs) written by COPY from ids read in the same transaction:
    # no per-row foreign-key trigger (two thirds of the write's time, measured) and no index
    # beyond the unique key; Django still applies on_delete (see ``siop.bulk``).
    cycle = models.ForeignKey(
        "cycles.PlanningCycle", on_delete=models.CASCADE, related_name="plan_demand",
        db_constraint=False, db_index=False,
    )  # fmt: skip
    product = models.ForeignKey("masterdata.Product", on_delete=models.CASCADE, related_name="+",
                                db_constraint=False)  # fmt: skip
    site = models.ForeignKey("masterdata.Site", on_delete=models.CASCADE, related_name="+",
                             db_constraint=False, db_index=False)  # fmt: skip
    month = models.DateField(help_text="First day of the month.")
    consensus_demand_units = models.FloatField(help_text="All demand, backlog included.")
    backlog_units = models.FloatField(default=0.0, help_text="Past-due open orders (first month).")
    source = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "product", "site", "month"], name="uniq_plan_demand_row"
            )
        ]
