"""Cached, conditional answers of the demand grid's JSON and chart (one family, part or page).

An answer is keyed by everything it is computed from: the cycle (id, month, horizon, and its
demand phase, live or frozen: ``cycles.plan_build.demand_phase``, so a later stage's sign-off
does not move the key), whether the reader may edit it (a family's grid), the family set the
reader sees (only the company rows: a family's rows and chart are the same for everyone who may
open that family), the request's part or page, and the data versions of every table the grid reads
(``datainputs.versions``: the demand plan - forecasts, the current-forecast pointer, overrides,
events -, sales history, open orders, products, families, and for the chart the frozen
snapshots). The database bumps a version on every write by any writer, so any change of a plan
number (a save, a forecast run, an event, a carry-over, an import) gives a new key: a cached
answer is never served after it changed. The key doubles as the ETag, so a browser
revalidating with ``If-None-Match`` gets a 304 without any grid work (``siop.cached_json``).

The versions are read before the answer is built, so an answer stored under a key is never
older than the data that key names. ``demand.grid_warm`` builds the answers of each family's
first paint under the same keys after every change, on the worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse

from accounts.selectors import user_family_ids
from cycles.models import PlanningCycle
from cycles.plan_build import demand_phase
from datainputs import versions as data_version
from demand import grid
from demand.charts import chart_series
from demand.selectors import history_months
from masterdata.models import ProductFamily
from siop.cached_json import CACHE_ALIAS, cached_json_response, etag_of

GRID_SOURCES = ("demand_plan", "sales_history", "open_orders", "products", "families")
CHART_SOURCES = (*GRID_SOURCES, "demand_snapshots")
EVERY_FAMILY = "every family"  # the key's scope part for answers that do not depend on it
FRAMES_SECONDS = 3600  # a family's frames serve its pages, read within minutes of its rows


def grid_etag(
    cycle: PlanningCycle, part: str, *, editor: bool = False, scope: Any = EVERY_FAMILY,
    sources: tuple[str, ...] = GRID_SOURCES,
) -> str:  # fmt: skip
    """A strong ETag naming the answer ``part`` (the request's family and page) for a reader
    who may edit it or not, within ``scope`` (sorted family ids; company rows only), at the
    current data versions."""
    current = data_version.current()
    key = [
        cycle.pk, str(cycle.month), cycle.horizon_months, demand_phase(cycle), editor, scope, part,
        [current.get(name, 0) for name in sources],
    ]  # fmt: skip
    return etag_of(key)


def family_part(family: ProductFamily, page: grid.GridPage | None) -> str:
    return f"family:{family.pk}:{page!r}"


def family_answer(
    cycle: PlanningCycle, family: ProductFamily, page: grid.GridPage | None, editor: bool,
    read: grid.Reader | None = None,
) -> dict[str, Any]:  # fmt: skip
    """``{"columns", "rows", "product_count"}`` of the family's grid part (see ``grid_data``)."""
    data = grid.grid_data(cycle, family, None, page, editor=editor, read=read)
    return {"columns": data.columns(), "rows": data.rows, "product_count": data.product_count}


def family_response(
    request: HttpRequest, cycle: PlanningCycle, family: ProductFamily, page: grid.GridPage | None
) -> HttpResponse:
    """A family's grid part (family rows, a page of products, or every row) for this reader."""
    editor = grid.may_edit(cycle, request.user)
    etag = grid_etag(cycle, family_part(family, page), editor=editor)
    read = FamilyFrames(cycle, family).read
    return cached_json_response(
        request, etag, lambda: family_answer(cycle, family, page, editor, read)
    )


class FamilyFrames:
    """One family's grid frames (units, every product) read once per data version and shared,
    through the versioned cache, by its rows, its pages, its chart and the warmer.

    The family rows read the whole family anyway (their totals are over it) and store what they
    read; a page of 200 products is then a slice of it (a few milliseconds instead of its own
    reading), while a page asked before any of them reads only its own products. Any subset's
    rows are computed alike from the family's frames: a unit event on a family is spread over
    the whole family either way. The key names the data versions read before the reading (as
    an answer's), so frames are never used after the data changed; they are an intermediate,
    kept ``FRAMES_SECONDS``.
    """

    def __init__(self, cycle: PlanningCycle, family: ProductFamily) -> None:
        self.cycle, self.family = cycle, family
        self.first = history_months(cycle, grid.HISTORY_COLUMNS)[0]
        self.key = "frames-" + grid_etag(cycle, f"frames:{family.pk}:{self.first}")
        self.ids = grid.family_ids(family)
        self._frames: grid.Frames | None = None

    def frames(self) -> grid.Frames:
        """The family's frames in units: held, cached, or read now and stored."""
        frames = self.held()
        if frames is None:
            frames = self._frames = grid.read_frames(self.cycle, self.ids, self.first)
            caches[CACHE_ALIAS].set(self.key, frames, FRAMES_SECONDS)
        return frames

    def held(self) -> grid.Frames | None:
        """The family's frames if this object or the cache holds them (nothing is read)."""
        if self._frames is None:
            self._frames = caches[CACHE_ALIAS].get(self.key)
        return self._frames

    def read(
        self, cycle: PlanningCycle, ids: list[int], first: dt.date, value: bool
    ) -> grid.Frames:
        """A ``grid.Reader``: these products' frames, sliced from the family's when they are
        held (always for the whole family), else read on their own."""
        wanted, family = set(ids), set(self.ids)
        mine = cycle.pk == self.cycle.pk and first == self.first and wanted <= family
        whole = mine and wanted == family
        held = self.frames() if whole else self.held() if mine else None
        if held is None:
            return grid.read_frames(cycle, ids, first, value)
        frames = held if whole else tuple(f[f["product_id"].isin(wanted)] for f in held)
        return grid.in_money(frames, ids) if value else frames  # type: ignore[arg-type]


def company_etag(cycle: PlanningCycle, scope: set[int] | None, value: bool) -> str:
    return grid_etag(cycle, f"company:{value}", scope=sorted(scope or []))


def company_response(request: HttpRequest, cycle: PlanningCycle, value: bool) -> HttpResponse:
    """The company total rows over the families this reader sees (read-only for everyone)."""
    etag = company_etag(cycle, user_family_ids(request.user), value)
    return cached_json_response(
        request, etag, lambda: {"rows": grid.company_rows(cycle, request.user, value)}
    )


def chart_etag(cycle: PlanningCycle, part: str) -> str:
    # the previous cycle's frozen consensus is drawn too
    return grid_etag(cycle, f"chart:{part}:{cycle.previous_id}", sources=CHART_SOURCES)


def chart_response(
    request: HttpRequest, cycle: PlanningCycle, part: str, product_ids: Callable[[], list[int]]
) -> HttpResponse:
    """The chart series of ``part`` (``family:<id>``, or ``product:<id>`` when the reader may
    see it, else ``none``) over ``product_ids()``, read only when the answer is built."""
    return cached_json_response(
        request, chart_etag(cycle, part), lambda: chart_series(cycle, product_ids())
    )
