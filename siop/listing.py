"""One generic, role-checked, family-scoped, filtered and paginated table page.

Master and transaction lists differ only in columns and filters, so each is a few declarative
lines (``columns``, ``filterset_class``) rather than a template of its own.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django_filters.views import FilterView

from accounts.mixins import RoleRequiredMixin
from accounts.selectors import scope_to_families


class TableListView(RoleRequiredMixin, FilterView):
    template_name = "listing.html"
    paginate_by = 50
    title = ""
    columns: list[tuple[str, str]] = []  # (heading, dotted attribute path)
    family_path: str | None = None  # ORM path to the family id for planner scoping
    upload_name: str | None = None

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        if self.family_path:
            queryset = scope_to_families(queryset, self.request.user, self.family_path)
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = [
            [_cell(_resolve(obj, path)) for _, path in self.columns]
            for obj in context["object_list"]
        ]
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            title=self.title,
            headings=[heading for heading, _ in self.columns],
            rows=rows,
            querystring=query.urlencode(),
            upload_name=self.upload_name,
        )
        return context


def _cell(value: Any) -> dict[str, Any]:
    """A table cell; numbers are flagged so the template right-aligns them."""
    is_number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    return {"value": value, "num": is_number}


def _resolve(obj: Any, path: str) -> Any:
    value = obj
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return ""
        if callable(value):
            value = value()
    return value
