"""After approval nothing changes the published plan: not new data, not late runs, not re-run
attempts through services or pages, not admin, not raw SQL (issue 10: "The approved plan moves",
"Signed-off stages stay editable")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from cycles.approval import snapshot_hash
from cycles.models import StageEvent
from cycles.plan import PLAN_STEP_ORDER, plan_status
from cycles.plan_models import ApprovedPlan, ApprovedPlanRow, PlanBuildRun, PlanStep
from cycles.replan import plan_replan
from cycles.services import TransitionError
from cycles.tasks import plan_build_task
from datainputs.models import SalesHistory
from demand.models import ConsensusSnapshot, CurrentForecast, DemandEvent, ReasonCode
from demand.overrides import CellEdit, overrides_apply
from demand.services import DemandError, forecast_run_now, forecast_run_request
from demo.load import DEMO_PASSWORD
from inventory.calculation import inventory_run_execute
from inventory.models import InventoryRun
from inventory.services import (
    InventoryError,
    TargetChange,
    inventory_run_request,
    service_targets_update,
)
from masterdata.models import Product, ProductFamily, SupplyTerm
from supply.models import SupplyPlanRun
from supply.planning import supply_run_execute
from supply.services import SupplyError, supply_run_request

pytestmark = pytest.mark.django_db


def _published(cycle) -> tuple[str, list[dict]]:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.login(username="supply", password=DEMO_PASSWORD)
    response = api.get(f"/api/v1/cycles/{cycle.month:%Y-%m}/plan/")
    assert response.status_code == 200
    return response["ETag"], response.json()["rows"]


def _snapshot(approved: ApprovedPlan) -> list[tuple]:  # type: ignore[type-arg]
    return list(ApprovedPlanRow.objects.filter(approved_plan=approved).order_by("pk").values_list())


def _refused(call, error) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error):
        call()


def test_the_closed_demo_cycle_went_through_the_pipeline_with_pinned_sign_offs(
    demo_company,
) -> None:
    october = demo_company["october"]
    # Every step pins a run; every sign-off records what it approved; approval froze the plan
    steps = {s.key: s for s in PlanStep.objects.filter(cycle=october)}
    assert set(steps) == set(PLAN_STEP_ORDER) and all(s.run_id for s in steps.values())
    assert steps["supply"].inputs["runs"]["targets"] == steps["targets"].run_id
    assert steps["projection"].inputs["runs"]["supply"] == steps["supply"].run_id
    supply_sign_off = StageEvent.objects.get(cycle=october, stage_key="supply_review")
    assert supply_sign_off.pinned["runs"]["supply"] == steps["supply"].run_id
    approved = ApprovedPlan.objects.get(cycle=october)
    approval = StageEvent.objects.get(cycle=october, action="approve")
    assert approval.pinned["sha256"] == approved.sha256 == snapshot_hash(approved)
    assert approved.row_count == ApprovedPlanRow.objects.filter(approved_plan=approved).count() > 0
    assert approved.run_ids["supply"] == steps["supply"].run_id


def _change_data_after_approval(october) -> None:  # type: ignore[no-untyped-def]
    sale = SalesHistory.objects.filter(month=dt.date(2026, 9, 1)).order_by("pk")[0]
    sale.quantity += Decimal("500")  # an ERP re-sending a corrected month
    sale.save()
    product = Product.objects.order_by("sku")[0]
    product.unit_price += Decimal("3")  # a price change
    product.family = ProductFamily.objects.exclude(pk=product.family_id)[0]  # family move
    product.save()
    term = SupplyTerm.objects.order_by("pk")[0]
    term.lead_time_days += 30  # a lead-time change
    term.save()


def _late_runs(october) -> None:  # type: ignore[no-untyped-def]
    # Runs queued before the approval and finishing after it end without writing the plan
    supply = SupplyPlanRun.objects.create(cycle=october)
    assert supply_run_execute(supply.pk) == "failed"
    supply.refresh_from_db()
    assert supply.error.startswith("Not applied") or "approved" in supply.error
    projection = InventoryRun.objects.create(cycle=october, plan_step="projection")
    assert inventory_run_execute(projection.pk) == "failed"
    build = PlanBuildRun.objects.create(cycle=october)
    assert plan_build_task(build.pk) == "failed"
    build.refresh_from_db()
    assert build.error.startswith("Not rebuilt") and "approved" in build.error


def _rerun_attempts(october, users) -> None:  # type: ignore[no-untyped-def]
    pk = october.pk
    _refused(lambda: supply_run_request(pk, users["supply"]), SupplyError)
    _refused(lambda: inventory_run_request(pk, users["inventory"]), InventoryError)
    _refused(lambda: forecast_run_request(pk, users["demand"]), DemandError)
    _refused(lambda: forecast_run_now(pk, users["demand"]), DemandError)
    change = TargetChange(segment="AX", service_target=Decimal("0.99"), version=0)
    _refused(lambda: service_targets_update(pk, [change], users["inventory"], "x"), InventoryError)
    product = Product.objects.order_by("sku")[0]
    edit = CellEdit(month=october.month, consensus_units=Decimal("999"), version=0,
                    product_id=product.pk)  # fmt: skip
    _refused(
        lambda: overrides_apply(pk, [edit], users["demand"], reason=ReasonCode.PROMOTION),
        DemandError,
    )
    _refused(lambda: plan_replan(pk, users["admin"]), TransitionError)
    for user, url in (
        ("supply", f"/supply/{pk}/plan/"),
        ("inventory", f"/inventory/{pk}/calculate/"),
        ("demand", f"/demand/cycles/{pk}/runs/"),
    ):
        browser = Client()
        browser.login(username=user, password=DEMO_PASSWORD)
        assert browser.post(url).status_code == 302, url  # refused with a message, no 500


def _admin_and_sql(october) -> None:  # type: ignore[no-untyped-def]
    admin = Client()
    admin.login(username="admin", password=DEMO_PASSWORD)
    change = admin.post(f"/admin/cycles/planningcycle/{october.pk}/change/",
                        {"month": "2026-10-01", "horizon_months": "3"})  # fmt: skip
    assert change.status_code == 403
    event = StageEvent.objects.filter(cycle=october)[0]
    assert (
        admin.post(f"/admin/cycles/stageevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert admin.get("/admin/cycles/stageevent/add/").status_code == 403
    table = ApprovedPlanRow._meta.db_table
    for sql in (f"UPDATE {table} SET revenue_eur = 0", f"DELETE FROM {table}"):
        with (
            pytest.raises(DatabaseError, match="immutable"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)


def test_nothing_after_approval_changes_the_published_plan(demo_company) -> None:
    # Given the demo's closed October cycle, published with its hash as ETag
    october = demo_company["october"]
    approved = ApprovedPlan.objects.get(cycle=october)
    tag, rows = _published(october)
    before = _snapshot(approved)
    forecast = CurrentForecast.objects.get(cycle=october).run_id
    snapshot = list(ConsensusSnapshot.objects.filter(cycle=october).values_list())
    # When data changes, late runs finish, every stage tries to re-run, admin and SQL edit
    _change_data_after_approval(october)
    _late_runs(october)
    _rerun_attempts(october, demo_company)
    _admin_and_sql(october)
    # Then 0 approved rows changed, the hash still matches, ETag and body are the same
    assert _snapshot(approved) == before
    assert snapshot_hash(approved) == approved.sha256
    assert _published(october) == (tag, rows)
    assert tag == f'"{approved.sha256}"'
    assert CurrentForecast.objects.get(cycle=october).run_id == forecast
    assert list(ConsensusSnapshot.objects.filter(cycle=october).values_list()) == snapshot
    assert not DemandEvent.objects.filter(cycle=october).exists()
    october.refresh_from_db()
    assert october.horizon_months == 18 and october.state == "closed"
    assert not [s for s in plan_status(october) if s.stale]  # a frozen plan is never stale
