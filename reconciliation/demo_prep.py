"""Demo seeding: the reconciliation's baseline, a budget a few percent off it, a recommendation.

Before finance signs off a demo cycle: calculate the baseline scenario, give the company a budget
for the horizon's years (if it has none) through the budget import, deliberately off the plan in
some families (`BUDGET_OFFSETS`), and recommend the baseline. A failed calculation stops the walk
with its message (`TransitionError`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cycles.models import PlanningCycle
from cycles.runs import RunStatus
from cycles.services import TransitionError
from datainputs.importers import validate_rows, write_rows
from demo.hooks import register_stage_prep
from reconciliation import selectors, services
from reconciliation.budget import BUDGET_LINES, budget_version_create
from reconciliation.models import BudgetVersion, ScenarioRun

# Budget / plan per family, cycling through the families in code order: some on plan, some
# a few percent above (the budget was more ambitious), some below.
BUDGET_OFFSETS = (1.0, 1.04, 0.97, 1.0, 1.06, 0.95)


def demo_budget(run: ScenarioRun, user: Any) -> int:
    """Import budget lines for the years the run covers that have no active budget yet."""
    facts = selectors.family_facts(run)
    years = sorted({p.year for p in facts["period"]} - set(
        BudgetVersion.objects.filter(is_active=True).values_list("year", flat=True)))  # fmt: skip
    if not years:
        return 0
    offsets = {f: BUDGET_OFFSETS[i % len(BUDGET_OFFSETS)]
               for i, f in enumerate(sorted(facts["family"].unique()))}  # fmt: skip
    rows = []
    for year in years:
        version = budget_version_create(user, f"AOP-{year}", year, f"Annual operating plan {year}")
        for fact in facts.loc[facts["period"].map(lambda p: p.year) == year].itertuples():
            k = Decimal(str(offsets[fact.family]))
            rows.append({
                "budget": version.code, "family": fact.family, "month": str(fact.period),
                "units": str(round(Decimal(fact.served_units) * k, 2)),
                "revenue_eur": str(round(Decimal(fact.revenue_eur) * k, 2)),
                "cogs_eur": str(round(Decimal(fact.cogs_eur) * k, 2)),
            })  # fmt: skip
    result = validate_rows(BUDGET_LINES, list(enumerate(rows, start=2)))
    if not result.ok:
        raise TransitionError(f"Demo budget refused: {result.errors[0].message}")
    return write_rows(BUDGET_LINES, result.rows).created


@register_stage_prep("reconciliation")
def recommend_baseline(cycle: PlanningCycle, user: Any) -> None:
    try:
        baseline = services.baseline_ensure(cycle.pk, user)
        run = services.scenario_run_now(baseline.pk, user)
    except services.ReconciliationError as exc:
        raise TransitionError(str(exc)) from None
    if run.status != RunStatus.SUCCEEDED:
        raise TransitionError(f"Baseline scenario: {run.error or run.get_status_display()}")
    demo_budget(run, user)
    services.recommend(cycle.pk, baseline.pk, user, "The consensus plan as it stands.")
