"""Transactional data inputs, each with a natural key for idempotent upserts.

Months are stored as the first day of the month (``DateField``) so that SQL range filters and
PostgreSQL indexes work without a custom type.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from masterdata.models import Channel, Product, Resource, Site, Supplier, TimeStamped

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class SalesHistory(TimeStamped):
    """Monthly sales per product, site and channel: the high-volume fact table of ERP syncs.

    Its three references are enforced by set-based triggers (migration 0002), not by PostgreSQL's
    per-row foreign-key triggers, which took about 3/4 of a million-row import. The guarantee is
    the same for every write path (fast path, row path, admin, raw SQL): an insert or update
    naming an unknown product, site or channel fails with SQLSTATE 23503, and deleting a referenced
    product, site or channel is refused by the ORM (``PROTECT``) and, underneath, by the database.
    No single-column indexes on the references: the unique key starts with the product, and a
    handful of sites or channels makes an index on either too unselective to pay for its upkeep
    on every inserted row (list filters by site or channel walk the key index in order instead).
    """

    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="sales_history",
        db_constraint=False,
        db_index=False,
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField(help_text="First day of the month.")
    quantity = models.DecimalField(max_digits=14, decimal_places=2)
    revenue = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        verbose_name_plural = "sales history"
        ordering = ["product", "site", "channel", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "site", "channel", "month"], name="uniq_sales_history_key"
            )
        ]
        indexes = [models.Index(fields=["month"])]


class OpenOrder(TimeStamped):
    """An open customer order line (backlog when its requested date has passed)."""

    order_number = models.CharField(max_length=40)
    line = models.PositiveIntegerField(default=1)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="open_orders")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+")
    order_date = models.DateField()
    requested_date = models.DateField()
    quantity = models.DecimalField(max_digits=14, decimal_places=2, validators=NON_NEGATIVE)

    class Meta:
        ordering = ["requested_date", "order_number", "line"]
        constraints = [
            models.UniqueConstraint(fields=["order_number", "line"], name="uniq_open_order_line")
        ]


class InventoryOnHand(TimeStamped):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="inventory")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    as_of_date = models.DateField()
    # May be negative: ERPs book shipments before receipts; imports accept it with a warning.
    quantity = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        verbose_name_plural = "inventory on hand"
        ordering = ["product", "site", "-as_of_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "site", "as_of_date"], name="uniq_inventory_key"
            )
        ]


class ReceiptType(models.TextChoices):
    PURCHASE = "purchase", "Purchase order"
    PRODUCTION = "production", "Production order"


class OpenReceipt(TimeStamped):
    """A scheduled receipt: an open purchase or production order not yet received."""

    order_number = models.CharField(max_length=40)
    line = models.PositiveIntegerField(default=1)
    receipt_type = models.CharField(max_length=16, choices=ReceiptType.choices)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="open_receipts")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transport_mode = models.CharField(max_length=8, blank=True)
    due_date = models.DateField()
    quantity = models.DecimalField(max_digits=14, decimal_places=2, validators=NON_NEGATIVE)

    class Meta:
        ordering = ["due_date", "order_number", "line"]
        constraints = [
            models.UniqueConstraint(fields=["order_number", "line"], name="uniq_open_receipt_line")
        ]


class ImportBatch(models.Model):
    """One import attempt through either door (upload or API): who, what, outcome and counts."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        REJECTED = "rejected", "Rejected"
        APPLIED = "applied", "Applied"

    data_input = models.CharField(max_length=40)
    source = models.CharField(max_length=16)  # "upload" or "api"
    file_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    row_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(
        default=list, blank=True, help_text="Rows accepted with a remark (row, field, message)."
    )
    payload = models.JSONField(default=list, blank=True, help_text="Parsed rows kept for apply.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"


class DataVersion(models.Model):
    """A counter per data source the plan reads (``datainputs.versions.SOURCES``).

    Bumped by the database itself (triggers from migration ``0005_data_versions``) on every
    INSERT, UPDATE, DELETE or TRUNCATE of the source's tables, whoever writes them: import,
    API ingest, admin, COPY, raw SQL. A plan step stores the versions it read; a different
    version now means the data changed since (``cycles.plan``).
    """

    source = models.CharField(max_length=40, primary_key=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.source} v{self.version}"
