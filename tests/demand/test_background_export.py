"""Background exports (issue 15: an XLSX export never holds the request; constant memory).

The demand grid's XLSX is the largest export (a family of 1,000 products took 6.9 s inside the
request at 10,000 SKUs). With a worker, asking for it answers at once with an export run whose
page polls the run and then links the stored file; the file holds exactly what the synchronous
export wrote; a second request for unchanged data is the same file; only readers who may see the
family (and the same families) can read it; a failed export says why and offers Retry; the file
is deleted after its retention.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Profile
from accounts.roles import Role
from cycles import exports
from cycles.models import ExportRun
from cycles.run_pruning import prune_superseded_runs
from demand.exports import NAME
from demand.xlsx import grid_workbook
from masterdata.models import ProductFamily
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(monkeypatch):  # type: ignore[no-untyped-def]
    """A worker setup: tasks are handed to a queue (recorded here) instead of run in-process."""
    sent: list[int] = []
    monkeypatch.setattr("django.conf.settings.CELERY_TASK_ALWAYS_EAGER", False)
    monkeypatch.setattr(exports, "task_sender", lambda model: sent.append)
    return sent


def _url(cycle, family) -> str:  # type: ignore[no-untyped-def]
    return f"/demand/cycles/{cycle.pk}/export.xlsx?family={family.pk}"


def _cells(content: bytes) -> list[list[list[Any]]]:
    book = load_workbook(io.BytesIO(content))
    return [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]


def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content)


def test_with_a_worker_the_request_queues_a_run_and_its_page_then_links_the_file(
    client, forecast_cycle, users, held, django_capture_on_commit_callbacks
) -> None:
    # Given a demand planner and a worker that has not run anything yet
    planner = users[Role.DEMAND_PLANNER]
    client.force_login(planner)
    family = ProductFamily.objects.get(code="BIKES")
    # When they click "Download XLSX"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(_url(forecast_cycle, family))
    # Then the request answers with the export's page, the run is queued and handed to the queue
    run = ExportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{run.pk}/"
    assert run.status == "queued" and held == [run.pk]
    page = client.get(response["Location"]).content.decode()
    assert f'hx-get="/exports/{run.pk}/progress/"' in page and "export-download" not in page
    # When the worker executes the run
    assert exports.execute_export(run.pk) == "succeeded"
    # Then the poll reloads the page, which links the file: the same cells the export wrote
    poll = client.get(f"/exports/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"
    page = client.get(f"/exports/{run.pk}/").content.decode()
    assert f'href="/exports/{run.pk}/download/"' in page
    download = client.get(f"/exports/{run.pk}/download/")
    assert download["Content-Disposition"] == 'attachment; filename="demand-2026-11-BIKES.xlsx"'
    expected = grid_workbook(forecast_cycle, family, planner)
    assert _cells(_body(download)) == _cells(expected)


def test_without_a_worker_the_click_gives_the_file_and_unchanged_data_reuses_it(
    client, forecast_cycle, users
) -> None:
    # Given a demand planner on `make run` (eager Celery: no worker)
    planner = users[Role.DEMAND_PLANNER]
    client.force_login(planner)
    family = ProductFamily.objects.get(code="BIKES")
    # When they download the grid twice
    first = client.get(_url(forecast_cycle, family))
    second = client.get(_url(forecast_cycle, family))
    # Then each click is the file itself, built once
    assert first.status_code == second.status_code == 200
    content = _body(first)
    assert _cells(content) == _cells(grid_workbook(forecast_cycle, family, planner))
    assert _body(second) and ExportRun.objects.count() == 1
    # When a plan number changes (the planner uploads the sheet with one cell changed)
    book = load_workbook(io.BytesIO(content))
    sheet = book["Demand review"]
    month = [c.value for c in sheet[1]].index("2026-12")
    row = next(
        r
        for r in sheet.iter_rows(min_row=2)
        if r[1].value == "BIKE-1" and r[3].value == "Consensus"
    )
    row[month].value = 123
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "grid.xlsx"
    upload = {"file": out, "family": family.pk, "reason": "customer_intel"}
    assert client.post(f"/demand/cycles/{forecast_cycle.pk}/upload/", upload).status_code == 302
    # Then the next download is a new file showing it
    third = load_workbook(io.BytesIO(_body(client.get(_url(forecast_cycle, family)))))
    again = next(r for r in third["Demand review"].iter_rows(min_row=2, values_only=True)
                 if r[1] == "BIKE-1" and r[3] == "Consensus")  # fmt: skip
    assert again[month] == 123 and ExportRun.objects.count() == 2


def test_another_familys_planner_and_an_anonymous_visitor_cannot_read_the_export(
    client, forecast_cycle, users
) -> None:
    # Given an export of BIKES built for the (unscoped) demand planner
    family = ProductFamily.objects.get(code="BIKES")
    client.force_login(users[Role.DEMAND_PLANNER])
    assert client.get(_url(forecast_cycle, family)).status_code == 200
    run = ExportRun.objects.get()
    # When a planner limited to HELMETS asks for it, its page, its progress or its retry
    helmets = user_with_role(Role.DEMAND_PLANNER)
    Profile.objects.get(user=helmets).families.set(ProductFamily.objects.filter(code="HELMETS"))
    client.force_login(helmets)
    urls = [f"/exports/{run.pk}/", f"/exports/{run.pk}/progress/", f"/exports/{run.pk}/download/"]
    # Then nothing is found, and their own request for BIKES is refused as before
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    assert client.post(f"/exports/{run.pk}/retry/").status_code == 404
    assert client.get(_url(forecast_cycle, family)).status_code == 404
    # And a planner limited to BIKES (another audience than the unscoped file) gets 404 too
    bikes = user_with_role(Role.DEMAND_PLANNER)
    Profile.objects.get(user=bikes).families.set([family])
    client.force_login(bikes)
    assert client.get(urls[2]).status_code == 404
    # And the ERP role, and a visitor not signed in, are refused / sent to sign in
    client.force_login(users[Role.ERP])
    assert client.get(urls[2]).status_code == 403
    client.logout()
    response = client.get(urls[2])
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_failed_export_says_why_and_retry_builds_the_file(
    client, forecast_cycle, users, monkeypatch
) -> None:
    # Given an export whose build fails (the database dropped, memory...)
    client.force_login(users[Role.DEMAND_PLANNER])
    family = ProductFamily.objects.get(code="BIKES")
    real = exports._EXPORTERS[NAME]

    def boom(run, out):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setitem(exports._EXPORTERS, NAME, exports.Exporter(
        NAME, real.authorize, real.version, real.filename, real.title, boom))  # fmt: skip
    # When the planner clicks Download
    response = client.get(_url(forecast_cycle, family), follow=True)
    # Then the export's page says it failed, why, and offers Retry
    run = ExportRun.objects.get()
    page = response.content.decode()
    assert run.status == "failed" and "disk full" in run.error
    assert "disk full" in page and 'id="export-retry"' in page
    # When the cause is gone and they click Retry
    monkeypatch.setitem(exports._EXPORTERS, NAME, real)
    retried = client.post(f"/exports/{run.pk}/retry/", follow=True)
    # Then a new run built the file and the page links it
    new = ExportRun.objects.exclude(pk=run.pk).get()
    assert new.status == "succeeded" and f"/exports/{new.pk}/download/" in retried.content.decode()


def test_an_export_file_is_deleted_after_its_retention_and_can_be_built_again(
    client, forecast_cycle, users, settings
) -> None:
    # Given an export built 25 hours ago (retention 24 hours)
    settings.EXPORT_RETENTION_HOURS = 24
    client.force_login(users[Role.DEMAND_PLANNER])
    family = ProductFamily.objects.get(code="BIKES")
    client.get(_url(forecast_cycle, family))
    run = ExportRun.objects.get()
    path = run.file.path
    ExportRun.objects.filter(pk=run.pk).update(finished_at=timezone.now() - dt.timedelta(hours=25))
    # When the daily pruning runs
    deleted = prune_superseded_runs()
    # Then the file is gone, the record stays and says so, and the page offers to export again
    assert deleted == {"cycles.ExportRun files": 1}
    run.refresh_from_db()
    import os

    assert not os.path.exists(path) and not run.file and "File deleted" in run.message
    page = client.get(f"/exports/{run.pk}/").content.decode()
    assert "Export again" in page
    # And asking again builds a new file
    assert client.get(_url(forecast_cycle, family)).status_code == 200
    assert ExportRun.objects.count() == 2


def test_the_export_page_and_file_name_escape_a_hostile_family(
    client, forecast_cycle, users, held, django_capture_on_commit_callbacks
) -> None:
    # Given a family whose code and name are hostile text
    ProductFamily.objects.filter(code="BIKES").update(code='BI"KE\\S', name="<script>x</script>")
    family = ProductFamily.objects.get(name="<script>x</script>")
    client.force_login(users[Role.DEMAND_PLANNER])
    # When its export is queued and its page shown, then built and downloaded
    with django_capture_on_commit_callbacks(execute=True):
        run_page = client.get(_url(forecast_cycle, family), follow=True).content.decode()
    run = ExportRun.objects.get()
    exports.execute_export(run.pk)
    download = client.get(f"/exports/{run.pk}/download/")
    # Then the page shows the text escaped and the file name is quoted, never broken open
    assert "<script>x</script>" not in run_page and "&lt;script&gt;x&lt;/script&gt;" in run_page
    assert download["Content-Disposition"] == (
        'attachment; filename="demand-2026-11-BI\\"KE\\\\S.xlsx"'
    )


def test_a_family_code_that_reads_as_a_path_still_exports(client, forecast_cycle, users) -> None:
    # Given a family whose code holds slashes and dots ("a path" to the file storage)
    ProductFamily.objects.filter(code="BIKES").update(code="ROAD/../MTB")
    family = ProductFamily.objects.get(code="ROAD/../MTB")
    client.force_login(users[Role.DEMAND_PLANNER])
    # When the planner clicks Download (no worker: the file is built within the request)
    response = client.get(_url(forecast_cycle, family))
    # Then they get the workbook, named after the whole family code, not a failed export
    run = ExportRun.objects.get()
    assert run.status == "succeeded", run.error
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == 'attachment; filename="demand-2026-11-ROAD_.._MTB.xlsx"'
    )

    assert _cells(_body(response)) == _cells(
        grid_workbook(forecast_cycle, family, users[Role.DEMAND_PLANNER])
    )


def test_an_export_whose_worker_died_is_requeued_by_the_watchdog_never_left_running(
    client, forecast_cycle, users, held, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    # Given an export run whose worker went silent three minutes ago
    from cycles import run_watchdog

    client.force_login(users[Role.DEMAND_PLANNER])
    family = ProductFamily.objects.get(code="BIKES")
    client.get(_url(forecast_cycle, family))
    run = ExportRun.objects.get()
    silent = timezone.now() - dt.timedelta(minutes=3)
    ExportRun.objects.filter(pk=run.pk).update(
        status="running", attempts=1, heartbeat_at=silent, started_at=silent
    )
    resent: list[int] = []
    monkeypatch.setattr(run_watchdog, "task_sender", lambda model: resent.append)
    # When the watchdog looks
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = run_watchdog.watchdog()
    # Then the run is queued again and its task re-sent
    run.refresh_from_db()
    assert outcomes["requeued"] == 1 and run.status == "queued" and resent == [run.pk]
