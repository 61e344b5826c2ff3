"""Secondary demand pages: charts JSON, XLSX, events, carried-over items, new products, accuracy."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from accounts.mixins import RoleRequiredMixin
from accounts.selectors import scope_to_families, user_family_ids
from cycles.export_views import export_response
from cycles.models import PlanningCycle
from cycles.stage_views import posted_int
from demand import carryover, events, exports, xlsx
from demand.accuracy_sql import accuracy_report
from demand.forms import EventForm, LikeItemForm
from demand.grid import may_edit, visible_families
from demand.grid_cache import chart_response
from demand.models import DemandEvent, DemandOverride, ReasonCode
from demand.services import DemandError
from demand.views import chosen_family
from masterdata.models import Product
from siop.keyset import keyset_page

NEW_PRODUCTS_PAGE = 50


class ChartDataView(RoleRequiredMixin, View):
    """The chart series of a family or one product, answered from ``demand.grid_cache``."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        products = scope_to_families(Product.objects.all(), request.user, "family_id")
        if request.GET.get("product"):
            products = products.filter(pk=posted_int(request.GET["product"]))
            ids = list(products.values_list("pk", flat=True))
            part = f"product:{ids[0]}" if ids else "none"
            return chart_response(request, cycle, part, lambda: ids)
        family = chosen_family(request)  # one the reader sees: all of its products are theirs
        return chart_response(
            request, cycle, f"family:{family.pk}",
            lambda: list(products.filter(family=family).values_list("pk", flat=True)),
        )  # fmt: skip


class ExportView(RoleRequiredMixin, View):
    """The family's grid as XLSX: built in the background (`demand.exports`), served as a file."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        family = chosen_family(request)
        return export_response(request, exports.NAME, cycle, {"family": family.pk})


class UploadView(RoleRequiredMixin, View):
    required_action = "edit_demand"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        family = chosen_family(request)
        upload, reason = request.FILES.get("file"), request.POST.get("reason", "")
        errors: list[str] = []
        if upload is None:
            errors = ["Choose an .xlsx file to upload."]
        elif reason not in ReasonCode.values:
            errors = ["Choose a reason code for the uploaded changes."]
        else:
            try:
                result = xlsx.upload_apply(pk, family, upload.read(), request.user, reason)
                errors = result.errors
            except (DemandError, PermissionDenied) as exc:
                errors = [str(exc)]
        if errors:
            context = {"cycle": cycle, "family": family, "errors": errors}
            return render(request, "demand/upload_errors.html", context, status=400)
        messages.success(request, f"Upload saved: {result.saved} changed cell(s).")
        return redirect(f"/demand/cycles/{pk}/?family={family.pk}")


class EventsView(RoleRequiredMixin, TemplateView):
    template_name = "demand/events.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        cycle = get_object_or_404(PlanningCycle, pk=self.kwargs["pk"])
        scope = user_family_ids(self.request.user)
        rows = list(DemandEvent.objects.filter(cycle=cycle).select_related("product", "family"))
        if scope is not None:
            rows = [e for e in rows if (e.product.family_id if e.product else e.family_id) in scope]
        form = kwargs.get("form") or EventForm()
        products = scope_to_families(Product.objects.all(), self.request.user, "family_id")
        form.fields["product"].queryset = products  # type: ignore[union-attr]
        families = visible_families(self.request.user)
        form.fields["family"].queryset = families  # type: ignore[union-attr]
        context.update(
            cycle=cycle, events=rows, form=form, may_edit=may_edit(cycle, self.request.user)
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                events.event_create(pk, form.cleaned_data, request.user)
            except (DemandError, PermissionDenied) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Event added; the grid's events row includes it.")
                return redirect("demand:events", pk=pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class EventDeleteView(RoleRequiredMixin, View):
    required_action = "edit_demand"

    def post(self, request: HttpRequest, pk: int, event_id: int) -> HttpResponse:
        try:
            events.event_delete(event_id, request.user)
        except (DemandError, PermissionDenied, DemandEvent.DoesNotExist) as exc:
            messages.error(request, str(exc) or "No such event.")
        return redirect("demand:events", pk=pk)


class CarriedView(RoleRequiredMixin, TemplateView):
    """Overrides and events carried over from the previous cycle; the planner drops them here."""

    template_name = "demand/carried.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        cycle = get_object_or_404(PlanningCycle, pk=self.kwargs["pk"])
        context.update(
            cycle=cycle,
            overrides=DemandOverride.objects.filter(cycle=cycle, carried_from__isnull=False)
            .select_related("product", "carried_from")
            .order_by("product__sku", "month"),
            events=DemandEvent.objects.filter(cycle=cycle, carried_from__isnull=False)
            .select_related("product", "family", "carried_from")
            .order_by("start_month", "name"),
            may_edit=may_edit(cycle, self.request.user),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        get_object_or_404(PlanningCycle, pk=pk)
        overrides = [n for v in request.POST.getlist("override") if (n := _row_id(v))]
        event_ids = [n for v in request.POST.getlist("event") if (n := _row_id(v))]
        try:
            dropped = carryover.carried_drop(
                pk, request.user, override_ids=overrides, event_ids=event_ids
            )
        except (DemandError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Dropped {dropped} carried-over item(s).")
        return redirect("demand:carried", pk=pk)


def _row_id(text: str) -> int | None:
    """A posted row id, or None for anything that cannot name a row (never matches one)."""
    return int(text) if text.isdigit() and len(text) < 19 else None


class NewProductsView(RoleRequiredMixin, TemplateView):
    template_name = "demand/new_products.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        cycle = get_object_or_404(PlanningCycle, pk=self.kwargs["pk"])
        products = scope_to_families(
            Product.objects.filter(Q(lifecycle="new") | Q(like_product__isnull=False)),
            self.request.user,
            "family_id",
        ).select_related("like_product", "family")
        # A keyset page of 50: hundreds of new products at 10,000 SKUs, each row a form.
        page = keyset_page(products, self.request.GET.get("cursor"),
                           self.request.GET.get("page", "first"), NEW_PRODUCTS_PAGE)  # fmt: skip
        context.update(
            cycle=cycle,
            products=page.rows,
            keyset=page,
            querystring="",
            form=LikeItemForm(),
            may_edit=may_edit(cycle, self.request.user),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = LikeItemForm(request.POST)
        if form.is_valid():
            try:
                events.like_item_set(
                    pk,
                    posted_int(request.POST.get("product")),
                    form.cleaned_data["like_sku"],
                    form.cleaned_data["like_scale"],
                    request.user,
                )
            except Product.DoesNotExist:
                messages.error(request, "No such product.")
            except (DemandError, PermissionDenied) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "Like-item saved; run the forecast to use it.")
        else:
            messages.error(request, form.errors.as_text())
        return redirect("demand:new_products", pk=pk)


class AccuracyView(RoleRequiredMixin, TemplateView):
    template_name = "demand/accuracy.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        lag_text = self.request.GET.get("lag", "")
        lag = int(lag_text) if lag_text.isdigit() else None
        report = accuracy_report(user_family_ids(self.request.user), lag)
        context.update(lag=lag, lags=range(0, 18), **report)
        return context
