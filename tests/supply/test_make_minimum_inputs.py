"""A make term's minimum run in the master data reaches the plan (issue 13: it was ignored, so
the plan made runs of any size, down to 9.4 units).

Plant of `tests.supply.conftest`: MADE-1 sells 150 a month, LINE-1 makes 100 a month (1 h per
unit, no overtime), cost 4, price 7.5.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.roles import Role
from masterdata.models import SupplyTerm
from supply import services
from supply.inputs import cycle_inputs
from supply.models import PlannedOrder, Shortage

pytestmark = pytest.mark.django_db


def _minimum(plant, units: str) -> None:  # type: ignore[no-untyped-def]
    SupplyTerm.objects.filter(product=plant["made"], source_type="make").update(
        min_order_qty=Decimal(units)
    )


def test_given_a_make_minimum_then_the_engine_receives_it(plant, cycle) -> None:  # type: ignore[no-untyped-def]
    _minimum(plant, "250")
    terms = cycle_inputs(cycle).inputs.make_terms
    assert terms.loc[terms["product"] == "MADE-1", "min_order_qty_units"].tolist() == [250.0]


def test_given_a_make_minimum_above_the_line_then_nothing_is_made_and_the_minimum_is_blamed(
    plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    # Given a minimum run of 250 on a line that makes 100 a month (before: 100 made each month)
    _minimum(plant, "250")
    # When the supply planner plans
    run = services.supply_run_now(cycle.pk, users[Role.SUPPLY_PLANNER])
    assert run.status == "succeeded", run.error
    # Then no run is planned, and every MADE-1 shortage names the minimum, not an economic choice
    assert not PlannedOrder.objects.filter(run=run, product=plant["made"]).exists()
    reasons = set(
        Shortage.objects.filter(run=run, product=plant["made"]).values_list("reason", flat=True)
    )
    assert reasons == {"moq_above_capacity"}


def test_given_a_make_minimum_within_the_line_then_every_run_reaches_it(
    plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    # Given a minimum run of 80 on the 100-a-month line (demand 150 a month)
    _minimum(plant, "80")
    run = services.supply_run_now(cycle.pk, users[Role.SUPPLY_PLANNER])
    assert run.status == "succeeded", run.error
    # Then every planned run is at least 80 (the line still makes its 100 a month)
    runs = PlannedOrder.objects.filter(run=run, product=plant["made"])
    assert runs.exists()
    assert min(r.quantity_units for r in runs) >= 80.0 - 1e-6
    first = runs.get(release_month=dt.date(2026, 11, 1))
    assert first.quantity_units == pytest.approx(100.0)
