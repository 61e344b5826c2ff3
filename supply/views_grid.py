"""The supply plan's product x month grid: the page, its JSON rows and the XLSX export."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views import View

from accounts.mixins import RoleRequiredMixin
from cycles.export_views import export_response
from cycles.models import PlanningCycle
from siop.cached_json import cached_json_response
from supply import exports
from supply.plan_grid import MEASURES, measure, plan_grid
from supply.plan_grid_pages import GridPart, family_rows, part_etag, plan_of, product_page

PART_PARAMS = {"part", "family", "cursor", "limit"}


class PlanGridView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        chosen = measure(request.GET.get("measure"))
        context = {"cycle": cycle, "measures": MEASURES, "measure": chosen}
        return render(request, "supply/plan_grid.html", context)


class PlanGridDataView(RoleRequiredMixin, View):
    """``part=family``: the family rows and totals; ``family=<id>`` (+ ``cursor``, ``limit``):
    a page of that family's product rows; both cached with an ETag (``plan_grid_pages``).
    Without either, every product row at once (the grid before paging; kept for comparison)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        if PART_PARAMS & set(request.GET):
            part = grid_part(request)
            plan = plan_of(cycle)
            build = family_rows if part.family_id is None else product_page
            etag = part_etag(cycle, plan, request.user, part)
            return cached_json_response(request, etag, lambda: build(plan, request.user, part))
        grid = plan_grid(cycle, request.user, request.GET.get("measure"), request.GET.get("q", ""))
        months = [f"{m:%Y-%m}" for m in grid.months]
        return JsonResponse({"measure": grid.measure.label, "months": months, "rows": grid.rows})


def grid_part(request: HttpRequest) -> GridPart:
    """The request's part of the grid; a family or limit that is not a whole number is a 400."""
    params = request.GET
    family = params.get("family", "").strip()
    if params.get("part") != "family" and not family.isdecimal():
        raise BadRequest(f"family must be a product family id, not {family[:40]!r}.")
    limit = params.get("limit", "200").strip()
    if not limit.isdecimal() or not 1 <= int(limit) <= 1000:
        raise BadRequest(f"limit must be a whole number from 1 to 1000, not {limit[:40]!r}.")
    return GridPart(
        measure=measure(params.get("measure")),
        search=params.get("q", "").replace("\x00", "").strip()[:100],
        family_id=None if params.get("part") == "family" else int(family),
        cursor=params.get("cursor") or None,
        limit=int(limit),
    )


class PlanGridExportView(RoleRequiredMixin, View):
    """The grid (measure, search) as XLSX: built in the background (`supply.exports`)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        params = exports.export_params(request.GET.get("measure"), request.GET.get("q"))
        return export_response(request, exports.NAME, cycle, params)
