"""Forecast accuracy: right metrics (APICS definitions), computed set-based at any catalogue size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from cycles.models import PlanningCycle
from datainputs.models import SalesHistory
from demand.accuracy import accuracy_table
from demand.models import ConsensusSnapshot
from masterdata.models import Channel, Product, Site
from tests.factories import (
    PASSWORD,
    ChannelFactory,
    FamilyFactory,
    ProductFactory,
    SiteFactory,
)

NOVEMBER = dt.date(2026, 11, 1)


def _cells() -> pd.DataFrame:
    # Two products of one family; A: actual 100 and 0, B: actual 50.
    return pd.DataFrame(
        {
            "product_id": [1, 1, 2],
            "sku": ["A", "A", "B"],
            "family": ["F", "F", "F"],
            "month": [NOVEMBER] * 3,
            "lag": [0, 1, 0],
            "naive_units": [80.0, 10.0, 50.0],
            "statistical_units": [110.0, 0.0, 40.0],
            "consensus_units": [100.0, 5.0, 70.0],
            "actual_units": [100.0, 0.0, 50.0],
        }
    )


def test_metrics_follow_the_published_definitions() -> None:
    # When the family is scored
    (family,) = accuracy_table(_cells(), ["family"])
    # Then WAPE = sum|f - a| / sum a, bias = sum(f - a) / sum a (positive = over-forecast),
    # MAPE = mean |f - a| / a over cells with a > 0, FVA = WAPE(previous step) - WAPE(step)
    assert family["cells"] == 3 and family["actual_units"] == 150.0
    assert family["naive_wape"] == pytest.approx((20 + 10 + 0) / 150 * 100)
    assert family["statistical_wape"] == pytest.approx((10 + 0 + 10) / 150 * 100)
    assert family["consensus_wape"] == pytest.approx((0 + 5 + 20) / 150 * 100)
    assert family["consensus_bias"] == pytest.approx((0 + 5 + 20) / 150 * 100)
    assert family["statistical_bias"] == pytest.approx((10 - 10) / 150 * 100)
    assert family["naive_mape"] == pytest.approx((0.2 + 0.0) / 2 * 100)
    assert family["fva_statistical"] == pytest.approx((30 - 20) / 150 * 100)
    assert family["fva_consensus"] == pytest.approx((20 - 25) / 150 * 100)


def test_worst_offenders_come_first_and_a_group_without_actuals_has_no_percentages() -> None:
    rows = accuracy_table(_cells(), ["family", "sku", "lag"])
    assert [(r["sku"], r["lag"]) for r in rows] == [("B", 0), ("A", 1), ("A", 0)]
    no_actuals = rows[1]
    assert no_actuals["consensus_wape"] is None and no_actuals["consensus_mape"] is None
    assert no_actuals["consensus_abs_error"] == 5.0


def _snapshots(cycle, count: int, prefix: str) -> None:  # type: ignore[no-untyped-def]
    """`count` products with a frozen lag-0 November cell and November actuals."""
    family = FamilyFactory(code=f"FAM-{prefix}")
    site, channel = cast(Site, SiteFactory()), cast(Channel, ChannelFactory())
    snapshots, sales = [], []
    for n in range(count):
        product = cast(Product, ProductFactory(sku=f"{prefix}-{n:03d}", family=family))
        snapshots.append(
            ConsensusSnapshot(
                cycle=cycle,
                product=product,
                month=NOVEMBER,
                lag_months=0,
                naive_units=Decimal("90"),
                statistical_units=Decimal("95"),
                consensus_units=Decimal("100"),
            )
        )
        sales.append(
            SalesHistory(
                product=product,
                site=site,
                channel=channel,
                month=NOVEMBER,
                quantity=Decimal(80 + n % 40),
                revenue=Decimal("1"),
            )
        )
    ConsensusSnapshot.objects.bulk_create(snapshots)
    SalesHistory.objects.bulk_create(sales)


@pytest.mark.django_db
def test_the_accuracy_page_takes_the_same_queries_for_10_or_200_products(
    client, users, cycle
) -> None:
    client.login(username=users[Role.DEMAND_PLANNER].username, password=PASSWORD)
    _snapshots(cycle, 10, "S")
    with CaptureQueriesContext(connection) as small:
        first = client.get("/demand/accuracy/")
    _snapshots(cycle, 190, "L")
    with CaptureQueriesContext(connection) as large:
        second = client.get("/demand/accuracy/")
    assert first.status_code == second.status_code == 200
    assert second.context["cell_count"] == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def _more_cycles(products: list[Product], count: int) -> None:
    """``count`` earlier signed-off cycles, each with a lag-k November cell per product."""
    for k in range(1, count + 1):
        index = 2026 * 12 + 10 - k  # November 2026 minus k months
        month = dt.date(index // 12, index % 12 + 1, 1)
        earlier = PlanningCycle.objects.create(month=month, state="closed")
        ConsensusSnapshot.objects.bulk_create(
            ConsensusSnapshot(cycle=earlier, product=p, month=NOVEMBER, lag_months=k,
                              naive_units=Decimal("70"), statistical_units=Decimal(80 + k),
                              consensus_units=Decimal(90 + k))
            for p in products
        )  # fmt: skip


@pytest.mark.django_db
def test_the_accuracy_page_takes_the_same_queries_after_1_or_12_cycles(client, users, cycle):
    client.login(username=users[Role.DEMAND_PLANNER].username, password=PASSWORD)
    _snapshots(cycle, 10, "S")
    with CaptureQueriesContext(connection) as one:
        first = client.get("/demand/accuracy/")
    _more_cycles(list(Product.objects.all()), 11)
    with CaptureQueriesContext(connection) as twelve:
        second = client.get("/demand/accuracy/")
    assert first.status_code == second.status_code == 200
    assert (first.context["cell_count"], second.context["cell_count"]) == (10, 120)
    assert len(twelve.captured_queries) == len(one.captured_queries)
    assert [r["lag"] for r in second.context["by_lag"]][:1] and len(second.context["by_lag"]) == 12


@pytest.mark.django_db
def test_the_database_sums_give_the_published_metrics_and_a_sales_correction_shows(
    client, users, cycle
) -> None:
    client.login(username=users[Role.DEMAND_PLANNER].username, password=PASSWORD)
    _snapshots(cycle, 12, "S")
    _more_cycles(list(Product.objects.all()), 2)
    page = client.get("/demand/accuracy/").context
    # Given the same cells scored in Python by the definitions
    actual = {(p, m): float(q) for p, m, q in SalesHistory.objects.values_list(
        "product_id", "month", "quantity")}  # fmt: skip
    cells = pd.DataFrame.from_records(
        [(s.product_id, s.product.sku, s.product.family.code, s.month, s.lag_months,
          float(s.naive_units), float(s.statistical_units), float(s.consensus_units),
          actual.get((s.product_id, s.month), 0.0))
         for s in ConsensusSnapshot.objects.select_related("product__family")],
        columns=["product_id", "sku", "family", "month", "lag", "naive_units",
                 "statistical_units", "consensus_units", "actual_units"],
    )  # fmt: skip
    # Then the page shows the same figures
    for table, by in (("by_family", ["family"]), ("by_lag", ["lag"])):
        expected = accuracy_table(cells, by)
        assert len(page[table]) == len(expected)
        for got, want in zip(page[table], expected, strict=True):
            assert got == pytest.approx(want), table
    # When the ERP corrects a November sale, the page (cached until then) shows it at once
    SalesHistory.objects.filter(pk=SalesHistory.objects.order_by("pk")[0].pk).update(
        quantity=Decimal("5000")
    )
    after = client.get("/demand/accuracy/").context
    assert after["by_family"][0]["actual_units"] > page["by_family"][0]["actual_units"]


@pytest.mark.django_db
def test_after_a_sales_import_the_report_is_ready_before_anyone_opens_the_page(
    client, users, cycle
) -> None:
    from demand.accuracy_warm import after_import

    # Given signed-off snapshots, when a sales-history import is applied (its hook runs the
    # warming task; Celery is eager here)
    _snapshots(cycle, 10, "S")
    after_import("sales_history", 0)
    # Then the page answers from the warmed report without reading a snapshot
    client.login(username=users[Role.DEMAND_PLANNER].username, password=PASSWORD)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/demand/accuracy/")
    assert page.status_code == 200 and page.context["cell_count"] == 10
    assert not any("demand_consensussnapshot" in q["sql"] for q in queries.captured_queries)
