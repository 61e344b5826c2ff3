"""The demand review's records: forecast runs and their rows, overrides, events, snapshots.

Forecast level is product x month (total over sites and channels); sites are reached later by each
product's recent sales share (``demand.selectors.cycle_demand_plan``).

* ``ForecastRun`` (a ``cycles.runs.CalculationRun``) is split into ``ForecastChunk`` rows; each
  chunk writes its ``StatisticalForecast`` rows keyed by (run, product, month), so a retried chunk
  replaces its own rows and nothing else.
* ``CurrentForecast`` points a cycle at its last *fully* succeeded run; it is switched in one
  transaction when the last chunk finishes, so a failed or half-finished run is never read.
* ``DemandOverride`` is the consensus the planner typed for a product x month (family edits are
  stored as product values), with a reason code, comment and ``version`` for optimistic locking
  (two planners, one cell: the later save is refused). It keeps the statistical forecast the
  planner saw (``statistical_at_entry_units``) so the grid can flag a forecast that moved
  underneath; the typed consensus itself never moves with the forecast.
* ``DemandEvent`` is a promotion or campaign on a product or a whole family, in % or units.
* Overrides and events taken over by a new cycle from the previous one name that cycle in
  ``carried_from`` (``demand.carryover``); the planner may drop them.
* ``ConsensusSnapshot`` freezes naive, statistical and consensus per product x month at sign-off,
  with the lag in months, so later cycles can measure accuracy by lag.

consensus = the override where the planner typed one, else statistical + events (never below 0).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cycles.runs import CalculationRun


def units_field() -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(max_digits=16, decimal_places=2)


class ForecastRun(CalculationRun):
    task_name = "demand.tasks.forecast_run_start"
    run_action = "run_forecast"
    pruned_rows = ("demand.StatisticalForecast",)

    chunk_size = models.PositiveIntegerField(default=1000)
    series_count = models.PositiveIntegerField(default=0)

    class Meta(CalculationRun.Meta):
        indexes = [models.Index(fields=["cycle", "status"])]

    def __str__(self) -> str:
        return f"Forecast run {self.pk} ({self.status})"


class ChunkStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ForecastChunk(models.Model):
    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    product_ids = models.JSONField()
    status = models.CharField(max_length=8, choices=ChunkStatus.choices, default="pending")
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="uniq_run_chunk")]


class StatisticalForecast(models.Model):
    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="rows")
    product = models.ForeignKey("masterdata.Product", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the month.")
    forecast_units = units_field()
    lower_units = units_field()
    upper_units = units_field()
    model = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "product", "month"], name="uniq_run_forecast")
        ]


class CurrentForecast(models.Model):
    """The cycle's current good run (switched only when a run fully succeeds)."""

    cycle = models.OneToOneField(
        "cycles.PlanningCycle", on_delete=models.CASCADE, related_name="current_forecast"
    )
    run = models.ForeignKey(ForecastRun, on_delete=models.PROTECT, related_name="+")
    switched_at = models.DateTimeField(auto_now=True)


class ReasonCode(models.TextChoices):
    CUSTOMER_INTEL = "customer_intel", "Customer intelligence"
    PROMOTION = "promotion", "Promotion or campaign"
    MARKET_TREND = "market_trend", "Market trend"
    NEW_LISTING = "new_listing", "New listing or distribution gain"
    LOST_BUSINESS = "lost_business", "Lost business or delisting"
    SUPPLY_CONSTRAINT = "supply_constraint", "Supply constraint"
    DATA_CORRECTION = "data_correction", "Data correction (history outlier)"
    OTHER = "other", "Other (say why in the comment)"


class DemandOverride(models.Model):
    cycle = models.ForeignKey("cycles.PlanningCycle", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("masterdata.Product", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    consensus_units = models.DecimalField(
        max_digits=16, decimal_places=2, help_text="The consensus the planner typed (units)."
    )
    statistical_at_entry_units = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The statistical forecast of the cell when the consensus was typed (units).",
    )
    carried_from = models.ForeignKey(
        "cycles.PlanningCycle",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The earlier cycle this override was carried over from (empty: typed here).",
    )
    reason = models.CharField(max_length=24, choices=ReasonCode.choices)
    comment = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "product", "month"], name="uniq_override_cell")
        ]


class UpliftKind(models.TextChoices):
    PERCENT = "percent", "% of the statistical forecast"
    UNITS = "units", "Units per month"


class DemandEvent(models.Model):
    """A promotion or campaign on one product or a whole family over a range of months."""

    cycle = models.ForeignKey("cycles.PlanningCycle", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    product = models.ForeignKey(
        "masterdata.Product", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    family = models.ForeignKey(
        "masterdata.ProductFamily",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    start_month = models.DateField()
    end_month = models.DateField()
    uplift_kind = models.CharField(max_length=8, choices=UpliftKind.choices)
    uplift_value = models.DecimalField(max_digits=14, decimal_places=2)
    carried_from = models.ForeignKey(
        "cycles.PlanningCycle",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The earlier cycle this event was carried over from (empty: entered here).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_month", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(product__isnull=False, family__isnull=True)
                | models.Q(product__isnull=True, family__isnull=False),
                name="event_on_product_or_family",
            ),
            models.CheckConstraint(
                condition=models.Q(end_month__gte=models.F("start_month")),
                name="event_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ConsensusSnapshot(models.Model):
    """The signed-off consensus of a cycle, frozen for accuracy-by-lag in later cycles."""

    # Bulk rows (180,000 at 10,000 SKUs) written by COPY in the sign-off: no per-row foreign-key
    # trigger and no index beyond the unique key; Django still applies on_delete (``siop.bulk``).
    cycle = models.ForeignKey("cycles.PlanningCycle", on_delete=models.CASCADE, related_name="+",
                              db_constraint=False, db_index=False)  # fmt: skip
    product = models.ForeignKey("masterdata.Product", on_delete=models.CASCADE, related_name="+",
                                db_constraint=False)  # fmt: skip
    month = models.DateField()
    lag_months = models.PositiveSmallIntegerField()
    naive_units = units_field()
    statistical_units = units_field()
    consensus_units = units_field()
    frozen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "product", "month"], name="uniq_snapshot_cell")
        ]
