from __future__ import annotations

import django_filters

from datainputs import models
from masterdata.filters import SearchFilterSet
from masterdata.models import ProductFamily


class _ProductScoped(SearchFilterSet):
    search_fields: tuple[str, ...] = ("product__sku", "product__name")
    family = django_filters.ModelChoiceFilter(
        field_name="product__family", queryset=ProductFamily.objects.all()
    )


class SalesHistoryFilter(_ProductScoped):
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte", label="From")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte", label="To")

    class Meta:
        model = models.SalesHistory
        fields = ["site", "channel"]


class OpenOrderFilter(_ProductScoped):
    search_fields = ("order_number", "product__sku", "product__name")

    class Meta:
        model = models.OpenOrder
        fields = ["site", "channel"]


class InventoryFilter(_ProductScoped):
    class Meta:
        model = models.InventoryOnHand
        fields = ["site", "as_of_date"]


class OpenReceiptFilter(_ProductScoped):
    search_fields = ("order_number", "product__sku", "product__name")

    class Meta:
        model = models.OpenReceipt
        fields = ["site", "receipt_type", "transport_mode"]


class ImportBatchFilter(SearchFilterSet):
    search_fields = ("file_name", "created_by__username")

    class Meta:
        model = models.ImportBatch
        fields = ["data_input", "source", "status"]
