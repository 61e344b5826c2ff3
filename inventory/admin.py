"""Admin: inventory runs and overrides are visible read-only (changes go through the services)."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin

from cycles.run_admin import RunAdmin
from inventory.models import InventoryRun, PolicyOverride
from siop.admin_readonly import ReadOnlyAdmin, register_read_only


@admin.register(InventoryRun)
class InventoryRunAdmin(RunAdmin):
    list_display = ["id", "cycle", "status", "demand_source", "attempts", "heartbeat_at",
                    "created_at", "finished_at"]  # fmt: skip


@admin.register(PolicyOverride)
class PolicyOverrideAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "product", "site", "service_target", "safety_stock_units",
                    "order_quantity_units", "reason", "updated_by", "updated_at"]  # fmt: skip


register_read_only(apps.get_app_config("inventory").get_models())
