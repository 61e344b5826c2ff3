"""Cycle pages: overview with the stage track, and the transition endpoints (POST only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import ListView, TemplateView

from accounts.mixins import RoleRequiredMixin
from accounts.selectors import user_may
from cycles import confirmations, selectors, services
from cycles.filters import AuditEntryFilter
from cycles.forms import CycleOpenForm, RescheduleForm, TransitionForm
from cycles.models import AuditEntry, PlanningCycle
from cycles.sign_off import outcome, request_sign_off
from siop.listing import TableListView


class CycleCurrentView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        cycle = selectors.cycle_current()
        if cycle is None:
            return redirect("cycles:list")
        return redirect("cycles:detail", pk=cycle.pk)


class CycleListView(RoleRequiredMixin, ListView):
    model = PlanningCycle
    template_name = "cycles/list.html"
    paginate_by = 24

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_open"] = user_may(self.request.user, "open_cycle")
        return context


class CycleDetailView(RoleRequiredMixin, TemplateView):
    template_name = "cycles/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        cycle = get_object_or_404(PlanningCycle, pk=self.kwargs["pk"])
        context["cycle"] = cycle
        context["track"] = selectors.stage_track(cycle, self.request.user)
        context["may_close"] = cycle.state == "approved" and user_may(
            self.request.user, "open_cycle"
        )
        return context


class CycleReplanView(RoleRequiredMixin, View):
    """POST: run the plan pipeline again from its first stale step; back to where it came from."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from cycles.replan import plan_replan

        try:
            first = plan_replan(pk, request.user)
        except services.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Re-planning from {first}: the plan refreshes when done.")
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("cycles:detail", kwargs={"pk": pk})
        return redirect(back)


def _sign_off(pk: int, stage_key: str, user: Any, comment: str) -> str:
    return outcome(request_sign_off(pk, stage_key, user, comment), "Stage signed off.")


def _close(pk: int, stage_key: str, user: Any, comment: str) -> PlanningCycle:
    return services.cycle_close(pk, user, comment)


TRANSITIONS: dict[str, tuple[Callable[[int, str, Any, str], PlanningCycle | str], str]] = {
    "sign_off": (_sign_off, "Stage signed off."),
    "reopen": (services.stage_reopen, "Stage reopened."),
    "confirm": (confirmations.stage_confirm, "Re-planned runs confirmed."),
    "close": (_close, "Cycle closed."),
}


class CycleTransitionView(RoleRequiredMixin, View):
    """POST a transition; the service decides whether this user may make it."""

    def post(self, request: HttpRequest, pk: int, kind: str) -> HttpResponse:
        form = TransitionForm(request.POST)
        if kind not in TRANSITIONS or not form.is_valid():
            messages.error(request, "The request was incomplete; reload and try again.")
            return redirect(reverse("cycles:detail", kwargs={"pk": pk}))
        service, success = TRANSITIONS[kind]
        data = form.cleaned_data
        try:
            done = service(pk, data["stage_key"], request.user, data["comment"] or "")
        except services.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done if isinstance(done, str) else success)
        return redirect(reverse("cycles:detail", kwargs={"pk": pk}))


class CycleRescheduleView(RoleRequiredMixin, View):
    """POST a new due date for one stage (the service checks the role and the cycle state)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = RescheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Give the stage and a valid due date.")
        else:
            data = form.cleaned_data
            try:
                services.stage_reschedule(
                    pk, data["stage_key"], data["due_date"], request.user, data["comment"]
                )
            except services.TransitionError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "Due date changed.")
        return redirect(reverse("cycles:detail", kwargs={"pk": pk}))


class AuditListView(TableListView):
    """The audit log of plan-number changes: who, when, before, after, reason, source."""

    title = "Audit log"
    model = AuditEntry
    filterset_class = AuditEntryFilter
    sku_key_field = "record_key"  # family-scoped planners see only their products' changes
    columns = [
        ("When", "created_at"),
        ("Cycle", "cycle"),
        ("User", "user"),
        ("Table", "table"),
        ("Record", "record_key"),
        ("Field", "field"),
        ("Before", "before"),
        ("After", "after"),
        ("Reason", "reason"),
        ("Comment", "comment"),
        ("Source", "source"),
    ]

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("cycle", "user")


class CycleOpenView(RoleRequiredMixin, View):
    required_action = "open_cycle"

    def get(self, request: HttpRequest) -> HttpResponse:
        previous = PlanningCycle.objects.order_by("-month").first()
        form = CycleOpenForm(initial={"copy_from": previous})
        return render(request, "cycles/open.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CycleOpenForm(request.POST)
        if form.is_valid():
            try:
                cycle = services.cycle_open(
                    form.cleaned_data["month"],
                    request.user,
                    form.cleaned_data["horizon_months"],
                    form.cleaned_data["copy_from"],
                )
            except services.TransitionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"{cycle} opened.")
                return redirect("cycles:detail", pk=cycle.pk)
        return render(request, "cycles/open.html", {"form": form}, status=400)
