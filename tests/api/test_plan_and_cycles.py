"""Cycles with stage statuses; the approved plan as JSON and CSV with ETag; 404 with a reason."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from cycles.models import PlanningCycle
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner(users) -> APIClient:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.login(username=users[Role.SUPPLY_PLANNER].username, password=PASSWORD)
    return api


def test_cycles_list_their_stage_statuses(planner, cycle) -> None:
    body = planner.get("/api/v1/cycles/").json()
    assert body["count"] == 1
    listed = body["results"][0]
    assert listed["month"] == "2026-11" and listed["state"] == cycle.state
    assert [s["key"] for s in listed["stages"]][:2] == ["data_inputs", "demand_review"]
    assert planner.get("/api/v1/cycles/2026-11/").json()["month"] == "2026-11"
    missing = planner.get("/api/v1/cycles/2031-01/")
    assert (
        missing.status_code == 404 and "no planning cycle for 2031-01" in missing.json()["detail"]
    )


def test_plan_is_404_with_a_reason_until_approved(planner, cycle) -> None:
    response = planner.get("/api/v1/cycles/2026-11/plan/")
    assert response.status_code == 404
    assert "not approved yet" in response.json()["detail"]
    assert planner.get("/api/v1/plans/").json()["count"] == 0


def test_approved_plan_as_json_and_csv_with_etag(planner, cycle, loaded_inputs, erp) -> None:
    PlanningCycle.objects.filter(pk=cycle.pk).update(state="approved")
    response = erp.get("/api/v1/cycles/2026-11/plan/")
    assert response.status_code == 200
    plan = response.json()
    sku = loaded_inputs.product.sku
    assert plan["cycle"] == "2026-11" and plan["state"] == "approved"
    assert {"demand", "supply", "inventory_targets"} <= set(plan)
    first = plan["demand"][0]
    assert first["sku"] == sku and first["site"] == loaded_inputs.site.code
    assert first["month"] == "2026-11" and first["demand_units"] > 0
    tag = response["ETag"]
    assert erp.get("/api/v1/cycles/2026-11/plan/", HTTP_IF_NONE_MATCH=tag).status_code == 304
    as_csv = erp.get("/api/v1/cycles/2026-11/plan/?format=csv")
    assert as_csv.status_code == 200 and as_csv["Content-Type"].startswith("text/csv")
    lines = as_csv.content.decode().splitlines()
    assert lines[0].startswith("section,sku,site,month,demand_units")
    assert lines[1].startswith(f"demand,{sku},")
    assert as_csv["ETag"] != tag
    assert erp.get("/api/v1/plans/").json()["results"][0]["plan_url"].endswith("2026-11/plan/")


def test_plan_exports_production_and_purchase_orders_by_mode(planner, cycle, loaded_inputs) -> None:
    import datetime as dt

    from django.utils import timezone

    from supply.models import PlannedOrder, SupplyPlanRun

    run = SupplyPlanRun.objects.create(cycle=cycle, status="succeeded", finished_at=timezone.now())
    PlannedOrder.objects.create(
        run=run,
        product=loaded_inputs.product,
        site=loaded_inputs.site,
        source_type="buy",
        source_code="SUP-ASIA",
        mode="air",
        release_month=dt.date(2026, 11, 1),
        receipt_month=dt.date(2026, 12, 1),
        quantity_units=40.0,
    )
    PlanningCycle.objects.filter(pk=cycle.pk).update(state="approved")
    plan = planner.get("/api/v1/cycles/2026-11/plan/").json()
    assert plan["supply_orders"] == [
        {
            "sku": loaded_inputs.product.sku,
            "site": loaded_inputs.site.code,
            "source_type": "buy",
            "source": "SUP-ASIA",
            "mode": "air",
            "month": "2026-11",
            "receipt_month": "2026-12",
            "quantity_units": 40.0,
            "firm_units": 0.0,
        }
    ]
    assert plan["supply"][0]["planned_units"] == 40.0
