"""Data versions: every write of a source's tables, by any writer, moves its version.

The plan's staleness check (``cycles.plan``) and the grid's cache (``demand.grid_cache``)
compare these counters instead of counting the tables, so a writer that did not bump them
would leave a stale plan looking fresh. The database bumps them, so an ORM save, a bulk
insert, a queryset update, a delete and raw SQL all count.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

import pytest
from django.apps import apps
from django.db import connection

from cycles.plan import DATA_SOURCES, data_versions
from datainputs.models import SalesHistory
from datainputs.versions import SOURCES, current
from tests.factories import SalesHistoryFactory

pytestmark = pytest.mark.django_db


def test_the_plan_reads_every_table_of_its_sources_from_the_versioned_tables() -> None:
    # Given the plan's data sources, each of their models is versioned under the same name
    for name, models in DATA_SOURCES.items():
        assert {m._meta.db_table for m in models} == set(SOURCES[name]), name
    # and every versioned table exists
    for tables in SOURCES.values():
        for table in tables:
            assert any(m._meta.db_table == table for m in apps.get_models()), table


def test_each_way_of_writing_sales_history_moves_its_version_and_only_its_own() -> None:
    sale = cast(SalesHistory, SalesHistoryFactory(month=dt.date(2026, 10, 1)))
    seen = [current()]

    def moved() -> set[str]:
        seen.append(current())
        return {k for k in seen[-1] if seen[-1][k] != seen[-2][k]}

    # an ORM save, a queryset update, a bulk insert, raw SQL and a delete
    sale.quantity += 1
    sale.save()
    assert moved() == {"sales_history"}
    SalesHistory.objects.filter(pk=sale.pk).update(quantity=Decimal("7"))
    assert moved() == {"sales_history"}
    SalesHistory.objects.bulk_create(
        [SalesHistory(product=sale.product, site=sale.site, channel=sale.channel,
                      month=dt.date(2026, 9, 1), quantity=Decimal("3"), revenue=Decimal("1"))]
    )  # fmt: skip
    assert moved() == {"sales_history"}
    with connection.cursor() as cursor:
        cursor.execute("UPDATE datainputs_saleshistory SET revenue = revenue + 1")
    assert moved() == {"sales_history"}
    SalesHistory.objects.filter(pk=sale.pk).delete()
    assert moved() == {"sales_history"}
    # and the plan sees versions it can compare
    assert data_versions(["sales_history"]) == {"sales_history": f"v{current()['sales_history']}"}


def test_a_write_to_every_versioned_table_moves_its_source() -> None:
    # Given every versioned table, a statement touching it (even no row, on PostgreSQL: one
    # bump per statement) moves its source's version
    for source, tables in SOURCES.items():
        for table in tables:
            before = current()[source]
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} SELECT * FROM {table} WHERE false")
                cursor.execute(f"DELETE FROM {table} WHERE id = -1")
            if connection.vendor == "postgresql":
                assert current()[source] > before, table
