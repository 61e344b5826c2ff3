"""Executive pages: registers, the approval (choose -> confirm -> approve) and the meeting pack."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from accounts.mixins import RoleRequiredMixin
from cycles.runs import RunStatus
from cycles.sign_off import outcome
from executive import approval, registers, scenarios, selectors
from executive.engine.definitions import KPI_DEFS
from executive.forms import ApprovalForm, EntryForm, StatusForm, scenario_value
from executive.models import Approval, RegisterEntry, RegisterKind, RegisterStatus
from executive.views import get_cycle


class RegisterView(RoleRequiredMixin, View):
    """The cycle's decisions, assumptions, risks and opportunities; POST adds an entry."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, pk, None, 200)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_cycle(pk)
        form = EntryForm(request.POST)
        if not form.is_valid():
            return self._render(request, pk, form, 400)
        data = form.cleaned_data
        entry_input = registers.EntryInput(
            kind=data["kind"],
            title=data["title"],
            detail=data["detail"],
            owner=data["owner"],
            due_date=data["due_date"],
            expected_impact_eur=data["expected_impact_eur"],
            downside_eur=data["downside_eur"],
            plan_eur=data["plan_eur"],
            upside_eur=data["upside_eur"],
            exception_id=data["exception"],
            scenario_id=data["scenario"],
        )
        try:
            entry = registers.add_entry(cycle.pk, request.user, entry_input)
        except registers.RegisterError as error:
            form.add_error(None, str(error))
            return self._render(request, pk, form, 400)
        messages.success(request, f"{entry.get_kind_display()} recorded: {entry.title}")
        return redirect("executive:register", pk=cycle.pk)

    def _render(self, request: HttpRequest, pk: int, form: Any, status: int) -> HttpResponse:
        cycle = get_cycle(pk)
        initial = {"kind": request.GET.get("kind", RegisterKind.DECISION)}
        if request.GET.get("exception", "").isdigit():
            initial["exception"] = request.GET["exception"]
        entries = list(selectors.register(cycle))
        return render(
            request,
            "executive/register.html",
            {
                "cycle": cycle,
                "form": form or EntryForm(initial=initial),
                "statuses": RegisterStatus.choices,
                "decisions": [e for e in entries if e.kind == RegisterKind.DECISION],
                "assumptions": [e for e in entries if e.kind == RegisterKind.ASSUMPTION],
                "risks": [
                    e for e in entries if e.kind in {RegisterKind.RISK, RegisterKind.OPPORTUNITY}
                ],
                "closed_earlier": RegisterEntry.objects.filter(
                    kind=RegisterKind.DECISION,
                    status="closed",
                    cycle__month__lt=cycle.month,
                )
                .select_related("owner", "cycle")
                .order_by("-closed_at")[:20],
            },
            status=status,
        )


class EntryStatusView(RoleRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
        form = StatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose a valid status.")
        else:
            try:
                registers.set_status(
                    entry_id,
                    request.user,
                    form.cleaned_data["status"],
                    form.cleaned_data["measured_outcome_eur"],
                )
            except registers.RegisterError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "Register updated.")
        return redirect("executive:register", pk=pk)


class ApproveView(RoleRequiredMixin, View):
    """GET: choose the scenario. POST: the confirmation; POST with confirm: approve."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_cycle(pk)
        options = scenarios.scenario_options(cycle)
        chosen = scenario_value(scenarios.recommended(options).id)
        return render(
            request,
            "executive/approve.html",
            {
                "cycle": cycle,
                "options": options,
                "chosen": chosen,
                "form": ApprovalForm(initial={"scenario": chosen}),
                "approval": Approval.objects.filter(cycle=cycle).defer("pack_xlsx").first(),
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_cycle(pk)
        form = ApprovalForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose one of the scenarios listed.")
            return redirect("executive:approve", pk=cycle.pk)
        data = form.cleaned_data
        try:
            if not data["confirm"]:
                confirm = approval.confirmation(cycle, data["scenario"], data["reason"])
                return render(
                    request,
                    "executive/confirm.html",
                    {
                        "cycle": cycle,
                        "confirm": confirm,
                        "form": form,
                        "kpis": KPI_DEFS,
                        "scenario": scenario_value(confirm.chosen.id),
                    },
                )
            run = approval.request_approval(
                cycle.pk, request.user, data["scenario"], data["reason"], data["comment"]
            )
        except approval.ApprovalError as error:
            messages.error(request, str(error))
            return redirect("executive:approve", pk=cycle.pk)
        if run.status == RunStatus.FAILED:
            messages.error(request, f"Not approved: {run.error}")
            return redirect("executive:approve", pk=cycle.pk)
        record = Approval.objects.filter(cycle=cycle).first()
        if run.is_active or record is None:
            messages.success(request, outcome(run, ""))
            return redirect("executive:approve", pk=cycle.pk)
        accepted = (
            (
                f"; {record.accepted_exceptions} tier-3 exception(s) accepted worth "
                f"€{record.accepted_exceptions_eur:,.0f}"
            )
            if record.accepted_exceptions
            else ""
        )
        messages.success(
            request,
            f"Plan approved for {cycle.month:%B %Y} with "
            f"'{record.scenario_name}'{accepted}. The meeting pack is frozen.",
        )
        return redirect("executive:pack", pk=cycle.pk)


def _approval(pk: int) -> Approval:
    record = Approval.objects.filter(cycle_id=pk).select_related("cycle").first()
    if record is None:
        raise Http404("This cycle's plan is not approved yet; its meeting pack is written then.")
    return record


class PackView(RoleRequiredMixin, View):
    """The printable meeting pack (A4 landscape), from the content frozen at approval."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = _approval(pk)
        return render(
            request,
            "executive/pack.html",
            {"cycle": record.cycle, "approval": record, "pack": record.pack},
        )


class PackXlsxView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = _approval(pk)
        response = HttpResponse(
            bytes(record.pack_xlsx),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"siop-meeting-pack-{record.cycle.month:%Y-%m}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
