"""The approved plan is rendered once and served from storage (issue 15: "approved plan over the
API: 20 s per call, rebuilt on every call")."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from api import exports, renditions
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


def _marker(approved: ApprovedPlan, age: dt.timedelta, fmt: str = "json") -> PlanRendition:
    """A render of the document in progress elsewhere, started ``age`` ago."""
    return PlanRendition.objects.create(
        sha256=approved.sha256, fmt=fmt, state="approved",
        status=PlanRendition.Status.RENDERING, started_at=timezone.now() - age,
    )  # fmt: skip


def test_a_call_during_the_render_answers_202_with_retry_after_and_renders_nothing(
    cycle, users, loaded_inputs, erp, monkeypatch
) -> None:
    # Given the approval's task is rendering the JSON right now (its marker is fresh)
    walk_to_approval(cycle, users)
    approved = ApprovedPlan.objects.get(cycle=cycle)
    _marker(approved, dt.timedelta(seconds=1))
    monkeypatch.setattr(renditions, "WAIT_SECONDS", 0)
    rendered: list[str] = []

    def render(_cycle: object, _source: object, fmt: str) -> tuple[bytes, int]:
        rendered.append(fmt)
        return gzip.compress(b"x"), 1

    monkeypatch.setattr(renditions, "compressed_document", render)
    # When the ERP asks for the plan
    response = erp.get(URL)
    # Then it is told to come back, and no second render started
    assert response.status_code == 202 and response["Retry-After"] == "5"
    assert (
        response.json()["status"] == "rendering" and "being prepared" in response.json()["detail"]
    )
    assert not response.has_header("ETag") and rendered == []
    # And a matching ETag still gets 304 at once
    tag = f'"{approved.sha256}"'
    assert erp.get(URL, HTTP_IF_NONE_MATCH=tag).status_code == 304
    # And the task, sent again, leaves the render in progress alone (idempotent)
    assert renditions.render_all(cycle.pk) == 1 and rendered == ["csv"]


def test_a_call_waiting_briefly_gets_the_document_the_other_render_stores(
    cycle, users, loaded_inputs, erp, monkeypatch
) -> None:
    # Given a render in progress that finishes while the call waits (the first poll's sleep)
    walk_to_approval(cycle, users)
    approved = ApprovedPlan.objects.get(cycle=cycle)
    marker = _marker(approved, dt.timedelta(seconds=1))
    source = exports.plan_source(cycle)
    assert source is not None
    body, size = renditions.compressed_document(cycle, source, "json")

    def other_render_finishes(_seconds: float) -> None:
        PlanRendition.objects.filter(pk=marker.pk).update(
            status=PlanRendition.Status.READY, gzip_body=body, raw_bytes=size
        )

    monkeypatch.setattr(renditions.time, "sleep", other_render_finishes)
    # When the ERP asks for the plan, Then it gets the document that render stored
    response = erp.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response.content == body
    assert PlanRendition.objects.filter(fmt="json").count() == 1


def test_a_stale_marker_of_a_dead_renderer_is_taken_over(cycle, users, loaded_inputs, erp
                                                        ) -> None:  # fmt: skip
    # Given a marker left by a renderer that died ten minutes ago
    walk_to_approval(cycle, users)
    approved = ApprovedPlan.objects.get(cycle=cycle)
    _marker(approved, dt.timedelta(minutes=10))
    # When the ERP asks for the plan
    response = erp.get(URL)
    # Then it renders the document itself, into that one rendition, now ready
    assert response.status_code == 200 and response.json()["sha256"] == approved.sha256
    stored = PlanRendition.objects.get(fmt="json")
    assert stored.status == PlanRendition.Status.READY
    assert gzip.decompress(bytes(stored.gzip_body)) == response.content


def test_a_failed_render_leaves_no_marker_behind(cycle, users, loaded_inputs, monkeypatch) -> None:
    # Given an approved plan whose rendering fails
    walk_to_approval(cycle, users)

    def broken(*_args: object) -> tuple[bytes, int]:
        raise MemoryError("out of memory")

    monkeypatch.setattr(renditions, "compressed_document", broken)
    # When the task renders, Then the failure is raised and no marker blocks the next attempt
    with pytest.raises(MemoryError):
        renditions.render_all(cycle.pk)
    assert not PlanRendition.objects.exists()
