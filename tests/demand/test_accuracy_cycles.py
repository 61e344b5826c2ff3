"""The company-wide accuracy report is summed from sums kept per signed-off cycle: after a sign-off
only the new cycle is scored, the figures are those of scoring every cell at once, and the page
is ready (warm) when the sign-off run has finished."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from cycles.models import PlanningCycle
from cycles.runs import RunStatus
from cycles.sign_off import execute_sign_off, request_sign_off
from datainputs.models import SalesHistory
from demand.accuracy_sql import accuracy_report
from demand.models import ConsensusSnapshot
from masterdata.models import Product, ProductFamily
from tests.demand.test_accuracy import _more_cycles, _snapshots
from tests.factories import PASSWORD, FamilyFactory

SCORING = re.compile(r"cycle_id IN \(([^)]*)\)")


def _scored_cycles(queries: CaptureQueriesContext) -> set[int]:
    """The cycle ids the page's scoring queries read (none when every cycle was kept)."""
    ids: set[int] = set()
    for query in queries.captured_queries:
        for found in SCORING.findall(query["sql"]):
            ids |= {int(v) for v in found.split(",")}
    return ids


def _by_sql() -> dict[str, object]:
    """The report as one query over every cell computes it (all families: the SQL path)."""
    every = set(ProductFamily.objects.values_list("pk", flat=True))
    caches["versioned"].clear()
    return accuracy_report(every, None)


def _same(got: dict, want: dict) -> None:  # type: ignore[type-arg]
    assert got["cell_count"] == want["cell_count"]
    for table in ("by_family", "by_lag", "by_product"):
        assert len(got[table]) == len(want[table]), table
        for a, b in zip(got[table], want[table], strict=True):
            assert a == pytest.approx(b), table


@pytest.mark.django_db
def test_after_a_sign_off_only_the_new_cycle_is_scored(client, users, cycle) -> None:
    # Given 12 signed-off cycles whose report was shown once
    client.login(username=users[Role.DEMAND_PLANNER].username, password=PASSWORD)
    _snapshots(cycle, 10, "S")
    _more_cycles(list(Product.objects.all()), 11)
    assert client.get("/demand/accuracy/").context["cell_count"] == 120
    # When a 13th cycle is signed off (its snapshot is frozen)
    december = PlanningCycle.objects.create(month=dt.date(2026, 12, 1), state="supply_review")
    ConsensusSnapshot.objects.bulk_create(
        ConsensusSnapshot(cycle=december, product=p, month=dt.date(2026, 12, 1), lag_months=0,
                          naive_units=Decimal("1"), statistical_units=Decimal("1"),
                          consensus_units=Decimal("1"))
        for p in Product.objects.all()
    )  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/demand/accuracy/")
    # Then the page reads that cycle's snapshot only, and shows what scoring every cell shows
    assert page.status_code == 200
    assert _scored_cycles(queries) == {december.pk}
    _same(page.context, _by_sql())


@pytest.mark.django_db
def test_kept_sums_follow_a_sales_correction_a_removed_product_and_a_family_move(
    client, users, cycle
) -> None:
    client.login(username=users[Role.DEMAND_PLANNER].username, password=PASSWORD)
    _snapshots(cycle, 6, "S")
    _more_cycles(list(Product.objects.all()), 3)
    client.get("/demand/accuracy/")  # the per-cycle sums are kept from here on
    # When the ERP corrects a sale, a product is removed and another moves family
    sale = SalesHistory.objects.order_by("pk").first()
    assert sale is not None
    SalesHistory.objects.filter(pk=sale.pk).update(quantity=Decimal("5000"))
    SalesHistory.objects.filter(product__sku="S-005").delete()  # protected while it has sales
    Product.objects.filter(sku="S-005").delete()
    Product.objects.filter(sku="S-004").update(family=FamilyFactory(code="MOVED"))
    page = client.get("/demand/accuracy/").context
    # Then the page shows exactly what scoring every cell again shows
    assert page["cell_count"] == 20
    assert {row["family"] for row in page["by_family"]} == {"FAM-S", "MOVED"}
    _same(page, _by_sql())


@pytest.mark.django_db
def test_the_page_is_warm_when_the_demand_sign_off_run_has_finished(
    forecast_cycle, users, client, django_capture_on_commit_callbacks
) -> None:
    # Given an earlier cycle's frozen snapshot, scored by November's actuals
    earlier = PlanningCycle.objects.create(month=dt.date(2026, 10, 1), state="closed")
    ConsensusSnapshot.objects.bulk_create(
        ConsensusSnapshot(cycle=earlier, product=p, month=dt.date(2026, 10, 1), lag_months=0,
                          naive_units=Decimal("9"), statistical_units=Decimal("9"),
                          consensus_units=Decimal("9"))
        for p in Product.objects.all()
    )  # fmt: skip
    # When the demand review is signed off as a background run (a worker executes it)
    sent: list[int] = []
    with django_capture_on_commit_callbacks(execute=True):  # the request's commit sends it
        request_sign_off(forecast_cycle.pk, "demand_review", users[Role.DEMAND_PLANNER], "ok",
                         send=sent.append)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert execute_sign_off(sent[0]) == RunStatus.SUCCEEDED
    # Then the first view of the accuracy page reads no snapshot: the run warmed the report
    client.login(username=users[Role.DEMAND_PLANNER].username, password=PASSWORD)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/demand/accuracy/")
    assert page.status_code == 200 and page.context["cell_count"] == Product.objects.count()
    assert not any("demand_consensussnapshot" in q["sql"] for q in queries.captured_queries)
    assert ConsensusSnapshot.objects.filter(cycle=forecast_cycle).exists()
