"""``any_of(field, ids)``: a filter on many ids as one array parameter (``field = ANY(%s)``).

Django's ``__in`` sends one placeholder per id: a family's 1,000 product ids cost the ORM a
prepared value each, and PostgreSQL plans an IN list of 1,000 constants as a hash join over
the whole table (a run's 180,000 forecast rows read to keep 18,000). ``= ANY(array)`` is one
parameter and an index condition, so the rows are read through the (product, ...) keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import F, Lookup


class AnyOf(Lookup):  # type: ignore[type-arg]
    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:  # nothing can match (the ORM then answers without asking)
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*lhs_params, values)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", (*lhs_params, *values)


def any_of(field: str, ids: Iterable[Any]) -> AnyOf:
    """A ``filter()`` argument: ``field`` is one of ``ids`` (integers: numpy ones converted)."""
    return AnyOf(F(field), sorted({int(pk) for pk in ids}))
