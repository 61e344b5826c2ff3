"""Cached, conditional answers of the demand grid's JSON (one family, one part or page).

An answer is keyed by everything it is computed from: the cycle (id, month, horizon, state),
whether the user may edit it, the family set the user sees (company rows), the request's part
or page, and the data versions of every table the grid reads (``datainputs.versions``: the
demand plan - forecasts, the current-forecast pointer, overrides, events -, sales history, open
orders, products and families). The database bumps a version on every write by any writer,
so any change of a plan number (a save, a forecast run, an event, a carry-over, an import)
gives a new key: a cached answer is never served after it changed. The key doubles as the
ETag, so a browser revalidating with ``If-None-Match`` gets a 304 without any grid work
(``siop.cached_json``).

The versions are read before the grid, so an answer stored under a key is never older than
the data that key names. Answers are the gzip-compressed JSON bytes, kept in the ``versioned``
cache (per process, bounded; ``settings.CACHES``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from accounts.selectors import user_family_ids
from cycles.models import PlanningCycle
from datainputs import versions as data_version
from demand.grid import may_edit
from siop.cached_json import cached_json_response, etag_of

GRID_SOURCES = ("demand_plan", "sales_history", "open_orders", "products", "families")


def grid_etag(cycle: PlanningCycle, user: Any, part: str) -> str:
    """A strong ETag naming the grid answer ``part`` (the request's family and page) for this
    user's edit right and family scope, at the current data versions."""
    current = data_version.current()
    scope = sorted(user_family_ids(user) or [])
    key = [
        cycle.pk, str(cycle.month), cycle.horizon_months, cycle.state, may_edit(cycle, user),
        scope, part, [current.get(name, 0) for name in GRID_SOURCES],
    ]  # fmt: skip
    return etag_of(key)


def grid_response(
    request: HttpRequest, cycle: PlanningCycle, part: str, build: Callable[[], dict[str, Any]]
) -> HttpResponse:
    """304 when the client holds this answer, else the cached JSON, else ``build()`` stored."""
    return cached_json_response(request, grid_etag(cycle, request.user, part), build)
