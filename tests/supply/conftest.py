"""A small plant for the supply review: one line that demand overloads, one bought product.

Made product MADE-1: 150 units/month of sales history (run-rate demand 150), 1 h per unit on
LINE-1 with 100 h per month and no overtime allowed yet (overtime would cost 2 EUR/h). Unit
cost 4, price 7.5, so the plan makes 100 a month and loses 50 (7.5 each); allowing 50 h of
overtime closes the gap at 4 + 2 = 6 per unit.
Bought product BUY-1: 40 units/month from SUP-1, same-month lead time, MOQ 0.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from cycles.models import PlanningCycle
from masterdata.models import Resource, ResourceLoad, Supplier, SupplyTerm
from tests.factories import ChannelFactory, ProductFactory, SalesHistoryFactory, SiteFactory
from tests.helpers import move_to_stage

HISTORY_MONTHS = [p.to_timestamp().date() for p in pd.period_range("2025-11", periods=12, freq="M")]


@pytest.fixture
def plant(db):  # type: ignore[no-untyped-def]
    site = SiteFactory(code="DC1")
    channel = ChannelFactory(code="RETAIL", service_priority=1)
    line = Resource.objects.create(
        code="LINE-1", name="Filling line", site=site, capacity_hours_per_month=Decimal("100"),
        overtime_hours_per_month=Decimal("0"), overtime_cost_per_hour=Decimal("2"),
    )  # fmt: skip
    made = ProductFactory(sku="MADE-1")
    bought = ProductFactory(sku="BUY-1")
    supplier = Supplier.objects.create(code="SUP-1", name="Supplier one")
    SupplyTerm.objects.create(product=made, site=site, source_type="make", resource=line,
                              lead_time_days=0)  # fmt: skip
    SupplyTerm.objects.create(product=bought, site=site, source_type="buy", supplier=supplier,
                              lead_time_days=0, order_multiple=Decimal("1"))  # fmt: skip
    ResourceLoad.objects.create(resource=line, product=made, hours_per_unit=Decimal("1"))
    for month in HISTORY_MONTHS:
        SalesHistoryFactory(product=made, site=site, channel=channel, month=month,
                            quantity=Decimal("150"), revenue=Decimal("1125"))  # fmt: skip
        SalesHistoryFactory(product=bought, site=site, channel=channel, month=month,
                            quantity=Decimal("40"), revenue=Decimal("300"))  # fmt: skip
    return {"site": site, "channel": channel, "line": line, "made": made, "bought": bought,
            "supplier": supplier}  # fmt: skip


def at_supply_review(cycle: PlanningCycle) -> PlanningCycle:
    """Move ``cycle`` to the supply review (the earlier stages are not under test here)."""
    return move_to_stage(cycle, "supply_review")
