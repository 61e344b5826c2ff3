"""The supply review's costly parts, built on the worker once a plan is built.

The review's first view of a new supply plan ranks and counts the run's shortages (47,000 rows
at 10,000 SKUs), renders the first page of gaps and sums the load chart and the shortage totals:
a few hundred milliseconds that its first visitor would wait for. Each is kept per succeeded run
(``supply.selectors.finished_run_cached``), so the warmer builds them for an unrestricted reader
as soon as a supply run has succeeded (``supply.planning``; ``siop.warming``: at the lowest
priority, after the user's runs), while the pipeline's inventory projection and roll-up still
run: the review opens once the plan is built. A planner limited to some families still builds
their own scope's page on their first view.
"""

from __future__ import annotations

from cycles.models import PlanningCycle
from siop import warming
from supply import gaps, selectors

WARMER = "supply.review"


@warming.register(WARMER)
def warm_review(cycle_id: int) -> int:
    """The latest succeeded plan's first page of gaps, load chart and shortage totals for an
    unrestricted reader (cached ones are read, not rebuilt); returns 1, or 0 with no plan."""
    cycle = PlanningCycle.objects.filter(pk=cycle_id).first()
    run = selectors.latest_succeeded_run(cycle) if cycle is not None else None
    if cycle is None or run is None:
        return 0
    gaps.gaps_fragment(cycle, run, None, 0)
    selectors.load_chart(run)
    selectors.shortage_totals(run)
    return 1
