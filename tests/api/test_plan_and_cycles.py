"""Cycles with stage statuses; the plan record (approved snapshot or current) as JSON and CSV
with its hash as ETag; 404 with a reason."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.roles import Role
from cycles.plan_models import ApprovedPlan
from tests.factories import PASSWORD, walk_to_approval

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


def test_plan_is_404_with_a_reason_until_it_is_built(planner, cycle) -> None:
    response = planner.get("/api/v1/cycles/2026-11/plan/")
    assert response.status_code == 404
    assert "no consensus plan yet" in response.json()["detail"]
    assert planner.get("/api/v1/plans/").json()["count"] == 0


def test_approved_plan_as_json_and_csv_with_its_hash_as_etag(planner, cycle, users, loaded_inputs,
                                                              erp) -> None:  # fmt: skip
    # Given an approved cycle whose plan has the loaded product's demand of 120 a month
    walk_to_approval(cycle, users)
    approved = ApprovedPlan.objects.get(cycle=cycle)
    # When the ERP fetches it
    response = erp.get("/api/v1/cycles/2026-11/plan/")
    # Then it gets the snapshot's rows with natural keys, money at standard price, ETag = hash
    assert response.status_code == 200
    plan = response.json()
    sku = loaded_inputs.product.sku
    assert plan["cycle"] == "2026-11" and plan["state"] == "approved" and plan["approved"]
    assert plan["sha256"] == approved.sha256 and response["ETag"] == f'"{approved.sha256}"'
    first = plan["rows"][0]
    assert first["sku"] == sku and first["site"] == loaded_inputs.site.code
    assert first["month"] == "2026-11" and first["consensus_demand_units"] == 120.0
    assert first["revenue_eur"] == 120.0 * 7.5 and first["cogs_eur"] == 120.0 * 4.0
    tag = response["ETag"]
    assert erp.get("/api/v1/cycles/2026-11/plan/", HTTP_IF_NONE_MATCH=tag).status_code == 304
    as_csv = erp.get("/api/v1/cycles/2026-11/plan/?format=csv")
    assert as_csv.status_code == 200 and as_csv["Content-Type"].startswith("text/csv")
    lines = as_csv.content.decode().splitlines()
    assert lines[0].startswith("section,sku,site,family,month,consensus_demand_units")
    assert lines[1].startswith(f"rows,{sku},")
    assert as_csv["ETag"] != tag
    assert erp.get("/api/v1/plans/").json()["results"][0]["plan_url"].endswith("2026-11/plan/")


def test_open_cycle_serves_its_current_plan_record(planner, cycle, users, loaded_inputs) -> None:
    # Given a cycle in reconciliation with its plan record built
    walk_to_approval(cycle, users, stop_at="reconciliation")
    # When a planner fetches the plan
    plan = planner.get("/api/v1/cycles/2026-11/plan/").json()
    # Then it is the current (not yet approved) record, with the runs it was built from
    assert plan["approved"] is False and plan["state"] == "reconciliation"
    assert [r["consensus_demand_units"] for r in plan["rows"]] == [120.0, 120.0, 120.0]
    assert set(plan["run_ids"]) == {"demand", "targets", "supply", "projection", "finance"}


def test_a_matching_etag_answers_304_without_reading_the_approved_rows(
    cycle, users, loaded_inputs, erp
) -> None:
    # Given an approved plan the ERP fetched once
    walk_to_approval(cycle, users)
    tag = erp.get("/api/v1/cycles/2026-11/plan/")["ETag"]
    # When it revalidates, JSON and CSV alike
    with CaptureQueriesContext(connection) as queries:
        answer = erp.get("/api/v1/cycles/2026-11/plan/", HTTP_IF_NONE_MATCH=tag)
    # Then the 304 comes from the stored hash: no plan row is read, nothing is rebuilt
    assert answer.status_code == 304 and answer["ETag"] == tag
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert "approvedplanrow" not in read and "cycles_planrow" not in read
