"""Executive pages: dashboard, exceptions and their escalation, scenarios.

Views validate, call one service or selector and respond; the numbers come from facts the
Celery tasks precomputed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from accounts.mixins import RoleRequiredMixin
from cycles.models import PlanningCycle
from cycles.selectors import cycle_current
from executive import dashboard, exceptions, scenarios, selectors, tasks
from executive.engine.definitions import KPI_DEFS
from executive.forms import EscalateForm, ExceptionUpdateForm, parse_scenario, scenario_value
from executive.models import PlanException, RegisterKind


def get_cycle(pk: int) -> PlanningCycle:
    return get_object_or_404(PlanningCycle, pk=pk)


class HomeView(RoleRequiredMixin, View):
    """The executive's landing page: the dashboard of the current cycle."""

    def get(self, request: HttpRequest) -> HttpResponse:
        cycle = cycle_current()
        if cycle is None:
            return redirect("cycles:list")
        return redirect("executive:dashboard", pk=cycle.pk)


class DashboardView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        board = dashboard.build(get_cycle(pk))
        return render(
            request,
            "executive/dashboard.html",
            {
                "board": board,
                "cycle": board.cycle,
                "waterfall_data": {"bars": board.waterfall},
            },
        )


class RefreshView(RoleRequiredMixin, View):
    """POST: queue a rebuild of the cycle's facts and plan rules (runs on a worker)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_cycle(pk)
        tasks.request_refresh(cycle.pk, request.user)
        messages.success(request, "The dashboard facts are being recomputed; reload shortly.")
        return redirect("executive:dashboard", pk=cycle.pk)


class ExceptionListView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_cycle(pk)
        tier = request.GET.get("tier", "")
        rows = selectors.exceptions(cycle, int(tier) if tier in {"1", "2", "3"} else None)
        return render(
            request, "executive/exceptions.html", {"cycle": cycle, "rows": rows[:500], "tier": tier}
        )


def _exception(exception_id: int) -> PlanException:
    exc = (
        PlanException.objects.select_related("rule", "cycle", "owner")
        .filter(pk=exception_id)
        .first()
    )
    if exc is None:
        raise Http404("No such exception.")
    return exc


class ExceptionDetailView(RoleRequiredMixin, View):
    """An exception: its numbers, escalation history, decisions, and the scenarios to answer it."""

    def get(self, request: HttpRequest, exception_id: int) -> HttpResponse:
        return self._render(request, _exception(exception_id), None, 200)

    def post(self, request: HttpRequest, exception_id: int) -> HttpResponse:
        exc = _exception(exception_id)
        form = ExceptionUpdateForm(request.POST)
        if not form.is_valid():
            return self._render(request, exc, form, 400)
        data = form.cleaned_data
        try:
            exceptions.update(
                exc.pk,
                request.user,
                owner=data["owner"],
                due_date=data["due_date"],
                status=data["status"],
                scenario_id=data["scenario"],
            )
        except exceptions.ExceptionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Exception updated.")
        return redirect("executive:exception", exception_id=exc.pk)

    def _render(
        self, request: HttpRequest, exc: PlanException, form: Any, status: int
    ) -> HttpResponse:
        options = scenarios.scenario_options(exc.cycle) if exc.cycle else []
        initial = {
            "owner": exc.owner,
            "due_date": exc.due_date,
            "status": exc.status,
            "scenario": scenario_value(exc.scenario_id) if exc.scenario_id else "",
        }
        return render(
            request,
            "executive/exception.html",
            {
                "exc": exc,
                "cycle": exc.cycle,
                "options": options,
                "linked": scenarios.find(options, exc.scenario_id) if exc.scenario_id else None,
                "form": form or ExceptionUpdateForm(initial=initial),
                "history": exc.escalations.select_related("user"),
                "decisions": exc.decisions.filter(kind=RegisterKind.DECISION).select_related(
                    "owner"
                ),
            },
            status=status,
        )


class EscalateView(RoleRequiredMixin, View):
    def post(self, request: HttpRequest, exception_id: int) -> HttpResponse:
        exc = _exception(exception_id)
        form = EscalateForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Say why the exception is escalated.")
        else:
            try:
                exceptions.escalate(exc.pk, request.user, form.cleaned_data["comment"])
            except exceptions.ExceptionError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "Exception escalated.")
        return redirect("executive:exception", exception_id=exc.pk)


class ScenarioView(RoleRequiredMixin, View):
    """One scenario next to the recommended one, with the exceptions it is linked to."""

    def get(self, request: HttpRequest, pk: int, scenario: str) -> HttpResponse:
        cycle = get_cycle(pk)
        try:
            scenario_id = parse_scenario(scenario)
        except ValueError:
            raise Http404("No such scenario.") from None
        options = scenarios.scenario_options(cycle)
        option = scenarios.find(options, scenario_id)
        if option is None:
            raise Http404("No such scenario.")
        linked = (
            selectors.exceptions(cycle).filter(scenario_id=scenario_id)
            if scenario_id is not None
            else selectors.exceptions(cycle).filter(tier=3)
        )
        rows = [
            (kpi, [o.totals.get(kpi.key) for o in options])
            for kpi in KPI_DEFS
            if any(kpi.key in o.totals for o in options)
        ]
        return render(
            request,
            "executive/scenario.html",
            {
                "cycle": cycle,
                "option": option,
                "recommended": scenarios.recommended(options),
                "options": options,
                "rows": rows,
                "linked": linked,
                "approve_url": reverse("executive:approve", kwargs={"pk": cycle.pk}),
            },
        )
