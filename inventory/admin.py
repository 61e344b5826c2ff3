"""Admin: inventory runs and overrides are visible read-only (changes go through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from inventory.models import InventoryRun, PolicyOverride


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InventoryRun)
class InventoryRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "cycle", "status", "demand_source", "created_at", "finished_at"]
    list_filter = ["status"]


@admin.register(PolicyOverride)
class PolicyOverrideAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "product", "site", "service_target", "safety_stock_units",
                    "order_quantity_units", "reason", "updated_by", "updated_at"]  # fmt: skip
