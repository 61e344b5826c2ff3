"""Product-family scoping for every read path, decided in one place.

A user whose profile lists families (a planner limited to Beverages and Snacks) reads only those
families' products and everything hanging off them, on every page, export and API endpoint.
The rule is derived from the data model, so a new table is scoped the day it is added:

- ``ProductFamily`` rows by ``id``; any model with a ``family`` foreign key by ``family_id``; any
  model with a ``product`` foreign key by ``product__family_id``;
- rows keyed by text that starts with a SKU (the audit log's ``record_key``: ``SKU:2026-12``,
  ``SKU@DC1``...) by that SKU;
- exported records (dicts with a ``sku``) by their SKU.

Unrestricted users (no families on their profile) see everything; the functions then return
their input unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import models
from django.db.models import Exists, ExpressionWrapper, OuterRef, QuerySet, Value
from django.db.models.functions import Concat
from django.http import Http404

from accounts.selectors import scope_to_families, user_family_ids
from masterdata.models import Product, ProductFamily

RecordT = TypeVar("RecordT", bound=Mapping[str, Any])
# What follows the SKU in a text key: demand "SKU:2026-12", inventory/supply "SKU@DC1 ...".
SKU_KEY_SEPARATORS = (":", "@", " ", "/")


def family_path(model: type[models.Model], depth: int = 2) -> str | None:
    """The ORM path from ``model`` to its product family id, or None when it has none.

    Direct ``family``/``product`` keys first, then one hop further (a supply term mode belongs
    to its supply term's product: ``supply_term__product__family_id``).
    """
    if issubclass(model, ProductFamily):
        return "id"
    keys = [f for f in model._meta.get_fields() if f.is_relation and f.many_to_one]
    for name, target, path in (
        ("family", ProductFamily, "family_id"),
        ("product", Product, "product__family_id"),
    ):
        if any(f.name == name and f.related_model is target for f in keys):
            return path
    if depth > 1:
        for key in keys:
            related = key.related_model
            if isinstance(related, type) and related is not model:
                inner = family_path(related, depth - 1)
                if inner is not None and inner != "id":
                    return f"{key.name}__{inner}"
    return None


def scoped(
    queryset: QuerySet[Any], user: Any, *, sku_key_field: str | None = None
) -> QuerySet[Any]:
    """``queryset`` limited to ``user``'s families (unchanged for unrestricted users).

    ``sku_key_field``: a text field that starts with a SKU (the audit log's ``record_key``); rows
    naming a product outside the user's families are dropped, rows naming no product are kept.
    """
    families = user_family_ids(user)
    if families is None:
        return queryset
    path = family_path(queryset.model)
    if path is not None:
        queryset = scope_to_families(queryset, user, path)
    if sku_key_field is not None:
        queryset = queryset.exclude(_names_foreign_sku(sku_key_field, families))
    return queryset


def _names_foreign_sku(field: str, families: set[int]) -> Exists:
    outer = ExpressionWrapper(OuterRef(field), output_field=models.CharField())
    foreign = Product.objects.exclude(family_id__in=families).annotate(key=outer)
    starts = models.Q(key=models.F("sku"))
    for separator in SKU_KEY_SEPARATORS:
        starts |= models.Q(key__startswith=Concat(models.F("sku"), Value(separator)))
    return Exists(foreign.filter(starts))


def visible_or_404(queryset: QuerySet[Any], user: Any, **lookup: Any) -> Any:
    """The one object ``lookup`` names if ``user`` may read it; 404 otherwise (not 403, so a
    scoped user cannot probe which ids exist in other families)."""
    found = scoped(queryset, user).filter(**lookup).first()
    if found is None:
        raise Http404("No such record in your product families.")
    return found


def scope_records(records: Iterable[RecordT], user: Any, key: str = "sku") -> list[RecordT]:
    """Exported rows (dicts naming a SKU under ``key``) limited to the user's families.

    Rows without a SKU (cycle-level totals) are kept only for unrestricted users.
    """
    rows = list(records)
    families = user_family_ids(user)
    if families is None:
        return rows
    skus = set(Product.objects.filter(family_id__in=families).values_list("sku", flat=True))
    return [row for row in rows if row.get(key) in skus]


def scope_filter_choices(filterset: Any, user: Any) -> None:
    """Limit a filter form's product/family drop-downs to the user's families (a drop-down of
    every family would list the names of families the user may not read)."""
    for item in filterset.filters.values():
        queryset = getattr(item, "queryset", None)
        if isinstance(queryset, QuerySet) and family_path(queryset.model) is not None:
            item.queryset = scoped(queryset, user)
    form = getattr(filterset, "_form", None)
    if form is not None:
        for name, field in form.fields.items():
            queryset = getattr(field, "queryset", None)
            if isinstance(queryset, QuerySet) and family_path(queryset.model) is not None:
                form.fields[name].queryset = scoped(queryset, user)
