"""A family save costs the same queries for 2 products as for 40, and still audits every cell."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from cycles.models import AuditEntry
from demand.models import DemandOverride, StatisticalForecast
from demand.selectors import current_run, horizon_months
from masterdata.models import Product
from tests.demand.conftest import family_products
from tests.factories import PASSWORD, ProductFactory

pytestmark = pytest.mark.django_db


def _grow(cycle: Any, code: str, extra: int) -> list[Product]:
    """``extra`` more products in family ``code``, each with a forecast in the current run."""
    family = family_products(code)[0].family
    added = [
        cast(Product, ProductFactory(sku=f"{code}-X{i:03d}", family=family)) for i in range(extra)
    ]
    run = current_run(cycle)
    StatisticalForecast.objects.bulk_create(
        StatisticalForecast(run=run, product=p, month=m, forecast_units=Decimal(10 + i),
                            lower_units=Decimal(5), upper_units=Decimal(20), model="ets")
        for i, p in enumerate(added) for m in horizon_months(cycle)
    )  # fmt: skip
    return family_products(code)


def _save_family(client: Any, cycle: Any, family_id: int, units: str, version: int) -> int:
    """Queries of one family-cell save over HTTP (the view: write + the changed cells)."""
    edit = {"family_id": family_id, "month": "2027-01", "consensus_units": units,
            "version": version}  # fmt: skip
    body = json.dumps({"reason": "customer_intel", "comment": "bench", "edits": [edit]})
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(f"/demand/cycles/{cycle.pk}/overrides/", body,
                             content_type="application/json")  # fmt: skip
    assert answer.status_code == 200, answer.content
    return len(queries)


def test_a_family_save_takes_as_many_queries_for_40_products_as_for_2(
    client, forecast_cycle, users
) -> None:
    # Given HELMETS has 2 products and BIKES 3 + 40, all forecast
    bikes = _grow(forecast_cycle, "BIKES", 40)
    helmets = family_products("HELMETS")
    client.login(username=users[Role.DEMAND_PLANNER].username, password=PASSWORD)
    # When the planner types a January total for each family (new overrides), then BIKES again
    # (every product already overridden: updated in place)
    small = _save_family(client, forecast_cycle, helmets[0].family_id, "500", 0)
    large = _save_family(client, forecast_cycle, bikes[0].family_id, "5000", 0)
    version = sum(
        DemandOverride.objects.filter(product__in=bikes).values_list("version", flat=True)
    )
    again = _save_family(client, forecast_cycle, bikes[0].family_id, "6000", version)
    # Then the saves take the same number of queries whatever the family size
    assert large == small and again <= small
    # And every product cell changed is audited, once per save, with before and after
    entries = AuditEntry.objects.filter(table="demand_override", record_key__startswith="BIKE")
    assert entries.count() == 2 * len(bikes)
    assert set(
        DemandOverride.objects.filter(product__in=bikes).values_list("version", flat=True)
    ) == {2}
    total = sum(o.consensus_units for o in DemandOverride.objects.filter(product__in=bikes))
    assert total == Decimal("6000.00")
