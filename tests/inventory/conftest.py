"""A small company for the inventory review and a cycle standing at the inventory review."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest

from cycles.models import PlanningCycle
from datainputs.models import OpenReceipt, SalesHistory
from masterdata.models import Supplier, SupplyTerm
from tests.factories import (
    ChannelFactory,
    FamilyFactory,
    InventoryFactory,
    ProductFactory,
    SiteFactory,
)
from tests.helpers import CYCLE_MONTH, months_back, move_to_stage

# (sku, family, unit cost, monthly level, noise amplitude, phase-out)
CATALOG = [
    ("PUMP-1", "PUMPS", "120.00", 200.0, 0.15, False),
    ("PUMP-2", "PUMPS", "80.00", 60.0, 0.40, False),
    ("VALVE-1", "VALVES", "15.00", 400.0, 0.05, False),
    ("VALVE-2", "VALVES", "9.00", 30.0, 0.90, False),
    ("SEAL-OLD", "VALVES", "4.00", 20.0, 0.30, True),
]


def _units(level: float, noise: float, n: int) -> float:
    # Deterministic wiggle: a sine of period 12 plus a saw-tooth, scaled by the noise amplitude.
    return max(0.0, round(level * (1 + noise * math.sin(n * 1.7) + 0.1 * math.sin(n / 2))))


@pytest.fixture
def company(db):  # type: ignore[no-untyped-def]
    """Five products at two sites: 24 months of history, stock, supply terms, one open receipt."""
    sites = [SiteFactory(code="DC1"), SiteFactory(code="DC2", name="South DC")]
    channel = ChannelFactory()
    supplier = Supplier.objects.create(code="SUP1", name="Supplier one")
    rows, products = [], {}
    for sku, family, cost, level, noise, phase_out in CATALOG:
        product = ProductFactory(
            sku=sku, family=FamilyFactory(code=family), unit_cost=Decimal(cost),
            lifecycle="phase_out" if phase_out else "active",
        )  # fmt: skip
        products[sku] = product
        for site, share in zip(sites, (0.7, 0.3), strict=True):
            for n, month in enumerate(months_back(24)):
                units = Decimal(str(round(_units(level, noise, n) * share)))
                rows.append(
                    SalesHistory(product=product, site=site, channel=channel, month=month,
                                 quantity=units, revenue=units * 2)
                )  # fmt: skip
            InventoryFactory(
                product=product, site=site, as_of_date=CYCLE_MONTH,
                quantity=Decimal(str(round(level * share * 1.5))),
            )  # fmt: skip
            SupplyTerm.objects.create(
                product=product, site=site, source_type="buy", supplier=supplier,
                lead_time_days=45, lead_time_sd_days=Decimal("5"), min_order_qty=Decimal("100"),
                order_multiple=Decimal("12"),
            )  # fmt: skip
    SalesHistory.objects.bulk_create(rows)
    OpenReceipt.objects.create(
        order_number="PO-1", receipt_type="purchase", product=products["PUMP-1"], site=sites[0],
        supplier=supplier, due_date=CYCLE_MONTH + dt.timedelta(days=20), quantity=Decimal("250.5"),
    )  # fmt: skip
    return {"products": products, "sites": sites}


def move_to_inventory_review(cycle: PlanningCycle) -> PlanningCycle:
    """Put the cycle at the inventory review directly (earlier stages are not under test here)."""
    return move_to_stage(cycle, "inventory_review")


@pytest.fixture
def review_cycle(cycle, company) -> PlanningCycle:  # type: ignore[no-untyped-def]
    return move_to_inventory_review(cycle)
