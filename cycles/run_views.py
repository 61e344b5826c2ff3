"""The cancel button of a calculation run (any kind), posted from the shared run partial, and the
Retry button of a failed background run (the plan ribbon)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from accounts.mixins import RoleRequiredMixin
from cycles.run_control import RunControlError, run_cancel, run_model_for, run_retry


class RunCancelView(RoleRequiredMixin, View):
    """POST: cancel the run (``kind`` is ``app_label.modelname``), then back to the stage page.

    The service checks who may cancel (administrator, or whoever may start that kind of run).
    """

    def post(self, request: HttpRequest, kind: str, run_pk: int) -> HttpResponse:
        try:
            run = run_cancel(run_model_for(kind), run_pk, request.user)
        except RunControlError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Run {run.pk} cancelled; the last good result stays.")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        back = request.headers.get("Referer", "")
        safe = url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return redirect(back if safe else "cycles:current")


class RunRetryView(RoleRequiredMixin, View):
    """POST: queue a new run like the failed one (the plan ribbon's Retry), then back."""

    def post(self, request: HttpRequest, kind: str, run_pk: int) -> HttpResponse:
        try:
            run = run_retry(run_model_for(kind), run_pk, request.user)
        except (RunControlError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Run {run.pk}: {run.get_status_display().lower()}.")
        back = request.headers.get("Referer", "")
        safe = url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return redirect(back if safe else "cycles:current")
