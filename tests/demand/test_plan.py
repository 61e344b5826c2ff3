"""The cross-stage contract: the cycle's demand per product, site and month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.roles import Role
from demand.overrides import CellEdit, overrides_apply
from demand.selectors import cycle_demand_plan
from masterdata.models import Product, Site
from tests.demand.conftest import family_products
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_before_any_forecast_the_plan_is_the_run_rate(review_cycle) -> None:
    plan = cycle_demand_plan(review_cycle)
    assert set(plan["source"]) == {"run_rate"}


def test_the_consensus_is_split_to_sites_by_recent_sales_share(forecast_cycle, users) -> None:
    helm = family_products("HELMETS")[0]
    overrides_apply(
        forecast_cycle.pk,
        [
            CellEdit(
                month=dt.date(2026, 12, 1),
                consensus_units=Decimal("100"),
                version=0,
                product_id=helm.pk,
            )
        ],
        users[Role.DEMAND_PLANNER],
        reason="customer_intel",
    )
    plan = cycle_demand_plan(forecast_cycle)
    assert list(plan.columns) == [
        "product_id",
        "site_id",
        "month",
        "demand_units",
        "consensus_units",
        "backlog_units",
        "source",
    ]
    assert set(plan["source"]) == {"consensus"}
    cell = plan[(plan["product_id"] == helm.pk) & (plan["month"] == dt.date(2026, 12, 1))]
    by_site = dict(zip(cell["site_id"], cell["demand_units"], strict=True))
    dc1, dc2 = Site.objects.get(code="DC1"), Site.objects.get(code="DC2")
    assert by_site[dc1.pk] == pytest.approx(75.0, abs=0.5)
    assert by_site[dc2.pk] == pytest.approx(25.0, abs=0.5)
    assert len(plan) == 5 * 2 * 18


def test_a_new_product_is_forecast_from_its_like_item_and_borrows_its_sites(
    review_cycle, users
) -> None:
    from demand.services import forecast_run_now

    bike2 = family_products("BIKES")[1]  # level 300
    new: Product = ProductFactory(  # type: ignore[assignment]
        sku="BIKE-NEW",
        family=bike2.family,
        lifecycle="new",
        like_product=bike2,
        like_scale=Decimal("0.5"),
    )
    run = forecast_run_now(review_cycle.pk, users[Role.DEMAND_PLANNER])
    assert run.status == "succeeded"
    plan = cycle_demand_plan(review_cycle)
    mine = plan[plan["product_id"] == new.pk]
    monthly = mine.groupby("month")["demand_units"].sum()
    assert monthly.mean() == pytest.approx(150.0, rel=0.1)
    assert mine["site_id"].nunique() == 2
    from demand.models import StatisticalForecast

    assert "like BIKE-2" in StatisticalForecast.objects.filter(run=run, product=new)[0].model


def test_one_month_of_the_signed_off_demand_is_that_month_of_the_whole(
    forecast_cycle, users
) -> None:
    from cycles.services import stage_sign_off

    december = dt.date(2026, 12, 1)
    # Given the demand review is signed off (the demand is frozen)
    stage_sign_off(forecast_cycle.pk, "demand_review", users[Role.DEMAND_PLANNER], "ok")
    forecast_cycle.refresh_from_db()
    whole = cycle_demand_plan(forecast_cycle)
    # When only December is read
    one = cycle_demand_plan(forecast_cycle, month=december)
    # Then it is exactly December of the whole plan, row for row
    expected = whole[whole["month"] == december].reset_index(drop=True)
    assert len(one) > 0 and one.equals(expected)
