"""Filters for the audit log list (search by record, filter by cycle, table, source, reason)."""

from __future__ import annotations

import django_filters

from cycles.models import AuditEntry
from masterdata.filters import SearchFilterSet


class AuditEntryFilter(SearchFilterSet):
    search_fields = ("record_key", "comment", "user__username")
    since = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label="From"
    )

    class Meta:
        model = AuditEntry
        fields = ["cycle", "table", "source", "reason"]
