"""One generic, role-checked, family-scoped, filtered and paginated table page.

Master and transaction lists differ only in columns and filters, so each is a few declarative
lines (``columns``, ``filterset_class``) rather than a template of its own. Pages are keyset pages
(``siop.keyset``): the last page of a million rows costs what the first does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet
from django_filters.views import FilterView

from accounts.mixins import RoleRequiredMixin
from accounts.scoping import scope_filter_choices, scoped
from siop.keyset import keyset_page


class TableListView(RoleRequiredMixin, FilterView):
    template_name = "listing.html"
    page_size = 50
    title = ""
    columns: list[tuple[str, str]] = []  # (heading, dotted attribute path)
    family_path: str | None = None  # kept for readers; scoping derives it (accounts.scoping)
    sku_key_field: str | None = None  # a text column starting with a SKU (the audit log)
    upload_name: str | None = None
    # Counting every row of a long table is a scan per page view (1.2 M sales-history rows at
    # 10,000 SKUs): the count stops here and the page says "more than".
    count_cap = 10_000

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        related = _related_paths(queryset.model, self.columns)
        if related:
            # One query per page, not one per row and column.
            queryset = queryset.select_related(*related)
        return scoped(queryset, self.request.user, sku_key_field=self.sku_key_field)

    def get_filterset(self, filterset_class: Any) -> Any:
        filterset = super().get_filterset(filterset_class)
        scope_filter_choices(filterset, self.request.user)
        return filterset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = keyset_page(
            context["object_list"],
            self.request.GET.get("cursor"),
            self.request.GET.get("page", "first"),
            self.page_size,
        )
        rows = [[_cell(_resolve(obj, path)) for _, path in self.columns] for obj in page.rows]
        # LIMIT inside COUNT, without the page's ordering and joins (else every row is sorted)
        unordered = context["object_list"].order_by().select_related(None)
        counted = unordered[: self.count_cap + 1].count()
        query = self.request.GET.copy()
        for name in ("page", "cursor"):
            query.pop(name, None)
        context.update(
            keyset=page,
            row_count=min(counted, self.count_cap),
            more_rows=counted > self.count_cap,
            title=self.title,
            headings=[heading for heading, _ in self.columns],
            rows=rows,
            querystring=query.urlencode(),
            upload_name=self.upload_name,
        )
        return context


def _related_paths(model: type[Model], columns: list[tuple[str, str]]) -> list[str]:
    """The forward foreign keys a column path walks through (``product.sku`` -> ``product``)."""
    paths: set[str] = set()
    for _, path in columns:
        parts, current, walked = path.split("."), model, []
        for part in parts:
            try:
                field = current._meta.get_field(part)
            except FieldDoesNotExist:
                break
            if not (field.many_to_one or field.one_to_one) or field.related_model is None:
                break
            walked.append(part)
            current = field.related_model  # type: ignore[assignment]
        if walked:
            paths.add("__".join(walked))
    return sorted(paths)


def _cell(value: Any) -> dict[str, Any]:
    """A table cell; numbers are flagged so the template right-aligns them, and negative ones
    (on-hand stock an ERP booked below zero) so they stand out."""
    is_number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    return {"value": value, "num": is_number, "negative": is_number and value < 0}


def _resolve(obj: Any, path: str) -> Any:
    value = obj
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return ""
        if callable(value):
            value = value()
    return value
