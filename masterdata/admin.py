from django.contrib import admin

from masterdata import models


class SupplyTermModeInline(admin.TabularInline):
    model = models.SupplyTermMode
    extra = 0


@admin.register(models.ProductFamily)
class ProductFamilyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "updated_at")
    search_fields = ("code", "name")


@admin.register(models.Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "family", "lifecycle", "unit_cost", "unit_price")
    list_filter = ("family", "lifecycle", "category")
    search_fields = ("sku", "name")
    raw_id_fields = ("like_product",)


@admin.register(models.Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(models.Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "service_priority")
    search_fields = ("code", "name")


@admin.register(models.Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "country", "capacity_units_per_month")
    search_fields = ("code", "name")


@admin.register(models.Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "site", "kind", "capacity_hours_per_month")
    list_filter = ("site", "kind")
    search_fields = ("code", "name")


@admin.register(models.ResourceCapacity)
class ResourceCapacityAdmin(admin.ModelAdmin):
    list_display = ("resource", "month", "capacity_hours")
    list_filter = ("resource",)


@admin.register(models.ResourceLoad)
class ResourceLoadAdmin(admin.ModelAdmin):
    list_display = ("resource", "product", "hours_per_unit")
    list_filter = ("resource",)
    raw_id_fields = ("product",)


@admin.register(models.SupplyTerm)
class SupplyTermAdmin(admin.ModelAdmin):
    list_display = ("product", "site", "source_type", "resource", "supplier", "lead_time_days")
    list_filter = ("source_type", "site", "supplier", "resource")
    search_fields = ("product__sku",)
    raw_id_fields = ("product",)
    inlines = (SupplyTermModeInline,)


@admin.register(models.SupplyTermMode)
class SupplyTermModeAdmin(admin.ModelAdmin):
    list_display = ("supply_term", "mode", "lead_time_days", "cost_per_unit")
    list_filter = ("mode",)
    search_fields = ("supply_term__product__sku",)
    raw_id_fields = ("supply_term",)
