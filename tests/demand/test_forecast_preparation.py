"""Which products a forecast run covers, chosen in one set-based query whatever the catalogue size."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datainputs.models import SalesHistory
from demand.history import forecast_product_ids
from masterdata.models import Product
from tests.factories import (
    ChannelFactory,
    FamilyFactory,
    ProductFactory,
    SalesHistoryFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


def _catalogue(count: int, prefix: str) -> list[int]:
    """`count` products: a third sold last month, a third sold 40 months ago (outside the
    36-month window), a third never sold but with a like-item."""
    family, site, channel = FamilyFactory(code=f"F-{prefix}"), SiteFactory(), ChannelFactory()
    expected = []
    like = cast(Product, ProductFactory(sku=f"{prefix}-LIKE", family=family))
    for n in range(count):
        product = cast(Product, ProductFactory(sku=f"{prefix}-{n:03d}", family=family))
        kind = n % 3
        if kind == 0:
            SalesHistoryFactory(product=product, site=site, channel=channel)
            expected.append(product.pk)
        elif kind == 1:
            SalesHistoryFactory(
                product=product, site=site, channel=channel, month=dt.date(2023, 6, 1)
            )
        else:
            product.like_product = like
            product.save(update_fields=["like_product"])
            expected.append(product.pk)
    return expected


def _select(cycle) -> tuple[list[int], list[str]]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        ids = forecast_product_ids(cycle)
    return ids, [q["sql"] for q in queries.captured_queries]


def test_products_sold_in_the_window_or_with_a_like_item_are_selected(cycle) -> None:
    # Given sold, long-dead and like-item products
    expected = _catalogue(9, "A")
    # When the run selects its products
    ids, _ = _select(cycle)
    # Then exactly the sold ones and the like-item ones are forecast
    assert ids == sorted(expected)


def test_an_ended_product_is_not_forecast_even_when_it_sold(cycle) -> None:
    expected = _catalogue(3, "B")
    ended = cast(Product, ProductFactory(sku="B-ENDED", end_date=dt.date(2026, 9, 30)))
    SalesHistoryFactory(product=ended)
    ids, _ = _select(cycle)
    assert ended.pk not in ids and set(expected) <= set(ids)


def test_the_selection_is_one_exists_query_whatever_the_number_of_products(cycle) -> None:
    # Given a small catalogue, then one ten times larger
    _catalogue(6, "S")
    _, small = _select(cycle)
    _catalogue(60, "L")
    assert SalesHistory.objects.count() > 40
    _, large = _select(cycle)
    # Then both selections take the same single query
    assert len(small) == len(large) == 1
    # And the sales test is an EXISTS probe, never an IN (subquery) PostgreSQL re-scans per product
    sql = large[0].upper()
    assert "EXISTS" in sql and "IN (SELECT" not in sql
