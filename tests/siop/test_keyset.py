"""Keyset pages of the long tables: same rows as the full ordering, constant cost per page."""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from datainputs.models import SalesHistory
from siop.keyset import decode_cursor, encode_cursor, keyset_page, sort_key
from tests.factories import ChannelFactory, ProductFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _history(products: int, months: int) -> None:
    site, channel = SiteFactory.create(), ChannelFactory.create()
    rows = [
        SalesHistory(
            product=product,
            site=site,
            channel=channel,
            month=dt.date(2025, m + 1, 1),
            quantity=Decimal(m),
            revenue=Decimal(m),
        )
        for product in ProductFactory.create_batch(products)
        for m in range(months)
    ]
    SalesHistory.objects.bulk_create(rows)


def _walk(direction: str, size: int) -> list[int]:
    """Every row id, page by page, forwards from the first or backwards from the last page."""
    queryset = SalesHistory.objects.all()
    page = keyset_page(queryset, None, "first" if direction == "next" else "last", size)
    seen = [row.pk for row in page.rows]
    while True:
        cursor = page.next_cursor if direction == "next" else page.previous_cursor
        if cursor is None:
            return seen
        page = keyset_page(queryset, cursor, direction, size)
        ids = [row.pk for row in page.rows]
        seen = seen + ids if direction == "next" else ids + seen


def test_sort_key_takes_foreign_keys_by_column_and_ends_with_the_primary_key() -> None:
    assert sort_key(SalesHistory) == ["product_id", "site_id", "channel_id", "month", "id"]


def test_paging_forwards_and_backwards_visits_every_row_once_in_order() -> None:
    # Given 7 products x 5 months of sales history
    _history(7, 5)
    expected = list(
        SalesHistory.objects.order_by(
            "product_id", "site_id", "channel_id", "month", "id"
        ).values_list("pk", flat=True)
    )
    # When a user pages through it forwards, and backwards from the last page, 8 rows a page
    # Then both walks show every row exactly once, in the list's order
    assert _walk("next", 8) == expected
    assert _walk("previous", 8) == expected


def test_the_last_page_is_one_query_and_ends_the_list() -> None:
    _history(4, 6)
    with CaptureQueriesContext(connection) as queries:
        page = keyset_page(SalesHistory.objects.all(), None, "last", 10)
    assert len(queries) == 1
    assert "OFFSET" not in queries[0]["sql"].upper()
    assert page.has_previous and not page.has_next
    assert len(page.rows) == 10


def test_a_garbled_cursor_falls_back_to_the_first_page() -> None:
    _history(2, 3)
    page = keyset_page(SalesHistory.objects.all(), "not-a-cursor%%", "next", 4)
    assert [r.pk for r in page.rows] == [
        r.pk for r in SalesHistory.objects.order_by(*sort_key(SalesHistory))[:4]
    ]
    assert decode_cursor(encode_cursor([1, dt.date(2025, 1, 1)]), 3) is None


@pytest.mark.parametrize(
    "tampered",
    [
        ["v", "x"],  # text where the month (a date) belongs
        ["v", 1e400],  # infinity
        ["v", 2**70],  # beyond any integer column
    ],
)
def test_a_hand_edited_cursor_falls_back_to_the_first_page(tampered: list[object]) -> None:
    # Given a cursor of the sales-history order whose values were edited by hand
    _history(2, 3)
    key = sort_key(SalesHistory)
    first = SalesHistory.objects.order_by(*key).first()
    assert first is not None
    values: list[object] = [getattr(first, column) for column in key]
    items = [["d", v.isoformat()] if isinstance(v, dt.date) else ["v", v] for v in values]
    slot = key.index("month") if tampered[1] == "x" else key.index("id")
    items[slot] = tampered
    payload = json.dumps(items)
    cursor = base64.urlsafe_b64encode(payload.encode()).decode()
    # When the next page is asked for, then it is the first page, not a server error
    page = keyset_page(SalesHistory.objects.all(), cursor, "next", 4)
    assert [r.pk for r in page.rows] == [r.pk for r in SalesHistory.objects.order_by(*key)[:4]]


def test_the_sales_history_page_lists_the_last_page_with_a_constant_number_of_queries(
    client, users
) -> None:  # type: ignore[no-untyped-def]
    _history(30, 4)
    client.force_login(users[Role.ADMINISTRATOR])
    with CaptureQueriesContext(connection) as small:
        response = client.get("/data/sales-history/?page=last")
    assert response.status_code == 200
    _history(30, 4)
    with CaptureQueriesContext(connection) as large:
        client.get("/data/sales-history/?page=last")
    assert len(large) == len(small)
    assert b"Next" not in response.content and b"Previous" in response.content


def test_a_long_list_counts_its_rows_only_up_to_the_cap(client, users, monkeypatch) -> None:
    from datainputs.views import SalesHistoryListView

    # Given a list whose count stops at 100 rows
    monkeypatch.setattr(SalesHistoryListView, "count_cap", 100)
    client.force_login(users[Role.ADMINISTRATOR])
    _history(20, 4)
    exact = client.get("/data/sales-history/").content.decode()
    _history(20, 4)
    with CaptureQueriesContext(connection) as queries:
        capped = client.get("/data/sales-history/").content.decode()
    # Then 80 rows are counted exactly, 160 rows say "more than 100" (the count reads 101 rows)
    assert "80 rows" in exact and "More than" not in exact
    assert "More than 100 rows" in capped
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert counts and all("LIMIT 101" in sql and "ORDER BY" not in sql for sql in counts)
