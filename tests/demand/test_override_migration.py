"""The data migration to typed overrides keeps every consensus number planners saw.

Given override rows stored the old way (an adjustment on top of statistical + events), when
migration demand 0002 runs, then each row holds the consensus that was displayed before
(never below zero), including a cell the forecast does not cover and a family % event.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("demand", "0001_initial")]
AFTER = [("demand", "0002_override_stores_typed_consensus")]
DEC = dt.date(2026, 12, 1)


def _old_world(apps):  # type: ignore[no-untyped-def]
    """One cycle: a run with BIKE-A 100 and BIKE-B 40 in December, +10 % on the family."""
    family = apps.get_model("masterdata", "ProductFamily").objects.create(code="BIKES", name="B")
    product = apps.get_model("masterdata", "Product")
    a, b, c = (
        product.objects.create(sku=sku, name=sku, family=family, unit_cost=1, unit_price=2)
        for sku in ("BIKE-A", "BIKE-B", "BIKE-C")
    )
    cycle = apps.get_model("cycles", "PlanningCycle").objects.create(
        month=dt.date(2026, 11, 1), state="demand_review"
    )
    run = apps.get_model("demand", "ForecastRun").objects.create(cycle=cycle, status="succeeded")
    apps.get_model("demand", "CurrentForecast").objects.create(cycle=cycle, run=run)
    for item, units in ((a, 100), (b, 40)):
        apps.get_model("demand", "StatisticalForecast").objects.create(
            run=run, product=item, month=DEC, forecast_units=units, lower_units=0,
            upper_units=units, model="ets",
        )  # fmt: skip
    apps.get_model("demand", "DemandEvent").objects.create(
        cycle=cycle, name="Promo", family=family, start_month=DEC, end_month=DEC,
        uplift_kind="percent", uplift_value=10,
    )  # fmt: skip
    override = apps.get_model("demand", "DemandOverride")
    for item, adjustment in ((a, "50"), (b, "-500"), (c, "30")):
        override.objects.create(cycle=cycle, product=item, month=DEC, reason="other",
                                adjustment_units=Decimal(adjustment))  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_existing_overrides_keep_todays_consensus() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        _old_world(executor.loader.project_state(BEFORE).apps)
        executor.loader.build_graph()
        executor.migrate(AFTER)
        apps = executor.loader.project_state(AFTER).apps
        rows = apps.get_model("demand", "DemandOverride").objects.values_list(
            "product__sku", "consensus_units", "statistical_at_entry_units"
        )
        assert sorted(rows) == [
            ("BIKE-A", Decimal("160.00"), Decimal("100.00")),  # 100 + 10 % + 50
            ("BIKE-B", Decimal("0.00"), Decimal("40.00")),  # 40 + 4 - 500, never below 0
            ("BIKE-C", Decimal("30.00"), Decimal("0.00")),  # no forecast row: 0 + 30
        ]
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
