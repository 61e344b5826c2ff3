"""The demo company: every projection row of every inventory run reconciles exactly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from cycles.models import PlanningCycle
from cycles.runs import RunStatus
from demo.services import demo_seed
from inventory.calculation import inventory_run_now
from inventory.models import InventoryRun, PolicyRow
from tests.inventory.test_calculation import assert_every_row_reconciles

AS_OF = dt.date(2026, 11, 1)


@pytest.mark.django_db
def test_given_seeded_demo_company_then_every_projection_row_reconciles() -> None:
    # Given the demo company as `manage.py seed_demo` builds it (default 150 products)
    demo_seed(seed=42, sku_count=150, as_of=AS_OF)
    current = PlanningCycle.objects.get(month=AS_OF)
    # When the inventory planner calculates this month's cycle
    run = inventory_run_now(current.pk, get_user_model().objects.get(username="inventory"))
    assert run.status == RunStatus.SUCCEEDED, run.error
    # Then every product-site has a policy and every row of every run balances exactly
    product_sites = PolicyRow.objects.filter(run=run).count()
    assert product_sites >= 150
    assert assert_every_row_reconciles(run) == product_sites * current.horizon_months
    for earlier in InventoryRun.objects.exclude(pk=run.pk).filter(status=RunStatus.SUCCEEDED):
        assert assert_every_row_reconciles(earlier) > 0
