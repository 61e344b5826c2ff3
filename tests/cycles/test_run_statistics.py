"""A succeeded run's rows are planned with fresh statistics: the run lifecycle analyses its tables.

Without it PostgreSQL keeps planning the stage's pages on the previous run's statistics (the new
run id believed absent) until autovacuum analyses the table, if it runs at all.
"""

from __future__ import annotations

import pytest
from django.db import connection

from cycles.runs import RunStatus
from inventory.calculation import inventory_run_execute
from inventory.models import InventoryRun, PolicyRow
from tests.helpers import move_to_stage
from tests.inventory.conftest import company  # noqa: F401  (fixture)

pytestmark = [pytest.mark.usefixtures("company")]


def estimated_rows(model: type[PolicyRow]) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [model._meta.db_table])
        return float(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_a_worker_run_that_succeeded_leaves_its_tables_analysed(cycle) -> None:  # type: ignore[no-untyped-def]
    # Given an inventory run queued at the inventory review
    run = InventoryRun.objects.create(cycle=move_to_stage(cycle, "inventory_review"))
    # When a worker executes it (outside any transaction, as a Celery task does)
    assert inventory_run_execute(run.pk) == RunStatus.SUCCEEDED
    # Then PostgreSQL's row estimate of its policy rows is the rows the run wrote
    written = PolicyRow.objects.filter(run=run).count()
    assert written > 0
    assert estimated_rows(PolicyRow) == written
