"""Read-only Django admin for calculated plan tables.

Plan numbers change only through the stage services, which guard approved cycles, detect
concurrent edits and write the audit trail; the admin therefore shows these tables but never
edits them. `register_read_only` derives a usable changelist from each model's fields so every
stage app gets admin pages without hand-written boilerplate per table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

MAX_LIST_COLUMNS = 8


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False  # the exact count of large result tables is a second slow scan

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _list_columns(model: type[models.Model]) -> list[str]:
    fields = [
        f.name
        for f in model._meta.concrete_fields
        if not isinstance(f, models.TextField | models.JSONField)
    ]
    return fields[:MAX_LIST_COLUMNS]


def register_read_only(model_classes: Iterable[type[models.Model]]) -> None:
    """Register each model (unless already registered) with a derived read-only changelist."""
    for model in model_classes:
        if admin.site.is_registered(model):
            continue
        columns = _list_columns(model)
        relations = [
            f.name for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)
        ]
        choice_filters = [
            f.name for f in model._meta.concrete_fields if f.choices and f.name in columns
        ]
        options = {
            "list_display": columns,
            "list_select_related": relations,
            "list_filter": choice_filters,
        }
        admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyAdmin,), options))
