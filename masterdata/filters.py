from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from masterdata import models


class SearchFilterSet(django_filters.FilterSet):
    """Adds a free-text ``q`` over the ``search_fields`` of the subclass."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(method="search", label="Search")

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class ProductFilter(SearchFilterSet):
    search_fields = ("sku", "name", "category")

    class Meta:
        model = models.Product
        fields = ["family", "lifecycle", "category"]


class FamilyFilter(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = models.ProductFamily
        fields: list[str] = []


class SiteFilter(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = models.Site
        fields = ["kind"]


class ChannelFilter(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = models.Channel
        fields = ["service_priority"]


class SupplierFilter(SearchFilterSet):
    search_fields = ("code", "name", "country")

    class Meta:
        model = models.Supplier
        fields = ["country"]


class ResourceFilter(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = models.Resource
        fields = ["site", "kind"]


class SupplyTermFilter(SearchFilterSet):
    search_fields = ("product__sku", "product__name")

    class Meta:
        model = models.SupplyTerm
        fields = ["site", "source_type", "supplier", "resource"]


class ResourceLoadFilter(SearchFilterSet):
    search_fields = ("product__sku", "product__name")

    class Meta:
        model = models.ResourceLoad
        fields = ["resource"]


class ResourceCapacityFilter(SearchFilterSet):
    search_fields = ("resource__code", "resource__name")
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte", label="From")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte", label="To")

    class Meta:
        model = models.ResourceCapacity
        fields = ["resource"]
