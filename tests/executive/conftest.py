"""Executive review fixtures: consensus plans and approved snapshots written directly.

The plan pipeline (consensus plan issue) is tested on its own; here a plan is a set of rows with
known numbers so every KPI and exception can be checked by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from cycles.models import (
    ApprovedPlan,
    ApprovedPlanRow,
    ConsensusPlan,
    PlanningCycle,
    PlanResourceRow,
    PlanRow,
)
from cycles.services import cycle_open
from masterdata.models import Product, Resource, Site
from tests.factories import FamilyFactory, ProductFactory, SiteFactory
from tests.helpers import move_to_stage

NOV = dt.date(2026, 11, 1)
OCT = dt.date(2026, 10, 1)


def month_add(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def row_values(
    product: Product, month: dt.date, demand: float, lost: float = 0.0, stock: float = 20.0
) -> dict[str, object]:
    price, cost = float(product.unit_price), float(product.unit_cost)
    served = demand - lost
    return {
        "month": month,
        "consensus_demand_units": demand,
        "served_units": served,
        "lost_sales_units": lost,
        "projected_inventory_units": stock,
        "unit_price_eur": price,
        "unit_cost_eur": cost,
        "revenue_eur": served * price,
        "cogs_eur": served * cost,
        "gross_margin_eur": served * (price - cost),
        "revenue_at_risk_eur": lost * price,
        "inventory_value_eur": stock * cost,
    }


def build_plan(
    cycle: PlanningCycle,
    products: list[Product],
    site: Site,
    demand: float = 100.0,
    months: int = 12,
    lost: dict[tuple[str, int], float] | None = None,
) -> ConsensusPlan:
    """A consensus plan of ``months`` months with ``demand`` units per product and month;
    ``lost`` maps (sku, month index) to lost-sales units."""
    plan, _ = ConsensusPlan.objects.update_or_create(
        cycle=cycle, defaults={"version": 1, "built_at": timezone.now()}
    )
    PlanRow.objects.filter(plan=plan).delete()
    lost = lost or {}
    PlanRow.objects.bulk_create(
        PlanRow(
            plan=plan,
            product=p,
            site=site,
            **row_values(p, month_add(cycle.month, i), demand, lost.get((p.sku, i), 0.0)),
        )
        for p in products
        for i in range(months)
    )
    return plan


def approve_snapshot(
    cycle: PlanningCycle,
    products: list[Product],
    site: Site,
    demand: float = 100.0,
    months: int = 12,
) -> ApprovedPlan:
    """An approved snapshot as the approval freeze writes it (the cycle marked approved)."""
    PlanningCycle.objects.filter(pk=cycle.pk).update(state="approved")
    approved = ApprovedPlan.objects.create(cycle=cycle, sha256=hashlib.sha256(b"x").hexdigest())
    ApprovedPlanRow.objects.bulk_create(
        ApprovedPlanRow(
            approved_plan=approved,
            product_id_at_approval=p.pk,
            sku=p.sku,
            site_code=site.code,
            family_code=p.family.code,
            **row_values(p, month_add(cycle.month, i), demand),
        )
        for p in products
        for i in range(months)
    )
    return approved


@pytest.fixture
def catalog(db):  # type: ignore[no-untyped-def]
    bev, snk = FamilyFactory(code="BEV"), FamilyFactory(code="SNK")
    products = [
        ProductFactory(sku="BEV-1", family=bev, unit_price=Decimal("10"), unit_cost=Decimal("6")),
        ProductFactory(sku="BEV-2", family=bev, unit_price=Decimal("10"), unit_cost=Decimal("6")),
        ProductFactory(sku="SNK-1", family=snk, unit_price=Decimal("4"), unit_cost=Decimal("2")),
    ]
    return {"products": products, "site": SiteFactory()}


@pytest.fixture
def exec_cycle(users, catalog):  # type: ignore[no-untyped-def]
    """November 2026 at the executive review, with a consensus plan; October approved."""
    october = cycle_open(OCT, users[Role.ADMINISTRATOR])
    approve_snapshot(october, catalog["products"], catalog["site"], demand=90.0)
    november = cycle_open(NOV, users[Role.ADMINISTRATOR], copy_from=october)
    build_plan(november, catalog["products"], catalog["site"])
    resource = Resource.objects.create(
        code="LINE1", name="Line 1", site=catalog["site"], capacity_hours_per_month=100
    )
    PlanResourceRow.objects.create(
        plan=november.consensus_plan,
        resource=resource,
        month=NOV,
        load_hours=120.0,
        capacity_hours=100.0,
    )
    return move_to_stage(november, "executive_review")
