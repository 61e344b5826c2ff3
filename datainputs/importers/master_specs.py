"""Import specs for master data, so ERPs (API) and administrators share one validated upsert.

Same declarative form as the data-input specs: column names are what the ERP sends, foreign keys
are natural keys (family code, SKU, site code...). Supply-term transport modes address their
term by SKU + site + supplier (a mode exists only on a bought term).
"""

from __future__ import annotations

from datainputs.importers.specs import Column, ImportSpec
from masterdata.models import (
    Channel,
    Lifecycle,
    Product,
    ProductFamily,
    Resource,
    ResourceCapacity,
    ResourceLoad,
    Site,
    SiteKind,
    SourceType,
    Supplier,
    SupplyTerm,
    SupplyTermMode,
    TransportMode,
)


def _code(example: str) -> Column:
    return Column("code", "str", "code", example=example, max_length=32)


def _name(example: str, max_length: int = 120) -> Column:
    return Column("name", "str", "name", example=example, max_length=max_length)


def _money(name: str, example: str, required: bool = True, default: str = "") -> Column:
    return Column(
        name,
        "decimal",
        name,
        required=required,
        example=example,
        non_negative=True,
        decimals=4,
        default=default,
    )


def _hours(name: str, example: str, required: bool = True, default: str = "") -> Column:
    return Column(
        name,
        "decimal",
        name,
        required=required,
        example=example,
        non_negative=True,
        default=default,
    )


SKU = Column("sku", "fk", "product", fk="product", example="BEV-001", help="Product SKU")
SITE = Column("site", "fk", "site", fk="site", example="DC1", help="Site code")
RESOURCE = Column("resource", "fk", "resource", fk="resource", example="LINE-1")

FAMILIES = ImportSpec(
    name="families",
    label="Product families",
    model=ProductFamily,
    description="Product families (the level most plans are reviewed at).",
    columns=(_code("BEV"), _name("Beverages")),
    key_fields=("code",),
)

PRODUCTS = ImportSpec(
    name="products",
    label="Products",
    model=Product,
    description="Products (SKUs) with family, cost, price and lifecycle.",
    columns=(
        Column("sku", "str", "sku", example="BEV-001"),
        _name("Sparkling water 0.5l", max_length=200),
        Column("family", "fk", "family", fk="family", example="BEV"),
        Column("category", "str", "category", required=False, example="Water", max_length=80),
        Column(
            "unit_of_measure", "str", "unit_of_measure", required=False, example="EA", max_length=16
        ),
        _money("unit_cost", "0.4200"),
        _money("unit_price", "0.9900"),
        Column(
            "lifecycle",
            "choice",
            "lifecycle",
            required=False,
            example="active",
            choices=tuple(Lifecycle.values),
            default="active",
        ),
        Column("launch_date", "date", "launch_date", required=False, example="2024-03-01"),
        Column("end_date", "date", "end_date", required=False, example=""),
        Column("like_sku", "fk", "like_product", fk="product", required=False, example=""),
        Column(
            "like_scale",
            "decimal",
            "like_scale",
            required=False,
            example="1",
            non_negative=True,
            decimals=3,
            default="1",
        ),
    ),
    key_fields=("sku",),
    extra_checks=("product_dates",),
)

SITES = ImportSpec(
    name="sites",
    label="Sites",
    model=Site,
    description="Factories and warehouses.",
    columns=(
        _code("DC1"),
        _name("Distribution centre 1"),
        Column("kind", "choice", "kind", example="warehouse", choices=tuple(SiteKind.values)),
    ),
    key_fields=("code",),
)

CHANNELS = ImportSpec(
    name="channels",
    label="Channels",
    model=Channel,
    description="Customer or sales channels; service priority 1 is served first when short.",
    columns=(
        _code("RETAIL"),
        _name("Retail"),
        Column(
            "service_priority",
            "int",
            "service_priority",
            required=False,
            example="1",
            non_negative=True,
            default="3",
        ),
    ),
    key_fields=("code",),
)

