"""A small company for the demand review: two families, five products, two sites, 24 months."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.roles import Role
from cycles.services import stage_sign_off
from datainputs.models import SalesHistory
from demand.events import event_create
from demand.overrides import CellEdit, overrides_apply
from demand.services import forecast_run_now
from masterdata.models import Product
from tests.factories import (
    PASSWORD,
    ChannelFactory,
    FamilyFactory,
    InventoryFactory,
    ProductFactory,
    SiteFactory,
)
from tests.helpers import CYCLE_MONTH, months_back

# (sku, family, monthly level); sales are split 75/25 between DC1 and DC2.
CATALOG = [
    ("BIKE-1", "BIKES", 100.0),
    ("BIKE-2", "BIKES", 300.0),
    ("BIKE-3", "BIKES", 50.0),
    ("HELM-1", "HELMETS", 40.0),
    ("HELM-2", "HELMETS", 60.0),
]


@pytest.fixture
def company(db):  # type: ignore[no-untyped-def]
    """Products with 24 months of mildly seasonal history at two sites."""
    dc1 = SiteFactory(code="DC1")
    dc2 = SiteFactory(code="DC2", name="South DC")
    channel = ChannelFactory()
    products = {}
    rows = []
    for sku, family_code, level in CATALOG:
        product = ProductFactory(sku=sku, family=FamilyFactory(code=family_code))
        products[sku] = product
        for n, month in enumerate(months_back(24)):
            units = round(level * (1 + 0.1 * math.sin(2 * math.pi * n / 12)))
            for site, share in ((dc1, 0.75), (dc2, 0.25)):
                rows.append(
                    SalesHistory(
                        product=product,
                        site=site,
                        channel=channel,
                        month=month,
                        quantity=Decimal(str(round(units * share, 2))),
                        revenue=Decimal("1"),
                    )
                )
    SalesHistory.objects.bulk_create(rows)
    InventoryFactory(product=products["BIKE-1"], site=dc1, as_of_date=CYCLE_MONTH)
    return products


@pytest.fixture
def review_cycle(cycle, users, company):  # type: ignore[no-untyped-def]
    """The 2026-11 cycle in demand review (data inputs signed off)."""
    return stage_sign_off(cycle.pk, "data_inputs", users[Role.ADMINISTRATOR])


@pytest.fixture
def forecast_cycle(review_cycle, users):  # type: ignore[no-untyped-def]
    """The review cycle with a succeeded forecast run (computed in-process)."""
    run = forecast_run_now(review_cycle.pk, users[Role.DEMAND_PLANNER])
    assert run.status == "succeeded", run.error
    return review_cycle


def family_products(code: str) -> list[Product]:
    return list(Product.objects.filter(family__code=code).order_by("sku"))


# the tables a grid answer is read from: a request that touches none of them was served cached
PLAN_TABLES = ("demand_statisticalforecast", "datainputs_saleshistory", "demand_demandoverride")


def signed_in(user: User) -> Client:
    """A browser session of ``user``."""
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def reads_plan_data(sql: list[str]) -> bool:
    """Whether any of these statements reads a table a grid answer is built from."""
    return any(table in statement for statement in sql for table in PLAN_TABLES)


DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture
def bikes_with_event_and_typed_cell(forecast_cycle, users) -> list[Product]:  # type: ignore[no-untyped-def]
    """The bikes, with a unit event on their whole family (spread over every product) in
    December and 12 units typed for the third bike in December."""
    bikes = family_products("BIKES")
    planner = users[Role.DEMAND_PLANNER]
    event_create(forecast_cycle.pk, {"name": "Fair", "family": bikes[0].family,
                 "start_month": DECEMBER, "end_month": DECEMBER, "uplift_kind": "units",
                 "uplift_value": Decimal("90")}, planner)  # fmt: skip
    overrides_apply(forecast_cycle.pk, [CellEdit(DECEMBER, Decimal("12"), 0, bikes[2].pk)], planner,
                    reason="customer_intel")  # fmt: skip
    return bikes
