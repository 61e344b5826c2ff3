"""Master data: the things every SIOP stage plans over.

Natural keys (``code``/``sku``) are unique so that ERP imports and API upserts can address rows
without knowing database ids. ``updated_at`` is indexed for incremental sync (``updated_since``).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class ProductFamily(TimeStamped):
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "product families"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Lifecycle(models.TextChoices):
    NEW = "new", "New"
    ACTIVE = "active", "Active"
    PHASE_OUT = "phase_out", "Phase-out"


class Product(TimeStamped):
    sku = models.CharField("SKU", max_length=40, unique=True)
    name = models.CharField(max_length=200)
    family = models.ForeignKey(ProductFamily, on_delete=models.PROTECT, related_name="products")
    category = models.CharField(max_length=80, blank=True)
    unit_of_measure = models.CharField(max_length=16, default="EA")
    unit_cost = models.DecimalField(max_digits=14, decimal_places=4, validators=NON_NEGATIVE)
    unit_price = models.DecimalField(max_digits=14, decimal_places=4, validators=NON_NEGATIVE)
    lifecycle = models.CharField(max_length=16, choices=Lifecycle.choices, default=Lifecycle.ACTIVE)
    launch_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    like_product = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For new products: the existing item whose history shapes the forecast.",
    )
    like_scale = models.DecimalField(
        max_digits=6, decimal_places=3, default=Decimal("1"), validators=NON_NEGATIVE
    )

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(launch_date__isnull=True)
                | models.Q(end_date__gte=models.F("launch_date")),
                name="product_end_after_launch",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class SiteKind(models.TextChoices):
    FACTORY = "factory", "Factory"
    WAREHOUSE = "warehouse", "Warehouse"


class Site(TimeStamped):
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=SiteKind.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Channel(TimeStamped):
    """A customer or sales channel; ``service_priority`` 1 is served first when supply is short."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    service_priority = models.PositiveSmallIntegerField(default=3)

    class Meta:
        ordering = ["service_priority", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Supplier(TimeStamped):
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    country = models.CharField(max_length=60, blank=True)
    capacity_units_per_month = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text="Empty means unconstrained.",
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Resource(TimeStamped):
    """A production line or work centre with a monthly capacity in hours."""

    class Kind(models.TextChoices):
        LINE = "line", "Line"
        WORK_CENTRE = "work_centre", "Work centre"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="resources")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.LINE)
    capacity_hours_per_month = models.DecimalField(
        max_digits=12, decimal_places=2, validators=NON_NEGATIVE
    )
    overtime_hours_per_month = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), validators=NON_NEGATIVE
    )
    overtime_cost_per_hour = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), validators=NON_NEGATIVE
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ResourceCapacity(TimeStamped):
    """A month whose capacity differs from the resource's default (holidays, shutdowns, shifts)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="capacities")
    month = models.DateField(help_text="First day of the month.")
    capacity_hours = models.DecimalField(max_digits=12, decimal_places=2, validators=NON_NEGATIVE)

    class Meta:
        ordering = ["resource", "month"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "month"], name="uniq_resource_month")
        ]


class ResourceLoad(TimeStamped):
    """Hours of ``resource`` that one unit of ``product`` consumes."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="loads")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="resource_loads")
    hours_per_unit = models.DecimalField(max_digits=10, decimal_places=5, validators=NON_NEGATIVE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "product"], name="uniq_resource_product")
        ]


class SourceType(models.TextChoices):
    MAKE = "make", "Made on a resource"
    BUY = "buy", "Bought from a supplier"


class SupplyTerm(TimeStamped):
    """How a product reaches a site: made on a resource or bought from a supplier."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="supply_terms")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="supply_terms")
    source_type = models.CharField(max_length=8, choices=SourceType.choices)
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="supply_terms"
    )
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="supply_terms"
    )
    lead_time_days = models.PositiveIntegerField()
    lead_time_sd_days = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0"), validators=NON_NEGATIVE
    )
    min_order_qty = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), validators=NON_NEGATIVE
    )
    order_multiple = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("1"), validators=NON_NEGATIVE
    )
    is_preferred = models.BooleanField(default=True)

    class Meta:
        ordering = ["product", "site"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(source_type="make", resource__isnull=False, supplier__isnull=True)
                    | models.Q(source_type="buy", supplier__isnull=False, resource__isnull=True)
                ),
                name="supply_term_source_matches_type",
            ),
            models.UniqueConstraint(
                fields=["product", "site", "supplier"],
                condition=models.Q(source_type="buy"),
                name="uniq_buy_term",
            ),
            models.UniqueConstraint(
                fields=["product", "site", "resource"],
                condition=models.Q(source_type="make"),
                name="uniq_make_term",
            ),
        ]

    def __str__(self) -> str:
        source = self.resource if self.source_type == SourceType.MAKE else self.supplier
        return f"{self.product.sku}@{self.site.code} {self.source_type} {source}"

    def mode_summary(self) -> str:
        """Transport options, fastest first, for list pages (uses prefetched ``modes``)."""
        modes = sorted(self.modes.all(), key=lambda m: m.lead_time_days)
        return ", ".join(f"{m.mode} {m.lead_time_days}d @{m.cost_per_unit}" for m in modes)


class TransportMode(models.TextChoices):
    OCEAN = "ocean", "Ocean"
    AIR = "air", "Air"
    ROAD = "road", "Road"


class SupplyTermMode(TimeStamped):
    """A transport option on a bought supply term, each with its own lead time and cost."""

    supply_term = models.ForeignKey(SupplyTerm, on_delete=models.CASCADE, related_name="modes")
    mode = models.CharField(max_length=8, choices=TransportMode.choices)
    lead_time_days = models.PositiveIntegerField()
    cost_per_unit = models.DecimalField(max_digits=12, decimal_places=4, validators=NON_NEGATIVE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supply_term", "mode"], name="uniq_term_mode")
        ]
