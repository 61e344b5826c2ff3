"""Data-input pages: scoped lists, and upload -> preview with row errors -> all-or-nothing apply."""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views import View

from accounts.mixins import RoleRequiredMixin
from accounts.selectors import user_may
from datainputs import filters, models, services
from datainputs.importers import SPECS, ImportSpec
from datainputs.templates_io import template_csv, template_xlsx
from siop.listing import TableListView
from siop.numbers import number_locale


class UploadForm(forms.Form):
    file = forms.FileField(help_text="CSV (UTF-8) or XLSX, with the template's header row.")


def _spec(name: str) -> ImportSpec:
    if name not in SPECS:
        raise Http404("Unknown data input.")
    return SPECS[name]


def _browse_url(spec: ImportSpec) -> str | None:
    """The input's list page; a stage's registered input (the budget) is browsed on its stage."""
    try:
        return reverse(f"datainputs:{spec.name}")
    except NoReverseMatch:
        return None


class DataInputsHomeView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        cards = [
            {"spec": spec, "may_upload": user_may(request.user, f"upload_{spec.name}"),
             "browse_url": _browse_url(spec)}
            for spec in SPECS.values()
        ]  # fmt: skip
        recent = models.ImportBatch.objects.select_related("created_by")[:15]
        return render(request, "datainputs/home.html", {"cards": cards, "recent": recent})


class TemplateDownloadView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, name: str, fmt: str) -> HttpResponse:
        spec = _spec(name)
        if fmt == "csv":
            response = HttpResponse(template_csv(spec), content_type="text/csv")
        elif fmt == "xlsx":
            response = HttpResponse(
                template_xlsx(spec),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            raise Http404("Unknown format.")
        response["Content-Disposition"] = f'attachment; filename="{spec.name}_template.{fmt}"'
        return response


class UploadView(RoleRequiredMixin, View):
    def get_required_action(self) -> str:
        return f"upload_{_spec(self.kwargs['name']).name}"

    def get(self, request: HttpRequest, name: str) -> HttpResponse:
        return self._page(request, _spec(name), UploadForm())

    def post(self, request: HttpRequest, name: str) -> HttpResponse:
        spec = _spec(name)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(request, spec, form, status=400)
        upload = form.cleaned_data["file"]
        # The file object, not its bytes: large uploads are on disk and parsed as a stream.
        outcome = services.upload_preview(spec, upload.file, upload.name, request.user)
        return redirect("datainputs:batch", pk=outcome.batch.pk)

    def _page(
        self, request: HttpRequest, spec: ImportSpec, form: UploadForm, status: int = 200
    ) -> HttpResponse:
        locale = number_locale()
        context = {
            "spec": spec,
            "form": form,
            "number_locale_name": locale,
            "number_example": format_decimal(1234.5, locale=locale),
        }
        return render(request, "datainputs/upload.html", context, status=status)


class BatchView(RoleRequiredMixin, View):
    """The preview of an upload: its row errors, or its first rows and an Apply button."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = self._batch(request, pk)
        spec = _spec(batch.data_input)
        preview = [
            [raw.get(column) for column in spec.column_names]
            for _, raw in batch.payload[: services.PREVIEW_ROWS]
        ]
        context = {"batch": batch, "spec": spec, "preview": preview}
        return render(request, "datainputs/batch.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = self._batch(request, pk)
        spec = _spec(batch.data_input)
        try:
            outcome = services.upload_apply(spec, batch, request.user)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("datainputs:batch", pk=pk)
        if outcome.ok and outcome.counts:
            counts = outcome.counts
            messages.success(
                request,
                f"Applied: {counts.created} created, {counts.updated} updated, "
                f"{counts.unchanged} unchanged.",
            )
        else:
            messages.error(request, "Nothing was written: the data changed since the preview.")
        return redirect("datainputs:batch", pk=pk)

    def _batch(self, request: HttpRequest, pk: int) -> models.ImportBatch:
        batch = get_object_or_404(models.ImportBatch, pk=pk)
        if batch.created_by_id != request.user.pk and not user_may(
            request.user, "edit_master_data"
        ):
            raise PermissionDenied("This upload belongs to someone else.")
        return batch


class SalesHistoryListView(TableListView):
    title = "Sales history"
    model = models.SalesHistory
    filterset_class = filters.SalesHistoryFilter
    family_path = "product__family_id"
    upload_name = "sales_history"
    columns = [
        ("SKU", "product.sku"),
        ("Site", "site.code"),
        ("Channel", "channel.code"),
        ("Month", "month"),
        ("Quantity", "quantity"),
        ("Revenue", "revenue"),
    ]

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("product", "site", "channel")


class OpenOrderListView(TableListView):
    title = "Open orders / backlog"
    model = models.OpenOrder
    filterset_class = filters.OpenOrderFilter
    family_path = "product__family_id"
    upload_name = "open_orders"
    columns = [
        ("Order", "order_number"),
        ("Line", "line"),
        ("SKU", "product.sku"),
        ("Site", "site.code"),
        ("Channel", "channel.code"),
        ("Ordered", "order_date"),
        ("Requested", "requested_date"),
        ("Quantity", "quantity"),
    ]

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("product", "site", "channel")


class InventoryListView(TableListView):
    title = "Inventory on hand"
    model = models.InventoryOnHand
    filterset_class = filters.InventoryFilter
    family_path = "product__family_id"
    upload_name = "inventory_on_hand"
    columns = [
        ("SKU", "product.sku"),
        ("Site", "site.code"),
        ("As of", "as_of_date"),
        ("Quantity", "quantity"),
    ]

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("product", "site")


class OpenReceiptListView(TableListView):
    title = "Open receipts"
    model = models.OpenReceipt
    filterset_class = filters.OpenReceiptFilter
    family_path = "product__family_id"
    upload_name = "open_receipts"
    columns = [
        ("Order", "order_number"),
        ("Line", "line"),
        ("Type", "get_receipt_type_display"),
        ("SKU", "product.sku"),
        ("Site", "site.code"),
        ("Supplier", "supplier.code"),
        ("Resource", "resource.code"),
        ("Mode", "transport_mode"),
        ("Due", "due_date"),
        ("Quantity", "quantity"),
    ]

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("product", "site", "supplier", "resource")


class ImportBatchListView(TableListView):
    """Every import through either door (upload or API), newest first."""

    title = "Import history"
    model = models.ImportBatch
    filterset_class = filters.ImportBatchFilter
    columns = [
        ("When", "created_at"),
        ("Input", "data_input"),
        ("Source", "source"),
        ("File", "file_name"),
        ("Status", "get_status_display"),
        ("Rows", "row_count"),
        ("Created", "created_count"),
        ("Updated", "updated_count"),
        ("Unchanged", "unchanged_count"),
        ("By", "created_by"),
    ]

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("created_by").defer("payload")
