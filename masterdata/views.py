"""Master-data list pages (read-only here; administrators edit in Django admin or by API)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from masterdata import filters, models
from siop.listing import TableListView


class ProductListView(TableListView):
    title = "Products"
    model = models.Product
    filterset_class = filters.ProductFilter
    family_path = "family_id"
    columns = [
        ("SKU", "sku"),
        ("Name", "name"),
        ("Family", "family.code"),
        ("Category", "category"),
        ("UoM", "unit_of_measure"),
        ("Unit cost", "unit_cost"),
        ("Unit price", "unit_price"),
        ("Lifecycle", "get_lifecycle_display"),
        ("Launch", "launch_date"),
        ("End", "end_date"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("family")


class FamilyListView(TableListView):
    title = "Product families"
    model = models.ProductFamily
    filterset_class = filters.FamilyFilter
    family_path = "id"
    columns = [("Code", "code"), ("Name", "name")]


class SiteListView(TableListView):
    title = "Sites"
    model = models.Site
    filterset_class = filters.SiteFilter
    columns = [("Code", "code"), ("Name", "name"), ("Kind", "get_kind_display")]


class ChannelListView(TableListView):
    title = "Channels"
    model = models.Channel
    filterset_class = filters.ChannelFilter
    columns = [("Code", "code"), ("Name", "name"), ("Service priority", "service_priority")]


class SupplierListView(TableListView):
    title = "Suppliers"
    model = models.Supplier
    filterset_class = filters.SupplierFilter
    columns = [
        ("Code", "code"),
        ("Name", "name"),
        ("Country", "country"),
        ("Capacity (units/month)", "capacity_units_per_month"),
    ]


class ResourceListView(TableListView):
    title = "Resources"
    model = models.Resource
    filterset_class = filters.ResourceFilter
    columns = [
        ("Code", "code"),
        ("Name", "name"),
        ("Site", "site.code"),
        ("Kind", "get_kind_display"),
        ("Capacity (h/month)", "capacity_hours_per_month"),
        ("Overtime (h/month)", "overtime_hours_per_month"),
        ("Overtime cost/h", "overtime_cost_per_hour"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("site")


class SupplyTermListView(TableListView):
    title = "Supply terms"
    model = models.SupplyTerm
    filterset_class = filters.SupplyTermFilter
    family_path = "product__family_id"
    columns = [
        ("SKU", "product.sku"),
        ("Site", "site.code"),
        ("Source", "get_source_type_display"),
        ("Resource", "resource.code"),
        ("Supplier", "supplier.code"),
        ("Lead time (days)", "lead_time_days"),
        ("MOQ", "min_order_qty"),
        ("Multiple", "order_multiple"),
        ("Modes", "mode_summary"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return (
            super()
            .get_queryset()
            .select_related("product", "site", "resource", "supplier")
            .prefetch_related("modes")
        )


class ResourceLoadListView(TableListView):
    title = "Resource loads"
    model = models.ResourceLoad
    filterset_class = filters.ResourceLoadFilter
    family_path = "product__family_id"
    columns = [
        ("Resource", "resource.code"),
        ("SKU", "product.sku"),
        ("Product", "product.name"),
        ("Hours per unit", "hours_per_unit"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return (
            super()
            .get_queryset()
            .select_related("resource", "product")
            .order_by("resource__code", "product__sku")
        )


class ResourceCapacityListView(TableListView):
    title = "Resource capacity by month"
    model = models.ResourceCapacity
    filterset_class = filters.ResourceCapacityFilter
    columns = [
        ("Resource", "resource.code"),
        ("Month", "month"),
        ("Capacity (h)", "capacity_hours"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("resource")
