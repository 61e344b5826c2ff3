"""The demo company (10 SKUs) with October walked to closed through the plan pipeline and
November open at demand review, as ``make run`` seeds it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from cycles.models import PlanningCycle
from demo.services import demo_seed

AS_OF = dt.date(2026, 11, 1)


@pytest.fixture
def demo_company(db):  # type: ignore[no-untyped-def]
    demo_seed(seed=3, sku_count=10, as_of=AS_OF)
    return {
        "october": PlanningCycle.objects.get(month=dt.date(2026, 10, 1)),
        "november": PlanningCycle.objects.get(month=AS_OF),
        **{u.username: u for u in get_user_model().objects.all()},
    }
