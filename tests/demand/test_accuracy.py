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
