"""Consensus as typed (issue 10, "Consensus that drifts or vanishes").

A typed consensus is a number the planner signs for: a sales correction and a forecast re-run
must not move it, the audit log and the plan handed downstream must agree with it, and the grid
must show that the statistical forecast moved underneath.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F

from accounts.roles import Role
from cycles.models import AuditEntry
from datainputs.models import SalesHistory
from demand import grid
from demand.models import DemandOverride
from demand.overrides import CellEdit, overrides_apply
from demand.selectors import consensus_frame, cycle_demand_plan
from demand.services import forecast_run_now
from masterdata.models import Product, Site
from tests.demand.conftest import family_products
from tests.factories import ProductFactory
from tests.helpers import months_back

pytestmark = pytest.mark.django_db
DEC = dt.date(2026, 12, 1)


def _cell(cycle, product_id: int, month: dt.date = DEC):  # type: ignore[no-untyped-def]
    frame = consensus_frame(cycle, [product_id])
    return frame[frame["month"] == month].iloc[0]


def _correct_sales_and_rerun(cycle, product: Product, users) -> None:  # type: ignore[no-untyped-def]
    """An ERP re-sends the last six months of ``product`` doubled; the forecast is re-run."""
    SalesHistory.objects.filter(product=product, month__in=months_back(6)).update(
        quantity=F("quantity") * 2
    )
    run = forecast_run_now(cycle.pk, users[Role.DEMAND_PLANNER])
    assert run.status == "succeeded", run.error


def test_a_typed_consensus_survives_a_sales_correction_and_a_rerun(forecast_cycle, users) -> None:
    bike2 = family_products("BIKES")[1]
    overrides_apply(
        forecast_cycle.pk,
        [CellEdit(month=DEC, consensus_units=Decimal("300"), version=0, product_id=bike2.pk)],
        users[Role.DEMAND_PLANNER],
        reason="customer_intel",
    )
    statistical_before = float(_cell(forecast_cycle, bike2.pk)["statistical_units"])

    _correct_sales_and_rerun(forecast_cycle, bike2, users)

    now = _cell(forecast_cycle, bike2.pk)
    assert float(now["statistical_units"]) > statistical_before * 1.2
    assert float(now["consensus_units"]) == 300.0
    assert bool(now["statistical_changed"])
    audit = AuditEntry.objects.filter(table="demand_override", record_key="BIKE-2:2026-12").get()
    assert audit.after == "300.00"
    plan = cycle_demand_plan(forecast_cycle)
    cell = plan[(plan["product_id"] == bike2.pk) & (plan["month"] == DEC)]
    assert cell["demand_units"].sum() == pytest.approx(300.0)
    assert DemandOverride.objects.get(product=bike2).consensus_units == Decimal("300.00")


def test_the_grid_flags_the_cell_whose_statistical_forecast_moved(forecast_cycle, users) -> None:
    bike2 = family_products("BIKES")[1]
    overrides_apply(
        forecast_cycle.pk,
        [CellEdit(month=DEC, consensus_units=Decimal("300"), version=0, product_id=bike2.pk)],
        users[Role.DEMAND_PLANNER],
        reason="customer_intel",
    )
    data = grid.grid_data(forecast_cycle, bike2.family, users[Role.DEMAND_PLANNER])
    row = next(r for r in data.rows if r["id"] == f"p{bike2.pk}-consensus")
    assert row["statistical_changed"] == {}

    _correct_sales_and_rerun(forecast_cycle, bike2, users)

    data = grid.grid_data(forecast_cycle, bike2.family, users[Role.DEMAND_PLANNER])
    row = next(r for r in data.rows if r["id"] == f"p{bike2.pk}-consensus")
    new_statistical = round(float(_cell(forecast_cycle, bike2.pk)["statistical_units"]), 2)
    assert row["statistical_changed"] == {"m2026_12": new_statistical}
    assert row["m2026_12"] == 300.0


def test_a_family_edit_is_stored_as_product_values_that_stay(forecast_cycle, users) -> None:
    helmets = family_products("HELMETS")
    overrides_apply(
        forecast_cycle.pk,
        [CellEdit(month=DEC, consensus_units=Decimal("500"), version=0,
                  family_id=helmets[0].family_id)],
        users[Role.DEMAND_PLANNER],
        reason="customer_intel",
    )  # fmt: skip
    stored = dict(DemandOverride.objects.values_list("product_id", "consensus_units"))
    assert sum(stored.values()) == Decimal("500.00") and len(stored) == 2

    _correct_sales_and_rerun(forecast_cycle, helmets[0], users)

    frame = consensus_frame(forecast_cycle, [p.pk for p in helmets])
    december = frame[frame["month"] == DEC].set_index("product_id")["consensus_units"]
    assert december.to_dict() == {pid: float(units) for pid, units in stored.items()}


def test_a_product_without_a_forecast_keeps_the_planners_units(forecast_cycle, users) -> None:
    # A product that never sold is not forecast; the planner still gives it 50 units.
    bikes = family_products("BIKES")
    newcomer: Product = ProductFactory(  # type: ignore[assignment]
        sku="BIKE-LAUNCH", family=bikes[0].family
    )
    overrides_apply(
        forecast_cycle.pk,
        [CellEdit(month=DEC, consensus_units=Decimal("50"), version=0, product_id=newcomer.pk)],
        users[Role.DEMAND_PLANNER],
        reason="new_listing",
    )
    plan = cycle_demand_plan(forecast_cycle)
    mine = plan[plan["product_id"] == newcomer.pk]
    assert mine["demand_units"].sum() == pytest.approx(50.0)
    assert set(mine["site_id"]) == set(Site.objects.values_list("pk", flat=True))
