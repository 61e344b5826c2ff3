"""The demand review's first paint, built on the worker after every change of its data.

What the review page asks first for a family (``review.js``): the family rows
(``part=family``), the first page of 200 products and the family's chart, for a reader who may
edit and one who may not (only while the cycle is in its demand review: afterwards nobody may),
plus the company total rows of an unrestricted reader. Each is stored under the key the page's
request computes (``demand.grid_cache``), at the data versions the warmer reads, so the first
visitor after a forecast run, a save, an event, a carry-over or an import is served from the
cache. Sent by ``siop.warming.warm_on_commit(WARMER, cycle_id)`` from those services.
"""

from __future__ import annotations

from datainputs.services import register_after_import
from demand import grid
from demand.charts import chart_series
from demand.grid_cache import (
    chart_etag,
    company_etag,
    family_answer,
    family_part,
    grid_etag,
)
from masterdata.models import Product, ProductFamily
from siop import warming
from siop.cached_json import warm

WARMER = "demand.grid"
FIRST_PAINT = (grid.GridPage(family=True), grid.GridPage(offset=0, limit=200))
# the data the grid shows: an import of one of them changes the open cycles' answers
GRID_INPUTS = frozenset({"sales_history", "open_orders", "products", "families"})
LOCKED_STATES = ("approved", "closed")  # the open cycles are the ones people still plan in


@warming.register(WARMER)
def warm_first_paint(cycle_id: int) -> int:
    """Build every family's first-paint answers of the cycle that are not cached yet; returns
    how many were built (0 when all were, or the cycle is gone)."""
    from cycles.models import PlanningCycle

    cycle = PlanningCycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        return 0
    editors = (True, False) if cycle.state == "demand_review" else (False,)
    built = int(warm(company_etag(cycle, None, False),
                     lambda: {"rows": grid.company_rows(cycle, None, False)}))  # fmt: skip
    for family in ProductFamily.objects.order_by("code"):
        for page in FIRST_PAINT:
            for editor in editors:
                etag = grid_etag(cycle, family_part(family, page), editor=editor)
                built += warm(etag, lambda: family_answer(cycle, family, page, editor))  # noqa: B023
        ids = lambda: list(Product.objects.filter(family=family).values_list("pk", flat=True))  # noqa: B023, E731
        built += warm(chart_etag(cycle, f"family:{family.pk}"), lambda: chart_series(cycle, ids()))  # noqa: B023
    return built


@register_after_import
def after_import(data_input: str, batch_id: int) -> None:
    """Warm the open cycles once an import of data the grid shows is committed."""
    if data_input not in GRID_INPUTS:
        return
    from cycles.models import PlanningCycle

    open_cycles = PlanningCycle.objects.exclude(state__in=LOCKED_STATES)
    for cycle_id in open_cycles.values_list("pk", flat=True):
        warming.send(WARMER, cycle_id)
