"""Demand review pages and the grid's JSON endpoints (thin: validate, call one service, respond)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from accounts.mixins import RoleRequiredMixin
from accounts.selectors import user_may
from cycles import preconditions
from cycles.models import PlanningCycle
from cycles.run_control import run_outcome_text
from cycles.services import TransitionError
from cycles.sign_off import outcome, request_sign_off
from cycles.stage_views import CurrentCycleView
from demand import grid, grid_cache, services
from demand.forms import EditBatchForm, parse_edits
from demand.models import ForecastRun, ReasonCode
from demand.overrides import ConflictError, overrides_apply
from demand.selectors import current_run, latest_run
from masterdata.models import ProductFamily


def chosen_family(request: HttpRequest) -> ProductFamily:
    families = grid.visible_families(request.user)
    family_id = request.GET.get("family") or request.POST.get("family")
    if family_id and not family_id.isdecimal():
        raise BadRequest(f"family must be a product family id, not {family_id[:40]!r}.")
    family = families.filter(pk=family_id).first() if family_id else families.first()
    if family is None:
        raise Http404("No product family is visible to you.")
    return family


class DemandHomeView(CurrentCycleView):
    review_url_name = "demand:review"


class ReviewView(RoleRequiredMixin, TemplateView):
    template_name = "demand/review.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        cycle = get_object_or_404(PlanningCycle, pk=self.kwargs["pk"])
        user = self.request.user
        family = chosen_family(self.request)
        context.update(
            cycle=cycle,
            family=family,
            families=grid.visible_families(user),
            run=latest_run(cycle),
            good_run=current_run(cycle),
            reasons=ReasonCode.choices,
            currency=getattr(settings, "CURRENCY", "EUR"),
            may_edit=grid.may_edit(cycle, user),
            may_run=user_may(user, "run_forecast") and cycle.state in services.RUNNABLE_STATES,
            may_sign_off=cycle.state == "demand_review" and user_may(user, "edit_demand"),
            sign_off_problems=preconditions.unmet(cycle, "demand_review")
            if cycle.state == "demand_review"
            else [],
        )
        return context


class GridDataView(RoleRequiredMixin, View):
    """The grid's JSON, answered from ``demand.grid_cache`` (ETag, 304, cached bytes)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        page = grid_page(request)
        if page is not None and page.company:
            return grid_cache.company_response(request, cycle, page.value)
        return grid_cache.family_response(request, cycle, chosen_family(request), page)


def grid_page(request: HttpRequest) -> grid.GridPage | None:
    """The grid request's part: ``part=family``, or ``offset``/``limit``/``q`` for products.

    No parameter at all: every row (the old full-family answer). Bad numbers are a 400.
    """
    params = request.GET
    if not {"part", "offset", "limit", "q", "measure"} & set(params):
        return None
    numbers = {}
    for name, default, top in (("offset", 0, 10**7), ("limit", 200, 1000)):
        raw = params.get(name, str(default)).strip()
        if not raw.isdecimal() or int(raw) > top:
            raise BadRequest(f"{name} must be a whole number from 0 to {top}, not {raw[:40]!r}.")
        numbers[name] = int(raw)
    return grid.GridPage(
        family=params.get("part") == "family",
        company=params.get("part") == "company",
        value=params.get("measure") == "value",
        search=params.get("q", "").replace("\x00", "").strip()[:100],
        offset=numbers["offset"],
        limit=max(numbers["limit"], 1),
    )


class OverridesSaveView(RoleRequiredMixin, View):
    required_action = "edit_demand"

    def post(self, request: HttpRequest, pk: int) -> JsonResponse:
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse({"error": "The request body is not JSON."}, status=400)
        if not isinstance(payload, dict):
            return JsonResponse({"error": "The request body must be a JSON object."}, status=400)
        form = EditBatchForm(payload)
        if not form.is_valid():
            return JsonResponse({"error": form.errors.as_text()}, status=400)
        edits, errors = parse_edits(payload.get("edits"))
        if errors:
            return JsonResponse({"error": "; ".join(errors)}, status=400)
        data = form.cleaned_data
        try:
            changed = overrides_apply(
                pk, edits, request.user, reason=data["reason"], comment=data["comment"]
            )
        except ConflictError as exc:
            return JsonResponse({"error": str(exc)}, status=409)
        except services.DemandError as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        except PermissionDenied as exc:
            return JsonResponse({"error": str(exc)}, status=403)
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        cells = [(e.product_id, e.family_id, e.month) for e in edits]
        return JsonResponse(
            {"saved": changed, "cells": grid_cache.saved_cells(cycle, request.user, cells)}
        )


def _progress(request: HttpRequest, run: ForecastRun) -> HttpResponse:
    poll_url = reverse("demand:run_progress", kwargs={"run_id": run.pk})
    return render(request, "partials/run_progress.html", {"run": run, "poll_url": poll_url})


def _reload(request: HttpRequest, pk: int) -> HttpResponse:
    """Back to the review page (a full reload for htmx, so its messages and results show)."""
    if request.htmx:  # type: ignore[attr-defined]
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect("demand:review", pk=pk)


class RunStartView(RoleRequiredMixin, View):
    required_action = "run_forecast"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        get_object_or_404(PlanningCycle, pk=pk)
        try:
            run = services.forecast_run_request(pk, request.user)
        except services.DemandError as exc:
            messages.error(request, str(exc))
            return _reload(request, pk)
        run.refresh_from_db()  # with eager Celery (no broker) the run has already finished
        messages.info(request, run_outcome_text(run, "Forecast run"))
        if request.htmx and run.is_active:  # type: ignore[attr-defined]
            return _progress(request, run)
        return _reload(request, pk)  # finished in the request (eager): show its results


class RunRetryView(RoleRequiredMixin, View):
    required_action = "run_forecast"

    def post(self, request: HttpRequest, run_id: int) -> HttpResponse:
        run = get_object_or_404(ForecastRun, pk=run_id)
        try:
            run = services.forecast_run_retry(run_id, request.user)
        except services.DemandError as exc:
            messages.error(request, str(exc))
        if request.htmx:  # type: ignore[attr-defined]
            return _progress(request, run)
        return redirect("demand:review", pk=run.cycle_id)


class RunProgressView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, run_id: int) -> HttpResponse:
        return _progress(request, get_object_or_404(ForecastRun, pk=run_id))


class SignOffView(RoleRequiredMixin, View):
    required_action = "edit_demand"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        comment = request.POST.get("comment", "")[:500]
        done = "Consensus demand signed off and frozen; the cycle moved on."
        try:
            run = request_sign_off(pk, "demand_review", request.user, comment)
            messages.success(request, outcome(run, done))
        except TransitionError as exc:
            messages.error(request, str(exc))
        return redirect("demand:review", pk=pk)
