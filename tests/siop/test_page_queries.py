"""Every navigation page reads the database a fixed number of times, whatever the SKU count.

The same pages are read by the administrator with a catalogue of 3 products, then of 23 (each
with two years of sales at two sites, stock, a supply term and a forecast): a page whose query
count grows with the products has an N+1 loop, which at 10,000 SKUs is 10,000 round trips.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from cycles.services import stage_sign_off
from datainputs.models import SalesHistory
from demand.services import forecast_run_now
from masterdata.models import Channel, Product, Site, Supplier, SupplyTerm
from tests.factories import (
    PASSWORD,
    ChannelFactory,
    FamilyFactory,
    InventoryFactory,
    ProductFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db
CYCLE_MONTH = dt.date(2026, 11, 1)
# The top bar's links (templates/base.html), by URL name.
NAVIGATION = [
    "cycles:current", "datainputs:home", "demand:home", "demand:accuracy", "supply:current",
    "inventory:current", "reconciliation:current", "executive:home", "masterdata:products",
    "masterdata:families", "masterdata:sites", "masterdata:channels", "masterdata:suppliers",
    "masterdata:resources", "masterdata:resource_loads", "masterdata:resource_capacities",
    "masterdata:supply_terms", "cycles:list", "cycles:audit",
]  # fmt: skip


def _products(start: int, count: int) -> None:
    """``count`` products with 24 months of sales at two sites, stock and a supply term."""
    sites = [cast(Site, SiteFactory(code="DC1")), cast(Site, SiteFactory(code="DC2", name="South"))]
    channel = cast(Channel, ChannelFactory())
    supplier, _ = Supplier.objects.get_or_create(code="ACME", defaults={"name": "Acme"})
    sales = []
    for n in range(start, start + count):
        family = FamilyFactory(code=f"FAM{n % 3}")
        product = cast(Product, ProductFactory(sku=f"NAV-{n:03d}", family=family))
        for m in range(24):
            month = dt.date(2024 + (10 + m) // 12, (10 + m) % 12 + 1, 1)
            units = Decimal(round(40 + 10 * math.sin(m / 2) + n))
            sales += [SalesHistory(product=product, site=site, channel=channel, month=month,
                                   quantity=units, revenue=units) for site in sites]  # fmt: skip
        InventoryFactory(product=product, site=sites[0], as_of_date=CYCLE_MONTH)
        SupplyTerm.objects.create(product=product, site=sites[0], lead_time_days=30,
                                  source_type="buy", supplier=supplier)  # fmt: skip
    SalesHistory.objects.bulk_create(sales)


def _query_counts(client, urls: list[str]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts = {}
    for name in urls:
        url = reverse(name)
        client.get(url, follow=True)  # warm per-process caches (templates, content types)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, follow=True)
        assert response.status_code == 200, (url, response.status_code)
        counts[f"{name} -> {response.request['PATH_INFO']}"] = len(queries.captured_queries)
    return counts


def test_no_navigation_page_reads_more_often_with_more_products(client, users, cycle) -> None:
    # Given a cycle in demand review with a forecast, over 3 products
    _products(0, 3)
    stage_sign_off(cycle.pk, "data_inputs", users[Role.ADMINISTRATOR])
    forecast_run_now(cycle.pk, users[Role.DEMAND_PLANNER])
    client.login(username=users[Role.ADMINISTRATOR].username, password=PASSWORD)
    small = _query_counts(client, NAVIGATION)
    # When the catalogue grows to 23 products (and the forecast covers them)
    _products(3, 20)
    forecast_run_now(cycle.pk, users[Role.DEMAND_PLANNER])
    large = _query_counts(client, NAVIGATION)
    # Then every page takes the same number of queries
    assert large == small
