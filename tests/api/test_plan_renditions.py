"""The approved plan is rendered once and served from storage (issue 15: "approved plan over the
API: 20 s per call, rebuilt on every call")."""

from __future__ import annotations

import gzip
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from api.models import PlanRendition
from cycles.plan_models import ApprovedPlan
from tests.factories import walk_to_approval

pytestmark = pytest.mark.django_db

URL = "/api/v1/cycles/2026-11/plan/"


def test_the_approval_renders_json_and_csv_once_and_every_call_serves_them(
    cycle, users, loaded_inputs, erp, django_capture_on_commit_callbacks
) -> None:
    # Given the approval committed (its rendering task runs on commit)
    with django_capture_on_commit_callbacks(execute=True):
        walk_to_approval(cycle, users)
    approved = ApprovedPlan.objects.get(cycle=cycle)
    stored = {r.fmt: r for r in PlanRendition.objects.filter(sha256=approved.sha256)}
    assert set(stored) == {"json", "csv"}
    # When the ERP asks for the plan, accepting gzip
    with CaptureQueriesContext(connection) as queries:
        response = erp.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    # Then it gets the stored bytes as they were rendered, no plan row is read
    assert response["Content-Encoding"] == "gzip"
    assert response.content == bytes(stored["json"].gzip_body)
    assert not any("approvedplanrow" in q["sql"].lower() for q in queries.captured_queries)
    plan = json.loads(gzip.decompress(response.content))
    assert plan["sha256"] == approved.sha256 and plan["rows"][0]["consensus_demand_units"] == 120.0
    # And a client without gzip gets the same document, decompressed; CSV likewise
    assert erp.get(URL).json() == plan
    as_csv = erp.get(URL + "?format=csv")
    assert as_csv.content == gzip.decompress(bytes(stored["csv"].gzip_body))
    assert as_csv["Content-Disposition"] == 'attachment; filename="plan_2026-11.csv"'
    assert PlanRendition.objects.count() == 2


def test_without_a_rendition_the_first_call_renders_it_and_a_closed_cycle_gets_its_own(
    cycle, users, loaded_inputs, erp
) -> None:
    # Given an approval whose rendering task never ran (broker down)
    walk_to_approval(cycle, users)
    assert not PlanRendition.objects.exists()
    # When the ERP calls twice, the first call renders and stores, the second serves it
    first = erp.get(URL).json()
    assert PlanRendition.objects.filter(fmt="json").count() == 1
    assert erp.get(URL).json() == first and first["state"] == "approved"
    # When the cycle is closed, the document names its new state (a new rendition)
    from cycles.services import cycle_close

    cycle_close(cycle.pk, users[Role.ADMINISTRATOR], "Month over")
    assert erp.get(URL).json()["state"] == "closed"
    assert PlanRendition.objects.filter(fmt="json").count() == 2
