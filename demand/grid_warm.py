"""The demand review's grid, built on the worker after every change of its data.

What the review page asks for a family (``review.js``): the family rows (``part=family``),
the first page of 200 products and the family's chart (the first paint), then every next page
of 200 products, for a reader who may edit and one who may not (only while the cycle is in its
demand review: afterwards nobody may), plus the company total rows of an unrestricted reader.
Each is stored under the key the page's request computes (``demand.grid_cache``), at the data
versions the warmer reads, so the first visitor after a forecast run, a save, an event, a
carry-over or an import is served from the cache. Sent by
``siop.warming.warm_on_commit(WARMER, cycle_id[, family ids])`` from those services: a save or
an event warms only the families it changed (a whole cycle at 10,000 SKUs is tens of seconds of
the worker, which the next save would redo). What is sent is one small task per family and one
for the company rows (``pieces``), so a user's run sent meanwhile waits for at most one family.
A family's piece builds its first paint, then its later pages from the same frames: the review
asks for them right after the first paint, and a page left to a piece of its own was still
queued behind every other family's first paint when the planner's browser asked for it.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

from cycles.models import PlanningCycle
from cycles.plan_build import register_after_build
from datainputs.services import register_after_import
from demand import grid
from demand.charts import chart_series
from demand.grid_cache import (
    FamilyFrames,
    chart_etag,
    company_answer,
    company_etag,
    family_answer,
    family_part,
    grid_etag,
)
from masterdata.models import ProductFamily
from siop import warming
from siop.cached_json import is_cached, warm

WARMER = "demand.grid"
COMPANY_WARMER = "demand.grid.company"  # a piece of WARMER: (cycle id)
FAMILY_WARMER = "demand.grid.family"  # a piece of WARMER: (cycle id, family id)
PAGE = 200  # review.js: the family rows and the first page, then every next page of 200
FIRST_PAINT = (grid.GridPage(family=True), grid.GridPage(offset=0, limit=PAGE))
# the data the grid shows: an import of one of them changes the open cycles' answers
GRID_INPUTS = frozenset({"sales_history", "open_orders", "products", "families"})
LOCKED_STATES = ("approved", "closed")  # the open cycles are the ones people still plan in


@warming.register(WARMER)
def warm_first_paint(cycle_id: int, *family_ids: int) -> int:
    """Build the grid answers of the cycle that are not cached yet, of every family or of
    ``family_ids`` (a save or an event: the families it changed; the others are built by
    their first visitor), and the company rows; returns how many were built (0 when all were,
    or the cycle is gone). In one call: what is sent is its ``pieces``."""
    return sum(warming.run(name, *ids) for name, ids in pieces(cycle_id, *family_ids))


@warming.register_split(WARMER)
def pieces(cycle_id: int, *family_ids: int) -> list[warming.Piece]:
    """Each family (``family_ids``, else every one) in code order, then the company rows, one
    piece each: what a visitor sees first is built first (the company rows are opt-in, and
    summed from the frames the families' pieces kept)."""
    families = ProductFamily.objects.order_by("code")
    if family_ids:
        families = families.filter(pk__in=family_ids)
    return [*((FAMILY_WARMER, (cycle_id, pk)) for pk in families.values_list("pk", flat=True)),
            (COMPANY_WARMER, (cycle_id,))]  # fmt: skip


@warming.register(COMPANY_WARMER)
def warm_company(cycle_id: int) -> int:
    """The company total rows of an unrestricted reader, if not cached yet (0 or 1 built)."""
    cycle = PlanningCycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        return 0
    return int(warm(company_etag(cycle, None, False),
                    lambda: company_answer(cycle, None, False)))  # fmt: skip


@warming.register(FAMILY_WARMER)
def warm_family(cycle_id: int, family_id: int) -> int:
    """One family's grid answers not cached yet (0 when the cycle or family is gone)."""
    cycle = PlanningCycle.objects.filter(pk=cycle_id).first()
    family = ProductFamily.objects.filter(pk=family_id).first()
    if cycle is None or family is None:
        return 0
    return _warm_family(cycle, family)


def _warm_family(cycle: PlanningCycle, family: ProductFamily) -> int:
    """The family's answers not cached yet, in the order the review asks for them (first
    paint, chart, every next page of ``PAGE`` products), built from one reading of its data.

    Every key is computed (its data versions read) before the reading, so each answer is
    at least as new as the versions its key names, as when a request builds it."""
    reading = FamilyFrames(cycle, family)  # read once, stored: a request's page slices it
    pages = [*FIRST_PAINT, *(grid.GridPage(offset=offset, limit=PAGE)
                             for offset in range(PAGE, len(reading.ids), PAGE))]  # fmt: skip
    parts: dict[str, tuple[grid.GridPage, bool] | None] = {}  # etag -> grid part, None: chart
    for page, editor in itertools.product(pages[:2], _editors(cycle)):
        parts[grid_etag(cycle, family_part(family, page), editor=editor)] = (page, editor)
    parts[chart_etag(cycle, f"family:{family.pk}")] = None
    for page, editor in itertools.product(pages[2:], _editors(cycle)):
        parts[grid_etag(cycle, family_part(family, page), editor=editor)] = (page, editor)
    missing = {etag: part for etag, part in parts.items() if not is_cached(etag)}

    def answer(part: tuple[grid.GridPage, bool] | None) -> dict[str, Any]:
        if part is None:
            return chart_series(cycle, reading.ids, reading.frames()[0])
        return family_answer(cycle, family, part[0], part[1], reading.read)

    return sum(warm(etag, functools.partial(answer, part)) for etag, part in missing.items())


def _editors(cycle: PlanningCycle) -> tuple[bool, ...]:
    """Reader kinds whose answers differ: one who may edit (only in the demand review) or not."""
    return (True, False) if cycle.state == "demand_review" else (False,)


@register_after_import
def after_import(data_input: str, batch_id: int) -> None:
    """Warm the open cycles once an import of data the grid shows is committed."""
    if data_input not in GRID_INPUTS:
        return
    open_cycles = PlanningCycle.objects.exclude(state__in=LOCKED_STATES)
    for cycle_id in open_cycles.values_list("pk", flat=True):
        warming.send(WARMER, cycle_id)


@register_after_build
def after_build(cycle_id: int) -> None:
    """Warm the frozen demand's first paint once the demand sign-off's pipeline has built the
    plan: the sign-off moved the keys (the demand phase, ``grid_cache``), and warming at the
    pipeline's end rather than at the sign-off leaves the worker to the pipeline's steps. Later
    sign-offs keep the phase, so their plan builds find every answer cached."""
    warming.warm_on_commit(WARMER, cycle_id)