SUPPLIERS = ImportSpec(
    name="suppliers",
    label="Suppliers",
    model=Supplier,
    description="Suppliers; an empty monthly capacity means unconstrained.",
    columns=(
        _code("SUP-ASIA"),
        _name("Asia Packaging Ltd"),
        Column("country", "str", "country", required=False, example="VN", max_length=60),
        _hours("capacity_units_per_month", "50000", required=False),
    ),
    key_fields=("code",),
)

RESOURCES = ImportSpec(
    name="resources",
    label="Resources",
    model=Resource,
    description="Production lines and work centres with monthly capacity in hours.",
    columns=(
        _code("LINE-1"),
        _name("Bottling line 1"),
        SITE,
        Column(
            "kind",
            "choice",
            "kind",
            required=False,
            example="line",
            choices=tuple(Resource.Kind.values),
            default="line",
        ),
        _hours("capacity_hours_per_month", "400"),
        _hours("overtime_hours_per_month", "40", required=False, default="0"),
        _hours("overtime_cost_per_hour", "55", required=False, default="0"),
    ),
    key_fields=("code",),
)

RESOURCE_CAPACITIES = ImportSpec(
    name="resource_capacities",
    label="Resource capacities",
    model=ResourceCapacity,
    description="Months whose capacity differs from the resource default (holidays, shifts).",
    columns=(
        RESOURCE,
        Column("month", "month", "month", example="2026-12", help="YYYY-MM"),
        _hours("capacity_hours", "320"),
    ),
    key_fields=("resource", "month"),
)

RESOURCE_LOADS = ImportSpec(
    name="resource_loads",
    label="Resource loads",
    model=ResourceLoad,
    description="Hours of a resource one unit of a product consumes.",
    columns=(
        RESOURCE,
        SKU,
        Column(
            "hours_per_unit",
            "decimal",
            "hours_per_unit",
            example="0.00500",
            non_negative=True,
            decimals=5,
        ),
    ),
    key_fields=("resource", "product"),
)

SUPPLY_TERMS = ImportSpec(
    name="supply_terms",
    label="Supply terms",
    model=SupplyTerm,
    description="How a product reaches a site: made on a resource or bought from a supplier.",
    columns=(
        SKU,
        SITE,
        Column(
            "source_type", "choice", "source_type", example="buy", choices=tuple(SourceType.values)
        ),
        Column("resource", "fk", "resource", fk="resource", required=False, example=""),
        Column("supplier", "fk", "supplier", fk="supplier", required=False, example="SUP-ASIA"),
        Column("lead_time_days", "int", "lead_time_days", example="45", non_negative=True),
        _hours("lead_time_sd_days", "5", required=False, default="0"),
        _hours("min_order_qty", "1000", required=False, default="0"),
        _hours("order_multiple", "500", required=False, default="1"),
        Column(
            "is_preferred", "bool", "is_preferred", required=False, example="true", default="true"
        ),
    ),
    key_fields=("product", "site", "source_type", "resource", "supplier"),
    extra_checks=("term_source",),
)

SUPPLY_TERM_MODES = ImportSpec(
    name="supply_term_modes",
    label="Supply term transport modes",
    model=SupplyTermMode,
    description="Transport options of a bought supply term, each with lead time and unit cost.",
    columns=(
        SKU,
        SITE,
        Column("supplier", "fk", "supplier", fk="supplier", example="SUP-ASIA"),
        Column("mode", "choice", "mode", example="ocean", choices=tuple(TransportMode.values)),
        Column("lead_time_days", "int", "lead_time_days", example="42", non_negative=True),
        _money("cost_per_unit", "0.0300"),
    ),
    key_fields=("supply_term", "mode"),
    extra_checks=("buy_term",),
    input_only_fields=("product", "site", "supplier"),
)

MASTER_SPECS: dict[str, ImportSpec] = {
    spec.name: spec
    for spec in (
        FAMILIES,
        PRODUCTS,
        SITES,
        CHANNELS,
        SUPPLIERS,
        RESOURCES,
        RESOURCE_CAPACITIES,
        RESOURCE_LOADS,
        SUPPLY_TERMS,
        SUPPLY_TERM_MODES,
    )
}
