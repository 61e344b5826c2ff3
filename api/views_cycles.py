"""Cycles with their stage statuses, and the consensus plan (JSON or CSV, ETag = its SHA-256):
the approved snapshot once approved, the current plan record before."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from rest_framework import mixins, renderers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.scoping import scope_records
from accounts.selectors import user_family_ids
from api import exports, renditions, schema
from api.serializers import CycleSerializer, PlanSummarySerializer
from api.views_base import ApiPagination, ApiView
from cycles.models import PlanningCycle


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data if isinstance(data, bytes | str) else str(data)


def cycle_by_month(month: str) -> PlanningCycle:
    try:
        first = dt.date(int(month[:4]), int(month[5:7]), 1)
    except ValueError:
        raise NotFound(f"'{month}' is not a month (use YYYY-MM).") from None
    cycle = PlanningCycle.objects.prefetch_related("stages").filter(month=first).first()
    if cycle is None:
        raise NotFound(f"There is no planning cycle for {month}.")
    return cycle


@schema.cycle_list_schema
class CycleListView(ApiView, mixins.ListModelMixin, GenericAPIView):
    serializer_class = CycleSerializer
    pagination_class = ApiPagination

    def required_action(self, request: Request) -> str:
        return "api_read_cycles"

    def get_queryset(self) -> Any:
        return PlanningCycle.objects.prefetch_related("stages").order_by("-month")

    def get(self, request: Request) -> Response:
        return self.list(request)


class CycleDetailView(ApiView):
    def required_action(self, request: Request) -> str:
        return "api_read_cycles"

    @schema.cycle_detail_schema
    def get(self, request: Request, month: str) -> Response:
        return Response(CycleSerializer(cycle_by_month(month)).data)


@schema.plan_list_schema
class PlanListView(ApiView, mixins.ListModelMixin, GenericAPIView):
    serializer_class = PlanSummarySerializer
    pagination_class = ApiPagination

    def required_action(self, request: Request) -> str:
        return "api_read_approved_plan"

    def get_queryset(self) -> Any:
        return PlanningCycle.objects.filter(state__in=["approved", "closed"]).order_by("-month")

    def get(self, request: Request) -> Response:
        return self.list(request)


class PlanView(ApiView):
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    def required_action(self, request: Request) -> str:
        return "api_read_approved_plan"

    @schema.plan_schema
    def get(self, request: Request, month: str) -> Any:
        cycle = cycle_by_month(month)
        source = exports.plan_source(cycle)
        if source is None:
            stage = cycle.state.replace("_", " ")
            raise NotFound(
                f"The {month} cycle has no consensus plan yet (it is in {stage}); "
                "its plan is built once the demand review is signed off and supply and "
                "inventory are planned."
            )
        families = user_family_ids(request.user)
        as_csv = request.accepted_renderer.format == "csv"
        tag = exports.etag(source.sha256, as_csv=as_csv, families=families)
        if tag in request.headers.get("If-None-Match", ""):
            response = HttpResponse(status=304)
        elif source.approved is not None and families is None:
            fmt = "csv" if as_csv else "json"
            stored = renditions.rendition(cycle, source, fmt)
            if stored is None:  # rendered elsewhere right now (e.g. the approval's task)
                return renditions.preparing_response(month, fmt)
            response = renditions.rendition_response(stored, request, fmt)
            if as_csv:
                response["Content-Disposition"] = f'attachment; filename="plan_{month}.csv"'
        else:
            plan = exports.plan_document(cycle, source)
            for section in exports.SECTIONS:  # family-scoped users get their families' rows only
                plan[section] = scope_records(plan[section], request.user)
            content = exports.plan_csv(plan).encode() if as_csv else exports.plan_json_bytes(plan)
            kind = "text/csv; charset=utf-8" if as_csv else "application/json"
            response = HttpResponse(content, content_type=kind)
            if as_csv:
                response["Content-Disposition"] = f'attachment; filename="plan_{month}.csv"'
        response["ETag"] = tag
        response["Cache-Control"] = "private, must-revalidate"
        return response
