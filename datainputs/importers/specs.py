"""Declarative description of each importable table: columns, types, natural key.

Column names are what users see in templates and ERPs send in JSON/CSV; ``field`` is the model
field written. Foreign keys are given by natural key (SKU, site code...) never by database id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from django.db import models

from datainputs.models import InventoryOnHand, OpenOrder, OpenReceipt, ReceiptType, SalesHistory

ColumnKind = Literal["str", "int", "decimal", "month", "date", "choice", "fk", "bool"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    field: str
    required: bool = True
    example: str = ""
    help: str = ""
    fk: str = ""  # "product", "site", "channel", "supplier", "resource", "family"
    choices: tuple[str, ...] = ()
    non_negative: bool = False
    max_length: int = 40  # "str" columns
    decimals: int = 2  # "decimal" columns: places kept (the model field's decimal_places)
    default: str = ""  # text used when an optional value is empty ("" = blank / NULL)
    # Negative values are accepted with this warning (a real state worth a look), not refused.
    negative_warning: str = ""


@dataclass(frozen=True)
class ImportSpec:
    name: str
    label: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    key_fields: tuple[str, ...]
    description: str = ""
    extra_checks: tuple[str, ...] = field(default=())
    # Fields read from the input only to resolve another key (e.g. sku+site+supplier -> term).
    input_only_fields: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def value_fields(self) -> list[str]:
        skip = {*self.key_fields, *self.input_only_fields}
        return [c.field for c in self.columns if c.field not in skip]


SKU = Column("sku", "fk", "product", fk="product", example="BEV-001", help="Product SKU")
SITE = Column("site", "fk", "site", fk="site", example="DC1", help="Site code")
CHANNEL = Column("channel", "fk", "channel", fk="channel", example="RETAIL", help="Channel code")

SALES_HISTORY = ImportSpec(
    name="sales_history",
    label="Sales history",
    model=SalesHistory,
    description="Monthly shipped quantity and revenue per product, site and channel.",
    columns=(
        SKU,
        SITE,
        CHANNEL,
        Column("month", "month", "month", example="2026-10", help="YYYY-MM"),
        Column("quantity", "decimal", "quantity", example="120", help="Units shipped"),
        Column("revenue", "decimal", "revenue", example="1800.00", help="Net revenue"),
    ),
    key_fields=("product", "site", "channel", "month"),
)

OPEN_ORDERS = ImportSpec(
    name="open_orders",
    label="Open orders / backlog",
    model=OpenOrder,
    description="Open customer order lines; past requested dates are backlog.",
    columns=(
        Column("order_number", "str", "order_number", example="SO-100234"),
        Column("line", "int", "line", example="1", non_negative=True),
        SKU,
        SITE,
        CHANNEL,
        Column("order_date", "date", "order_date", example="2026-11-02"),
        Column("requested_date", "date", "requested_date", example="2026-12-15"),
        Column("quantity", "decimal", "quantity", example="40", non_negative=True),
    ),
    key_fields=("order_number", "line"),
)

INVENTORY_ON_HAND = ImportSpec(
    name="inventory_on_hand",
    label="Inventory on hand",
    model=InventoryOnHand,
    description="Stock on hand per product and site at a date.",
    columns=(
        SKU,
        SITE,
        Column("as_of_date", "date", "as_of_date", example="2026-11-01"),
        Column(
            "quantity",
            "decimal",
            "quantity",
            example="350",
            help="Units on hand; negative when the ERP shipped before booking receipts",
            negative_warning="Negative on-hand stock: accepted as the ERP reports it; check "
            "unbooked receipts or shipments for this product and site.",
        ),
    ),
    key_fields=("product", "site", "as_of_date"),
)

OPEN_RECEIPTS = ImportSpec(
    name="open_receipts",
    label="Open receipts",
    model=OpenReceipt,
    description="Open purchase and production orders with due dates.",
    columns=(
        Column("order_number", "str", "order_number", example="PO-55012"),
        Column("line", "int", "line", example="1", non_negative=True),
        Column(
            "receipt_type",
            "choice",
            "receipt_type",
            example="purchase",
            choices=tuple(ReceiptType.values),
        ),
        SKU,
        SITE,
        Column("supplier", "fk", "supplier", fk="supplier", required=False, example="SUP-ASIA"),
        Column("resource", "fk", "resource", fk="resource", required=False, example=""),
        Column(
            "transport_mode",
            "choice",
            "transport_mode",
            required=False,
            example="ocean",
            choices=("ocean", "air", "road"),
        ),
        Column("due_date", "date", "due_date", example="2026-12-20"),
        Column("quantity", "decimal", "quantity", example="500", non_negative=True),
    ),
    key_fields=("order_number", "line"),
    extra_checks=("receipt_source",),
)

SPECS: dict[str, ImportSpec] = {
    spec.name: spec for spec in (SALES_HISTORY, OPEN_ORDERS, INVENTORY_ON_HAND, OPEN_RECEIPTS)
}


def register_spec(spec: ImportSpec) -> ImportSpec:
    """Add a data input owned by a stage app (from its ``AppConfig.ready``), so the upload page,
    the template downloads and the API table serve it through this same import service."""
    SPECS.setdefault(spec.name, spec)
    return spec


def get_spec(name: str) -> ImportSpec:
    """A data-input or master-data spec by name."""
    from datainputs.importers.master_specs import MASTER_SPECS

    found = SPECS.get(name) or MASTER_SPECS.get(name)
    if found is None:
        known = ", ".join([*SPECS, *MASTER_SPECS])
        raise KeyError(f"Unknown data input '{name}'. Known: {known}")
    return found
