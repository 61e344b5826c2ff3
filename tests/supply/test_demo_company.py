"""The demo company's supply plans have no unexplained shortage (see `supply.checks`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from cycles.models import PlanningCycle
from cycles.runs import RunStatus
from demo.services import demo_seed
from supply.checks import unexplained_shortages
from supply.models import Shortage, SupplyPlanRun
from supply.selectors import REASON_TEXT, latest_succeeded_run
from supply.services import supply_run_now

AS_OF = dt.date(2026, 11, 1)


@pytest.mark.django_db
def test_given_seeded_demo_company_then_every_shortage_is_explained() -> None:
    # Given the demo company as `manage.py seed_demo` builds it (its closed cycle was planned)
    demo_seed(seed=42, sku_count=150, as_of=AS_OF)
    previous = PlanningCycle.objects.get(month=dt.date(2026, 10, 1))
    assert latest_succeeded_run(previous) is not None
    # When the supply planner plans this month's cycle
    current = PlanningCycle.objects.get(month=AS_OF)
    run = supply_run_now(current.pk, get_user_model().objects.get(username="supply"))
    assert run.status == RunStatus.SUCCEEDED, run.error
    # Then every shortage of every plan has a reason backed by the plan's own numbers
    for plan in SupplyPlanRun.objects.filter(status=RunStatus.SUCCEEDED):
        assert unexplained_shortages(plan) == []
    # And every reason is one the supply page explains in words
    assert set(Shortage.objects.values_list("reason", flat=True)) <= set(REASON_TEXT)
