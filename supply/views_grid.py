"""The supply plan's product x month grid: the page, its JSON rows and the XLSX export."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views import View

from accounts.mixins import RoleRequiredMixin
from cycles.models import PlanningCycle
from siop.spreadsheet import xlsx_response
from supply.plan_grid import KEY_COLUMNS, MEASURES, measure, plan_grid


class PlanGridView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        chosen = measure(request.GET.get("measure"))
        context = {"cycle": cycle, "measures": MEASURES, "measure": chosen}
        return render(request, "supply/plan_grid.html", context)


class PlanGridDataView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        grid = plan_grid(cycle, request.user, request.GET.get("measure"), request.GET.get("q", ""))
        months = [f"{m:%Y-%m}" for m in grid.months]
        return JsonResponse({"measure": grid.measure.label, "months": months, "rows": grid.rows})


class PlanGridExportView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        grid = plan_grid(cycle, request.user, request.GET.get("measure"), request.GET.get("q", ""))
        months = [f"{m:%Y-%m}" for m in grid.months]
        header = ["SKU", "Product", "Family", "Site", *months]
        rows = ([row[c] for c in KEY_COLUMNS] + [row[m] for m in months] for row in grid.rows)
        filename = f"supply-plan-{cycle.month:%Y-%m}-{grid.measure.key}.xlsx"
        return xlsx_response(filename, grid.measure.label, header, rows)
