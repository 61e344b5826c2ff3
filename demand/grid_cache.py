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
import functools
from collections.abc import Callable
from typing import Any

import pandas as pd
from django.contrib.auth.models import AnonymousUser, User
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
from siop.cached_json import (
    CACHE_ALIAS,
    built_once,
    cached_json_response,
    etag_of,
    is_building,
)

GRID_SOURCES = ("demand_plan", "sales_history", "open_orders", "products", "families")
CHART_SOURCES = (*GRID_SOURCES, "demand_snapshots")
EVERY_FAMILY = "every family"  # the key's scope part for answers that do not depend on it
FRAMES_SECONDS = 3600  # a family's frames serve its pages, read within minutes of its rows
# ``FamilyFrames``: each of the grid's frames (``grid.frame_readers``) and what it is read from
FRAME_SOURCES = {
    "consensus": ("demand_plan", "products", "families"),
    "actuals": ("sales_history", "products", "families"),
    "backlog": ("open_orders", "products", "families"),
}


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
    frames = FamilyFrames(cycle, family)

    def worth_waiting() -> bool:  # a page sliced from the family's held frames is cheap
        return page is None or page.family or frames.held() is None

    return cached_json_response(
        request, etag, lambda: family_answer(cycle, family, page, editor, frames.read),
        worth_waiting,
    )  # fmt: skip


def saved_cells(
    cycle: PlanningCycle, user: User | AnonymousUser,
    cells: list[tuple[int | None, int | None, dt.date]],
) -> list[dict[str, Any]]:  # fmt: skip
    """``grid.saved_cells`` from each family's frames at the saved data's versions: read now
    and kept, so the grid's reload after the save (its rows and pages) reads nothing again."""
    return grid.saved_cells(cycle, user, cells, lambda family: FamilyFrames(cycle, family).read)


class FamilyFrames:
    """One family's grid frames (units, every product) read once per data version and shared,
    through the versioned cache, by its rows, its pages, its chart and the warmer.

    The family rows read the whole family anyway (their totals are over it) and store what they
    read; a page of 200 products is then a slice of it (a few milliseconds instead of its own
    reading), while a page asked before any of them reads only its own products. Any subset's
    rows are computed alike from the family's frames: a unit event on a family is spread over
    the whole family either way. Each frame is kept under a key naming the versions of the data
    it is read from (``FRAME_SOURCES``), read before the reading as an answer's key is, so a
    frame is never used after its data changed, and a save or a forecast run reads the
    consensus again but not the sales history. Frames are an intermediate, kept
    ``FRAMES_SECONDS``; one process reads a frame while the others wait (``built_once``).
    """

    def __init__(self, cycle: PlanningCycle, family: ProductFamily) -> None:
        self.cycle, self.family = cycle, family
        self._frames: grid.Frames | None = None

    # read when first used: a request answered from the cache needs none of them
    @functools.cached_property
    def first(self) -> dt.date:
        return history_months(self.cycle, grid.HISTORY_COLUMNS)[0]

    @functools.cached_property
    def ids(self) -> list[int]:
        return grid.family_ids(self.family)

    @functools.cached_property
    def keys(self) -> dict[str, str]:
        """Each frame's cache key, naming the versions of the data it is read from."""
        return {
            name: "frames-" + grid_etag(self.cycle, f"frames:{name}:{self.family.pk}:{self.first}",
                                        sources=sources)
            for name, sources in FRAME_SOURCES.items()
        }  # fmt: skip

    def frames(self) -> grid.Frames:
        """The family's frames in units: held, cached, or read now and stored (each frame by
        itself: a save or a forecast run reads the consensus again, not the sales history)."""
        if self._frames is None:
            readers = grid.frame_readers(self.cycle, self.ids, self.first)
            self._frames = tuple(  # type: ignore[assignment]
                built_once(self.keys[name], read, FRAMES_SECONDS)[0]
                for name, read in readers.items()
            )
        return self._frames  # type: ignore[return-value]

    def held(self) -> grid.Frames | None:
        """The family's frames if this object or the cache holds them all (nothing is read)."""
        if self._frames is None:
            cached = caches[CACHE_ALIAS].get_many(list(self.keys.values()))
            if len(cached) == len(self.keys):
                self._frames = tuple(cached[self.keys[name]] for name in FRAME_SOURCES)  # type: ignore[assignment]
        return self._frames

    def read(
        self, cycle: PlanningCycle, ids: list[int], first: dt.date, value: bool
    ) -> grid.Frames:
        """A ``grid.Reader``: these products' frames, sliced from the family's when they are
        held or being read (always for the whole family), else read on their own."""
        wanted, family = set(ids), set(self.ids)
        if cycle.pk != self.cycle.pk or first != self.first or not wanted <= family:
            return grid.read_frames(cycle, ids, first, value)  # not this family's frames
        whole = wanted == family
        # The whole family is read and kept; a page takes what is kept, else waits for a
        # reading under way, else reads only its own products (cheaper than the family's).
        if whole:
            held: grid.Frames | None = self.frames()
        else:
            held = self.held() or (self.frames() if is_building(self.keys["consensus"]) else None)
        if held is None:
            return grid.read_frames(cycle, ids, first, value)
        frames = held if whole else tuple(f[f["product_id"].isin(wanted)] for f in held)
        return grid.in_money(frames, ids) if value else frames  # type: ignore[arg-type]


def company_etag(cycle: PlanningCycle, scope: set[int] | None, value: bool) -> str:
    return grid_etag(cycle, f"company:{value}", scope=sorted(scope or []))


def company_answer(
    cycle: PlanningCycle, user: User | AnonymousUser | None, value: bool
) -> dict[str, Any]:
    """``{"rows"}``: the company total rows over the families ``user`` sees (None: every one),
    summed from each family's frames (``FamilyFrames``: read, or kept by its first paint)."""
    families = list(grid.visible_families(user))

    def read(cycle: PlanningCycle, ids: list[int], first: dt.date, value: bool) -> grid.Frames:
        parts = [FamilyFrames(cycle, family).frames() for family in families]
        if not parts or first != history_months(cycle, grid.HISTORY_COLUMNS)[0]:
            return grid.read_frames(cycle, ids, first, value)
        frames = tuple(pd.concat([p[i] for p in parts], ignore_index=True) for i in range(3))
        return grid.in_money(frames, ids) if value else frames  # type: ignore[arg-type]

    return {"rows": grid.company_rows(cycle, user, value, read)}


def company_response(request: HttpRequest, cycle: PlanningCycle, value: bool) -> HttpResponse:
    """The company total rows over the families this reader sees (read-only for everyone)."""
    etag = company_etag(cycle, user_family_ids(request.user), value)
    return cached_json_response(request, etag, lambda: company_answer(cycle, request.user, value))


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
