"""The demo company's walk: the reconciliation gets its baseline, a budget a few percent off
the plan in some families, and a recommendation before finance signs off."""

from __future__ import annotations

import datetime as dt

import pytest

from cycles.models import PlanningCycle
from demo.services import demo_seed
from reconciliation import selectors
from reconciliation.engine import TOTAL
from reconciliation.models import BudgetVersion

AS_OF = dt.date(2026, 11, 1)


@pytest.mark.django_db
def test_demo_walk_recommends_the_baseline_against_a_budget_off_plan() -> None:
    demo_seed(seed=3, sku_count=30, as_of=AS_OF)
    october = PlanningCycle.objects.get(month=dt.date(2026, 10, 1))
    assert october.state == "closed"
    recommendation = selectors.recommendation(october)
    assert recommendation is not None and recommendation.scenario.is_baseline
    assert set(BudgetVersion.objects.values_list("code", flat=True)) == {
        "AOP-2026", "AOP-2027", "AOP-2028"}  # fmt: skip
    # budget / plan per family over the horizon: some on plan, some a few percent off
    view = selectors.financial_view(october, recommendation.run, "horizon")
    families = view.loc[view["family"] != TOTAL]
    ratio = (families["budget_revenue_eur"] / families["revenue_eur"]).round(2)
    assert (ratio == 1.0).any() and (ratio > 1.0).any() and (ratio < 1.0).any()
