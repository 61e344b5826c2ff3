from django.contrib import admin

from datainputs import models
from siop.admin_readonly import register_read_only


@admin.register(models.SalesHistory)
class SalesHistoryAdmin(admin.ModelAdmin):
    list_display = ("product", "site", "channel", "month", "quantity", "revenue")
    list_filter = ("site", "channel", "month")
    search_fields = ("product__sku",)
    raw_id_fields = ("product",)


@admin.register(models.OpenOrder)
class OpenOrderAdmin(admin.ModelAdmin):
    list_display = ("order_number", "line", "product", "site", "requested_date", "quantity")
    list_filter = ("site", "channel")
    search_fields = ("order_number", "product__sku")
    raw_id_fields = ("product",)


@admin.register(models.InventoryOnHand)
class InventoryOnHandAdmin(admin.ModelAdmin):
    list_display = ("product", "site", "as_of_date", "quantity")
    list_filter = ("site", "as_of_date")
    search_fields = ("product__sku",)
    raw_id_fields = ("product",)


@admin.register(models.OpenReceipt)
class OpenReceiptAdmin(admin.ModelAdmin):
    list_display = (
        "order_number",
        "line",
        "receipt_type",
        "product",
        "site",
        "due_date",
        "quantity",
    )
    list_filter = ("receipt_type", "site", "transport_mode")
    search_fields = ("order_number", "product__sku")
    raw_id_fields = ("product",)


@admin.register(models.ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("data_input", "source", "file_name", "status", "row_count", "created_at")
    list_filter = ("data_input", "source", "status")
    readonly_fields = [f.name for f in models.ImportBatch._meta.fields]
    exclude = ("payload",)


# Data versions are bumped by database triggers on every write (``datainputs.versions``).
register_read_only([models.DataVersion])
