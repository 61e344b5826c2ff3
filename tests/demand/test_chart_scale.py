"""The demand chart shows the same numbers as before, whatever the family's size costs.

The family chart sums its products' history by month in the database; its numbers are the ones
the per-product reading gave (history, statistical with its interval, consensus with overrides
and events). Its queries, and the warming task's, do not grow with the number of products.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from datainputs.models import SalesHistory
from demand.charts import CHART_HISTORY_MONTHS, chart_series
from demand.events import event_create
from demand.grid_warm import warm_first_paint
from demand.overrides import CellEdit, overrides_apply
from demand.selectors import actuals_frame, consensus_frame, history_months
from demand.services import forecast_run_now
from masterdata.models import Product
from tests.demand.conftest import family_products
from tests.factories import ProductFactory
from tests.helpers import months_back

pytestmark = pytest.mark.django_db
DEC = dt.date(2026, 12, 1)


def _per_product_reading(cycle, ids):  # type: ignore[no-untyped-def]
    """The chart's history and consensus as the per-product code read them (the reference)."""
    months = history_months(cycle, CHART_HISTORY_MONTHS)
    history = actuals_frame(ids, months[0], cycle.month).groupby("month")["actual_units"].sum()
    sums = consensus_frame(cycle, ids).groupby("month")
    columns = ["statistical_units", "lower_units", "upper_units", "consensus_units"]
    return history.sort_index(), sums[columns].sum().sort_index()


def _y(series: pd.Series) -> list[float]:
    return [round(float(v), 2) for v in series]


def test_the_family_chart_shows_the_numbers_of_the_per_product_reading(forecast_cycle, users):
    # Given a family with a typed cell, a family event and a product event
    bikes = family_products("BIKES")
    planner = users[Role.DEMAND_PLANNER]
    overrides_apply(forecast_cycle.pk, [CellEdit(DEC, Decimal("77.5"), 0, bikes[0].pk)], planner,
                    reason="customer_intel")  # fmt: skip
    for target in ({"family": bikes[0].family}, {"product": bikes[1]}):
        event_create(forecast_cycle.pk, {"name": "Promo", "start_month": DEC, "end_month": DEC,
                     "uplift_kind": "units", "uplift_value": Decimal("40"), **target}, planner)  # fmt: skip
    ids = [p.pk for p in bikes]
    # When the chart is drawn
    chart = chart_series(forecast_cycle, ids)
    # Then every series has the per-product reading's numbers
    history, sums = _per_product_reading(forecast_cycle, ids)
    assert chart["history"]["x"] == [f"{m:%Y-%m-%d}" for m in history.index]
    assert chart["history"]["y"] == _y(history)
    assert chart["statistical"]["y"] == _y(sums["statistical_units"])
    assert chart["statistical"]["lower"] == _y(sums["lower_units"])
    assert chart["statistical"]["upper"] == _y(sums["upper_units"])
    assert chart["consensus"]["y"] == _y(sums["consensus_units"])
    assert chart["consensus"]["x"] == [f"{m:%Y-%m-%d}" for m in sums.index]


def _more_bikes(count: int) -> None:
    """``count`` more products in the BIKES family with two years of history."""
    bike = family_products("BIKES")[0]
    sale = SalesHistory.objects.filter(product=bike).first()
    assert sale is not None
    for n in range(count):
        product = ProductFactory.create(sku=f"BIKE-X{n}", family=bike.family)
        SalesHistory.objects.bulk_create(
            SalesHistory(product=product, site=sale.site, channel=sale.channel, month=month,
                         quantity=Decimal(10 + n + 0.5 * math.sin(i)), revenue=Decimal("1"))
            for i, month in enumerate(months_back(24))
        )  # fmt: skip


def _queries(function) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_chart_and_warming_queries_do_not_grow_with_the_family(review_cycle, users):
    from django.core.cache import caches

    def counts() -> tuple[int, int]:
        forecast_run_now(review_cycle.pk, users[Role.DEMAND_PLANNER])
        review_cycle.refresh_from_db()
        caches["versioned"].clear()
        ids = list(Product.objects.filter(family__code="BIKES").values_list("pk", flat=True))
        return (
            _queries(lambda: chart_series(review_cycle, ids)),
            _queries(lambda: warm_first_paint(review_cycle.pk)),
        )

    # Given the counts for a family of three products
    small = counts()
    # When the family grows to thirteen
    _more_bikes(10)
    # Then the chart and the warming task run the same number of queries
    assert counts() == small
