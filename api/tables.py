"""Every table the API syncs, described once from its import spec.

The read serializer, the filters and the upsert request schema are all derived from the same
``ImportSpec`` the browser upload uses, so what an ERP reads back has exactly the columns it
pushes (natural keys, never database ids) and the round trip is lossless.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import django_filters
from django.db import models
from rest_framework import serializers

from datainputs.importers import SPECS, ImportSpec
from datainputs.importers.master_specs import MASTER_SPECS
from datainputs.importers.specs import Column
from datainputs.importers.validation import FK_MODELS

FK_KEYS = {
    "product": "sku",
    "site": "code",
    "channel": "code",
    "supplier": "code",
    "resource": "code",
    "family": "code",
}
# ORM path to the product family, for family-scoped planners.
FAMILY_PATHS = {"products": "family", "families": "id"}


def _fk_key(kind: str) -> str:
    """The natural key of a foreign-key kind (a stage's registered kinds included)."""
    return FK_KEYS.get(kind) or str(FK_MODELS[kind][1])


@dataclass(frozen=True)
class Table:
    name: str
    spec: ImportSpec
    serializer: type[serializers.Serializer]
    upsert_row: type[serializers.Serializer]
    filterset: type[django_filters.FilterSet]
    select_related: tuple[str, ...]
    family_path: str | None
    is_master: bool

    @property
    def model(self) -> type[models.Model]:
        return self.spec.model

    @property
    def url_name(self) -> str:
        return self.name.replace("_", "-")


class UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    """ISO 8601 in any offset, compared in UTC (PostgreSQL refuses offsets past +-15:59)."""

    def clean(self, value: Any) -> Any:
        parsed = super().clean(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            from django.core.exceptions import ValidationError

            raise ValidationError("Date and time out of range.") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class MonthField(serializers.DateField):
    def to_representation(self, value: Any) -> Any:
        return value.strftime("%Y-%m") if isinstance(value, dt.date) else None


def _source(spec: ImportSpec, column: Column) -> str:
    if column.kind != "fk":
        return column.field
    if column.field in spec.input_only_fields:
        return f"supply_term.{column.field}.{_fk_key(column.fk)}"
    return f"{column.field}.{_fk_key(column.fk)}"


def _read_field(spec: ImportSpec, column: Column) -> serializers.Field:
    common: dict[str, Any] = {"read_only": True}
    if _source(spec, column) != column.name:
        common["source"] = _source(spec, column)
    if column.help:
        common["help_text"] = column.help
    if column.kind == "fk":
        return serializers.CharField(allow_null=not column.required, **common)
    if column.kind == "month":
        return MonthField(**common)
    if column.kind == "date":
        return serializers.DateField(allow_null=not column.required, **common)
    if column.kind == "int":
        return serializers.IntegerField(**common)
    if column.kind == "bool":
        return serializers.BooleanField(**common)
    if column.kind == "decimal":
        field: Any = spec.model._meta.get_field(column.field)
        return serializers.DecimalField(
            max_digits=field.max_digits,
            decimal_places=field.decimal_places,
            allow_null=not column.required,
            **common,
        )
    return serializers.CharField(**common)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _read_serializer(spec: ImportSpec) -> type[serializers.Serializer]:
    fields: dict[str, Any] = {"id": serializers.IntegerField(read_only=True)}
    fields.update({c.name: _read_field(spec, c) for c in spec.columns})
    fields["updated_at"] = serializers.DateTimeField(read_only=True)
    return type(f"{_camel(spec.name)}Row", (serializers.Serializer,), fields)


def _upsert_row(spec: ImportSpec) -> type[serializers.Serializer]:
    fields = {
        c.name: serializers.CharField(
            required=c.required,
            allow_blank=not c.required,
            help_text=c.help or f"{c.kind}{' (optional)' if not c.required else ''}",
        )
        for c in spec.columns
    }
    return type(f"{_camel(spec.name)}UpsertRow", (serializers.Serializer,), fields)


def _filterset(spec: ImportSpec) -> type[django_filters.FilterSet]:
    attrs: dict[str, Any] = {
        "updated_since": UtcDateTimeFilter(
            field_name="updated_at",
            lookup_expr="gte",
            label="Only rows changed at or after this ISO 8601 time (incremental sync).",
        )
    }
    for column in spec.columns:
        path = _source(spec, column).replace(".", "__")
        if column.kind in {"fk", "str", "choice"}:
            attrs[column.name] = django_filters.CharFilter(field_name=path)
        elif column.kind in {"month", "date"}:
            attrs[f"{column.name}_from"] = django_filters.DateFilter(
                field_name=path, lookup_expr="gte"
            )
            attrs[f"{column.name}_to"] = django_filters.DateFilter(
                field_name=path, lookup_expr="lte"
            )
    meta = type("Meta", (), {"model": spec.model, "fields": []})
    attrs["Meta"] = meta
    return type(f"{_camel(spec.name)}Filter", (django_filters.FilterSet,), attrs)


def _select_related(spec: ImportSpec) -> tuple[str, ...]:
    paths = {
        _source(spec, c).rsplit(".", 1)[0].replace(".", "__")
        for c in spec.columns
        if c.kind == "fk"
    }
    return tuple(sorted(paths))


def _family_path(name: str, spec: ImportSpec) -> str | None:
    if name in FAMILY_PATHS:
        return FAMILY_PATHS[name]
    if any(c.fk == "product" and c.field == "product" for c in spec.columns):
        if spec.input_only_fields:
            return "supply_term__product__family"
        return "product__family"
    return None


def _table(spec: ImportSpec, is_master: bool) -> Table:
    return Table(
        name=spec.name,
        spec=spec,
        serializer=_read_serializer(spec),
        upsert_row=_upsert_row(spec),
        filterset=_filterset(spec),
        select_related=_select_related(spec),
        family_path=_family_path(spec.name, spec),
        is_master=is_master,
    )


TABLES: dict[str, Table] = {
    **{name: _table(spec, True) for name, spec in MASTER_SPECS.items()},
    **{name: _table(spec, False) for name, spec in SPECS.items()},
}
