"""One list + bulk-upsert endpoint per table: ``GET`` reads (filtered, paginated,
``updated_since``), ``POST`` upserts a JSON array or a CSV body through the import service."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, parsers, status
from rest_framework.exceptions import ParseError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.scoping import scoped
from api import idempotency
from api.tables import Table
from api.views_base import ApiPagination, ApiView
from datainputs.importers.payload import TablePayload
from datainputs.services import ImportOutcome, table_import

MAX_ERRORS_SHOWN = 1000


class CSVBodyParser(parsers.BaseParser):
    media_type = "text/csv"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return stream.read() if stream is not None else b""


class TableView(ApiView, mixins.ListModelMixin, GenericAPIView):
    table: Table
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend]
    parser_classes = [parsers.JSONParser, CSVBodyParser]

    @property
    def filterset_class(self) -> Any:
        return self.table.filterset

    def get_serializer_class(self) -> Any:
        return self.table.serializer

    def required_action(self, request: Request) -> str:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return "api_read_tables"
        return f"upload_{self.table.name}"

    def get_queryset(self) -> QuerySet[Any]:
        manager = self.table.model._default_manager
        queryset = manager.select_related(*self.table.select_related).order_by("id")
        return scoped(queryset, self.request.user)

    def get(self, request: Request) -> Response:
        return self.list(request)

    def post(self, request: Request) -> Response:
        body = request.body
        key = request.headers.get(idempotency.HEADER)
        if key is None:
            return self._upsert(request)
        claim = idempotency.begin(request.user, key, request.path, body)
        if isinstance(claim, Response):
            return claim
        try:
            response = self._upsert(request)
        except BaseException:
            idempotency.abandon(claim)
            raise
        idempotency.finish(claim, response)
        return response

    def _upsert(self, request: Request) -> Response:
        payload = self._payload(request)
        outcome = table_import(self.table.spec, payload, request.user, source="api")
        return _outcome_response(self.table, outcome)

    def _payload(self, request: Request) -> TablePayload:
        data = request.data
        if isinstance(data, bytes):
            return TablePayload.from_csv(data)
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise ParseError("Expected a JSON array of objects (or a text/csv body).")
        return TablePayload.from_records(data)


def _outcome_response(table: Table, outcome: ImportOutcome) -> Response:
    batch = outcome.batch
    if not outcome.ok or outcome.counts is None:
        errors = [e.as_dict() for e in outcome.errors]
        return Response(
            {
                "detail": f"{len(errors)} row error(s): nothing was written.",
                "table": table.name,
                "batch_id": batch.pk,
                "error_count": len(errors),
                "errors": errors[:MAX_ERRORS_SHOWN],
            },
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    body = {"table": table.name, "batch_id": batch.pk, "rows": batch.row_count}
    body.update(outcome.counts.as_dict())
    if outcome.warnings:  # rows accepted with a remark (negative on-hand stock...)
        body["warnings"] = [w.as_dict() for w in outcome.warnings[:MAX_ERRORS_SHOWN]]
    return Response(body)
