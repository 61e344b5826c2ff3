"""Views and helpers the stage review pages share (demand, supply, inventory).

* `CurrentCycleView`: the stage's menu entry, redirecting to its review of the current cycle.
* `RunProgressView`: the htmx-polled progress of a calculation run (`partials/run_progress.html`);
  once the run has finished, an htmx poll gets ``HX-Refresh`` so the page reloads with the
  new results.
* `ServicePostView`: a POST endpoint that validates, calls one service and reports the outcome.
* `SignOffView` and `sign_off_context`: the sign-off form's endpoint (it queues a sign-off run,
  `cycles.sign_off`) and what the page shows; `SignOffProgressView` polls that run.
* `form_errors` and `posted_int` turn bad posted input into a message instead of a 500.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from accounts.mixins import RoleRequiredMixin
from cycles import preconditions
from cycles.models import PlanningCycle, SignOffRun
from cycles.run_selectors import active_sign_off
from cycles.runs import CalculationRun
from cycles.selectors import cycle_current
from cycles.services import TransitionError
from cycles.sign_off import outcome, request_sign_off


class CurrentCycleView(RoleRequiredMixin, View):
    review_url_name: str  # a URL name taking the cycle's ``pk``

    def get(self, request: HttpRequest) -> HttpResponse:
        cycle = cycle_current()
        if cycle is None:
            return redirect("cycles:list")
        return redirect(self.review_url_name, pk=cycle.pk)


class RunProgressView(RoleRequiredMixin, View):
    run_model: type[CalculationRun]
    url_name: str  # this view's URL name, taking the run's ``run_pk``

    def get(self, request: HttpRequest, run_pk: int) -> HttpResponse:
        run = get_object_or_404(self.run_model, pk=run_pk)
        poll_url = reverse(self.url_name, kwargs={"run_pk": run.pk})
        response = render(request, "partials/run_progress.html", {"run": run, "poll_url": poll_url})
        if not run.is_active and request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"  # finished: reload the page to show the new results
        return response


class SignOffProgressView(RunProgressView):
    """The progress of a sign-off run (the plan ribbon's "Signing off..."); the page reloads
    once it finished, showing the next stage or the failure with Retry."""

    run_model = SignOffRun
    url_name = "cycles:sign_off_progress"


def form_errors(form: Any) -> str:
    """One message naming every field that failed and why."""
    problems = [
        f"{form.fields[name].label if name in form.fields else 'Form'}: {' '.join(errors)}"
        for name, errors in form.errors.items()
    ]
    return "Not saved. " + " ".join(problems)


def posted_int(text: str | None) -> int:
    """A posted version number; anything unreadable never matches a stored version."""
    try:
        return int(text or "")
    except ValueError:
        return -1


class ServicePostView(RoleRequiredMixin, View, ABC):
    """POST: validate the form (if any), call one service, say how it went, back to the review.

    Subclasses set ``error`` (the service's refusal, shown as its message), ``review_url_name``
    (taking the cycle's ``pk``) and ``anchor``, and implement ``call`` returning the success
    message; ``make_form`` returns the bound form, or None when the view posts no form.
    """

    error: type[Exception]
    review_url_name: str
    anchor = ""

    def make_form(self, request: HttpRequest, pk: int) -> Any:
        return None

    @abstractmethod
    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        """Call the one service this view exists for; return the success message."""

    def post(self, request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        form = self.make_form(request, pk)
        if form is not None and not form.is_valid():
            messages.error(request, form_errors(form))
            return redirect(self.review_url(pk))
        try:
            message = self.call(request, pk, form, **kwargs)
        except self.error as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, message)
        return redirect(self.review_url(pk))

    def review_url(self, pk: int) -> str:
        url = reverse(self.review_url_name, kwargs={"pk": pk})
        return f"{url}#{self.anchor}" if self.anchor else url


class SignOffView(ServicePostView):
    """POST: sign the stage off as the user (the cycle checks owner and preconditions)."""

    error = TransitionError
    stage_key: str
    done_message: str

    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        comment = request.POST.get("comment", "")
        run = request_sign_off(pk, self.stage_key, request.user, comment)
        return outcome(run, self.done_message)


def sign_off_context(cycle: PlanningCycle, stage_key: str, may_edit: bool) -> dict[str, Any]:
    """What a review page's sign-off section shows: whether the cycle is at the stage, whether
    the user may sign it off, and what is still missing."""
    at_stage = cycle.state == stage_key
    signing = active_sign_off(cycle.pk) if at_stage else None
    return {
        "at_stage": at_stage,
        "signing_off": signing,
        "may_sign_off": at_stage and may_edit and signing is None,
        "unmet": preconditions.unmet(cycle, stage_key) if at_stage else [],
    }
