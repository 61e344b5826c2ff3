"""Inventory review pages: the review itself, and POST endpoints that each call one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from accounts.mixins import RoleRequiredMixin
from accounts.scoping import visible_or_404
from accounts.selectors import user_may
from cycles import stage_views
from cycles.models import PlanningCycle
from cycles.run_control import run_outcome_text
from cycles.stage_views import CurrentCycleView, posted_int, sign_off_context
from inventory import selectors, services
from inventory.forms import OverrideForm, ServiceTargetsForm, SettingsForm
from inventory.models import InventoryRun, PolicyOverride, ServiceTarget
from masterdata.models import Product, Site

STAGE = "inventory_review"
EDIT = services.EDIT_ACTION


def _review_url(cycle_pk: int) -> str:
    return reverse("inventory:review", kwargs={"pk": cycle_pk})


class InventoryCurrentView(CurrentCycleView):
    review_url_name = "inventory:review"


def _result_context(
    cycle: PlanningCycle, targets: list[ServiceTarget], request: HttpRequest
) -> dict[str, Any]:
    done = selectors.latest_succeeded_run(cycle)
    context: dict[str, Any] = {"done": done, "matrix": selectors.abc_xyz_matrix(targets, done)}
    if done is None:
        return context
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.policy_rows(done, request.user, search), 50).get_page(
        request.GET.get("page")
    )
    context.update(
        search=search,
        page=page,
        page_rows=selectors.with_weeks_of_supply(done, page),
        total=done.summary.get("total", {}),
        families=done.summary.get("families", []),
        chart=selectors.chart_data(done),
        exceptions=selectors.ranked_exceptions(done, request.user),
        overrides=selectors.overrides_by_key(cycle),
    )
    return context


class InventoryReviewView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        settings, targets = services.inventory_setup(cycle)
        may_edit = user_may(request.user, EDIT) and not cycle.is_locked
        context = {
            "cycle": cycle,
            "may_edit": may_edit,
            "run": selectors.latest_run(cycle),
            "targets_form": ServiceTargetsForm(targets=targets),
            "settings_form": SettingsForm(instance=settings),
            **sign_off_context(cycle, STAGE, may_edit),
            **_result_context(cycle, targets, request),
        }
        return render(request, "inventory/review.html", context)


class InventoryPostView(stage_views.ServicePostView):
    required_action = EDIT
    error = services.InventoryError
    review_url_name = "inventory:review"


class TargetsUpdateView(InventoryPostView):
    def make_form(self, request: HttpRequest, pk: int) -> ServiceTargetsForm:
        _, targets = services.inventory_setup(get_object_or_404(PlanningCycle, pk=pk))
        return ServiceTargetsForm(request.POST, targets=targets)

    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        changed = services.service_targets_update(
            pk, form.changes(), request.user, form.cleaned_data["reason"]
        )
        return f"{changed} service target(s) saved; recalculate to apply."


class SettingsUpdateView(InventoryPostView):
    def make_form(self, request: HttpRequest, pk: int) -> SettingsForm:
        settings, _ = services.inventory_setup(get_object_or_404(PlanningCycle, pk=pk))
        return SettingsForm(request.POST, instance=settings)

    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        # The service, not the ModelForm, writes: it re-reads the row locked (audit, version).
        changed = services.settings_update(
            pk, form.values(), form.cleaned_data["version"], request.user,
            form.cleaned_data["reason"],
        )  # fmt: skip
        return f"{changed} setting(s) saved; recalculate to apply."


class CalculateView(InventoryPostView):
    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        run = services.inventory_run_request(pk, request.user)
        return run_outcome_text(run, "Inventory calculation")


class RunProgressView(stage_views.RunProgressView):
    run_model = InventoryRun
    url_name = "inventory:run_progress"


class OverrideView(RoleRequiredMixin, View):
    def _context(self, pk: int, product_id: int, site_id: int) -> dict[str, Any]:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        product, site = (
            visible_or_404(Product.objects.all(), self.request.user, pk=product_id),
            get_object_or_404(Site, pk=site_id),
        )
        existing = PolicyOverride.objects.filter(cycle=cycle, product=product, site=site).first()
        return {"cycle": cycle, "product": product, "site": site, "existing": existing}

    def get(self, request: HttpRequest, pk: int, product_id: int, site_id: int) -> HttpResponse:
        context = self._context(pk, product_id, site_id)
        existing = context["existing"]
        initial = {"version": existing.version if existing else 0}
        if existing:
            initial.update(
                service_target_percent=existing.service_target * 100
                if existing.service_target
                else None,
                safety_stock_units=existing.safety_stock_units,
                order_quantity_units=existing.order_quantity_units,
                reason=existing.reason,
                comment=existing.comment,
            )
        context.update(form=OverrideForm(initial=initial), may_edit=user_may(request.user, EDIT))
        return render(request, "inventory/override.html", context)

    def post(self, request: HttpRequest, pk: int, product_id: int, site_id: int) -> HttpResponse:
        if not user_may(request.user, EDIT):
            raise PermissionDenied("Your role may not do this.")
        context = self._context(pk, product_id, site_id)
        form = OverrideForm(request.POST)
        if form.is_valid():
            try:
                services.policy_override_save(
                    pk, product_id, site_id, form.values(), reason=form.cleaned_data["reason"],
                    comment=form.cleaned_data["comment"], version=form.cleaned_data["version"],
                    user=request.user,
                )  # fmt: skip
            except services.InventoryError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Override saved; recalculate to apply it.")
                return redirect(_review_url(pk))
        context.update(form=form, may_edit=True)
        return render(request, "inventory/override.html", context, status=400)


class OverrideDeleteView(InventoryPostView):
    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        services.policy_override_delete(
            pk, kwargs["override_pk"], posted_int(request.POST.get("version")), request.user,
            request.POST.get("reason", ""),
        )  # fmt: skip
        return "Override removed; recalculate to apply."


class SignOffView(stage_views.SignOffView):
    required_action = EDIT
    stage_key = STAGE
    review_url_name = "inventory:review"
    done_message = "Inventory review signed off."
