"""A large import leaves the planner's statistics on the rows it wrote (the next forecast's
history reads plan on the real row count, whether or not autovacuum runs)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.roles import Role
from datainputs.importers import get_spec
from datainputs.importers.payload import TablePayload
from datainputs.models import SalesHistory
from datainputs.services import table_import, upload_apply, upload_preview
from siop import bulk
from tests.datainputs.conftest import sales_csv

pytestmark = pytest.mark.django_db
SALES = get_spec("sales_history")
TABLE = SalesHistory._meta.db_table


def _rows_the_planner_knows() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [TABLE])
        return float(cursor.fetchone()[0])


@pytest.fixture
def statistics_of_an_empty_table(master) -> None:  # type: ignore[no-untyped-def]
    bulk.refresh_statistics(TABLE)
    assert _rows_the_planner_knows() <= 0


@pytest.mark.usefixtures("statistics_of_an_empty_table")
def test_an_uploaded_file_refreshes_the_statistics_of_its_table(users) -> None:
    # Given statistics that know no sales history, when a planner applies 1,000 rows
    planner = users[Role.DEMAND_PLANNER]
    upload_apply(SALES, upload_preview(SALES, sales_csv(), "sales.csv", planner).batch, planner)
    # Then the planner's statistics count them
    assert _rows_the_planner_knows() == 1000


@pytest.mark.usefixtures("statistics_of_an_empty_table")
def test_an_api_body_on_the_copy_fast_path_refreshes_the_statistics_too(users) -> None:
    # Given statistics that know no sales history, when the ERP posts 1,000 rows as CSV
    outcome = table_import(SALES, TablePayload.from_csv(sales_csv()), users[Role.ADMINISTRATOR])
    # Then they are written and the planner's statistics count them
    assert outcome.counts is not None and outcome.counts.created == 1000
    assert _rows_the_planner_knows() == 1000


@pytest.mark.usefixtures("statistics_of_an_empty_table")
def test_a_small_change_to_a_known_table_leaves_the_analysis_to_autovacuum(
    users, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 1,000 sales rows the statistics know
    planner = users[Role.DEMAND_PLANNER]
    upload_apply(SALES, upload_preview(SALES, sales_csv(), "a.csv", planner).batch, planner)
    assert _rows_the_planner_knows() == 1000
    analysed: list[tuple[str, ...]] = []
    monkeypatch.setattr(bulk, "refresh_statistics", lambda *tables: analysed.append(tables))
    # When 100 of them change (under autovacuum's 50 + 10 %), then nothing is analysed
    assert not bulk.refresh_statistics_after_write(TABLE, 100)
    # and when 200 change, the table is
    assert bulk.refresh_statistics_after_write(TABLE, 200)
    assert analysed == [(TABLE,)]


@pytest.mark.usefixtures("statistics_of_an_empty_table")
def test_an_import_whose_analysis_fails_is_still_applied(
    users, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an ANALYZE that fails (a lock timeout, say)
    def timed_out(*tables: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1/0")

    monkeypatch.setattr(bulk, "refresh_statistics", timed_out)
    # When a planner applies 1,000 rows, then they are written and the import is applied
    planner = users[Role.DEMAND_PLANNER]
    applied = upload_apply(
        SALES, upload_preview(SALES, sales_csv(), "a.csv", planner).batch, planner
    )
    assert applied.ok and SalesHistory.objects.count() == 1000
