"""The pages of a background export (`cycles.exports`): asking for it, its progress, the download.

A stage's export URL calls `export_response`: the file itself when an export of the same data is
stored or the run already finished (eager Celery builds it within the request), else a redirect
to the export's page, which polls the run (``partials/run_progress.html``) and then offers the download
link, or the error with Retry. Every view re-checks the export's own access rules (role, family
scope) and that the reader sees the families it was built for; others get 404 as for any
object they may not see.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from accounts.mixins import RoleRequiredMixin
from cycles.exports import may_read, request_export, stored
from cycles.models import ExportRun, PlanningCycle
from cycles.runs import RunStatus
from siop.spreadsheet import XLSX_TYPE


def export_response(
    request: HttpRequest, name: str, cycle: PlanningCycle, params: dict[str, Any]
) -> HttpResponseBase:
    """Answer a stage's export request: the file, or the export's page while it is built."""
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    run = request_export(name, cycle, request.user, params, back_url=back)
    # With a worker the request never waits for the build (a second's wait measured 2.2 s at
    # 10,000 SKUs on a loaded machine): the export's page polls it instead.
    if stored(run):
        return download(run)
    return redirect("cycles:export", run_pk=run.pk)


def download(run: ExportRun) -> FileResponse:
    """The stored file as an attachment (the file name quoted/encoded by Django; a slash, which
    Django would cut the name at, as "_": a family code "ROAD/MTB" keeps its whole name)."""
    name = run.filename.replace("/", "_")
    response = FileResponse(run.file.open("rb"), as_attachment=True, filename=name,
                            content_type=XLSX_TYPE)  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    return response


def readable_run(request: HttpRequest, run_pk: int) -> ExportRun:
    """The export run ``run_pk`` if the signed-in user may read it, else 404 (or 403)."""
    run = get_object_or_404(ExportRun.objects.select_related("cycle"), pk=run_pk)
    if not may_read(run, request.user):
        raise Http404("No such export.")
    return run


class ExportView(RoleRequiredMixin, View):
    """The export's page: its progress while built, then the download link or the error."""

    def get(self, request: HttpRequest, run_pk: int) -> HttpResponse:
        run = readable_run(request, run_pk)
        context = {
            "run": run, "ready": stored(run),
            "expired": run.status == RunStatus.SUCCEEDED and not stored(run),
            "poll_url": reverse("cycles:export_progress", kwargs={"run_pk": run.pk}),
        }  # fmt: skip
        return render(request, "cycles/export.html", context)


class ExportProgressView(RoleRequiredMixin, View):
    """The htmx-polled progress; once finished the page reloads (download link or error)."""

    def get(self, request: HttpRequest, run_pk: int) -> HttpResponse:
        run = readable_run(request, run_pk)
        poll_url = reverse("cycles:export_progress", kwargs={"run_pk": run.pk})
        response = render(request, "partials/run_progress.html", {"run": run, "poll_url": poll_url})
        if not run.is_active and request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"
        return response


class ExportDownloadView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, run_pk: int) -> HttpResponseBase:
        run = readable_run(request, run_pk)
        if not stored(run):
            return redirect("cycles:export", run_pk=run.pk)  # still building, failed or pruned
        return download(run)


class ExportRetryView(RoleRequiredMixin, View):
    """POST: ask for the same export again (after a failure, or once its file was pruned)."""

    def post(self, request: HttpRequest, run_pk: int) -> HttpResponse:
        old = readable_run(request, run_pk)
        if old.is_active:
            return redirect("cycles:export", run_pk=old.pk)
        run = request_export(
            old.exporter, old.cycle, request.user, old.params, back_url=old.back_url
        )
        if run.status == RunStatus.FAILED:
            messages.error(request, f"The export failed again (run {run.pk}): {run.error}")
        return redirect("cycles:export", run_pk=run.pk)
