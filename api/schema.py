"""OpenAPI documentation for every endpoint: summaries, parameters, request and response examples.

Table endpoints are documented from their import spec (column examples), so the docs cannot
drift from what the validator accepts.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers

from api.serializers import CycleSerializer, PlanSerializer, PlanSummarySerializer
from api.tables import Table


class BearerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "api.security.BearerTokenAuthentication"
    name = "erpToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "ERP client token from `manage.py api_client create NAME` or admin.",
        }


DETAIL = inline_serializer("Detail", {"detail": serializers.CharField()})
ROW_ERROR = inline_serializer(
    "RowError",
    {
        "row": serializers.IntegerField(help_text="CSV line (header = 1) or JSON item (1-based)"),
        "field": serializers.CharField(),
        "message": serializers.CharField(),
    },
)
UPSERT_RESULT = inline_serializer(
    "UpsertResult",
    {
        "table": serializers.CharField(),
        "batch_id": serializers.IntegerField(),
        "rows": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "warnings": ROW_ERROR.__class__(
            many=True,
            required=False,
            help_text="Rows accepted with a remark (e.g. negative on-hand stock); "
            "present only when there are any.",
        ),
    },
)
UPSERT_ERRORS = inline_serializer(
    "UpsertErrors",
    {
        "detail": serializers.CharField(),
        "table": serializers.CharField(),
        "batch_id": serializers.IntegerField(),
        "error_count": serializers.IntegerField(),
        "errors": ROW_ERROR.__class__(many=True),
    },
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Retry-safe writes: the same key and body returns the stored response without applying "
        "twice; the same key with another body is refused (422); while the first request is "
        "still running a retry gets 409."
    ),
)


def _detail(example: str, text: str, code: int) -> OpenApiExample:
    return OpenApiExample(
        example, value={"detail": text}, status_codes=[str(code)], response_only=True
    )


COMMON_ERRORS: dict[int, Any] = {
    401: OpenApiResponse(DETAIL, description="Missing, unknown, expired or revoked token."),
    403: OpenApiResponse(DETAIL, description="Your role (or ERP client scope) may not do this."),
    429: OpenApiResponse(DETAIL, description="Rate limit per client exceeded; see Retry-After."),
}


def _example_row(table: Table) -> dict[str, str]:
    return {c.name: c.example for c in table.spec.columns}


def _read_example(table: Table) -> dict[str, Any]:
    row: dict[str, Any] = {"id": 1}
    for column in table.spec.columns:
        value: Any = column.example or None
        if column.kind == "int" and value:
            value = int(value)
        if column.kind == "bool":
            value = (value or "true") == "true"
        row[column.name] = value
    row["updated_at"] = "2026-11-02T08:15:00Z"
    return row


def table_schema(view: type[Any], table: Table) -> type[Any]:
    spec = table.spec
    csv_example = ",".join(spec.column_names) + "\n" + ",".join(_example_row(table).values())
    upsert_errors_example = {
        "detail": "1 row error(s): nothing was written.",
        "table": table.name,
        "batch_id": 42,
        "error_count": 1,
        "errors": [
            {"row": 2, "field": spec.columns[0].name, "message": "Required value is empty."}
        ],
    }
    tag = "master data" if table.is_master else "data inputs"
    return extend_schema_view(
        get=extend_schema(
            operation_id=f"{table.name}_list",
            summary=f"List {spec.label.lower()}",
            description=f"{spec.description} Filter with `updated_since` for incremental sync.",
            tags=[tag],
            responses={200: table.serializer(many=True), **COMMON_ERRORS},
            examples=[
                OpenApiExample(f"{spec.label} row", value=_read_example(table), response_only=True)
            ],
        ),
        post=extend_schema(
            operation_id=f"{table.name}_upsert",
            summary=f"Bulk upsert {spec.label.lower()}",
            description=(
                f"{spec.description} Upserts on the natural key "
                f"({', '.join(c.name for c in spec.columns if c.field in spec.key_fields) or 'sku, site, supplier, mode'}). "
                "Send a JSON array of objects or a CSV body (`Content-Type: text/csv`, header row). "
                "All-or-nothing: any bad row answers 422 with every row error and writes nothing."
            ),
            tags=[tag],
            parameters=[IDEMPOTENCY_KEY],
            request={
                "application/json": table.upsert_row(many=True),
                "text/csv": OpenApiTypes.STR,
            },
            responses={
                200: UPSERT_RESULT,
                400: DETAIL,
                409: DETAIL,
                413: DETAIL,
                422: UPSERT_ERRORS,
                **COMMON_ERRORS,
            },
            examples=[
                OpenApiExample(
                    "JSON rows",
                    value=[_example_row(table)],
                    request_only=True,
                    media_type="application/json",
                ),
                OpenApiExample(
                    "CSV body", value=csv_example, request_only=True, media_type="text/csv"
                ),
                OpenApiExample(
                    "Applied",
                    value={
                        "table": table.name,
                        "batch_id": 41,
                        "rows": 1,
                        "created": 1,
                        "updated": 0,
                        "unchanged": 0,
                    },
                    status_codes=["200"],
                    response_only=True,
                ),
                OpenApiExample(
                    "Row errors",
                    value=upsert_errors_example,
                    status_codes=["422"],
                    response_only=True,
                ),
                _detail("Bad body", "Expected a JSON array of objects (or a text/csv body).", 400),
                _detail(
                    "Key in flight",
                    "A request with this Idempotency-Key is still being processed; retry later.",
                    409,
                ),
                _detail(
                    "Too large",
                    "The request body has 40000000 bytes; the limit is 33554432. Send smaller batches.",
                    413,
                ),
            ],
        ),
    )(view)


CYCLE_EXAMPLE = {
    "month": "2026-11",
    "state": "supply_review",
    "version": 3,
    "horizon_months": 18,
    "approved_at": None,
    "closed_at": None,
    "stages": [
        {
            "key": "data_inputs",
            "position": 1,
            "owner_role": "administrator",
            "due_date": "2026-11-03",
            "status": "signed_off",
            "started_at": "2026-11-01T07:00:00Z",
        }
    ],
}
PLAN_EXAMPLE = {
    "cycle": "2026-11",
    "state": "approved",
    "approved": True,
    "approved_at": "2026-11-24T16:00:00Z",
    "sha256": "9f2c...e41a",
    "run_ids": {"demand": 41, "targets": 17, "supply": 23, "projection": 18, "finance": 3},
    "scenario_id": None,
    "rows": [
        {
            "sku": "BEV-001", "site": "DC1", "family": "BEV", "month": "2026-11",
            "consensus_demand_units": 1250.0, "backlog_units": 0.0, "served_units": 1250.0,
            "lost_sales_units": 0.0, "production_units": 0.0, "purchase_units": 1300.0,
            "purchase_units_by_mode": {"ocean": 1300.0}, "opening_inventory_units": 400.0,
            "projected_inventory_units": 450.0, "safety_stock_units": 310.0,
            "unit_price_eur": 2.4, "unit_cost_eur": 1.1, "revenue_eur": 3000.0,
            "cogs_eur": 1375.0, "gross_margin_eur": 1625.0, "revenue_at_risk_eur": 0.0,
            "inventory_value_eur": 495.0,
        }
    ],
    "resources": [
        {"resource": "L1", "month": "2026-11", "load_hours": 120.0, "capacity_hours": 160.0,
         "overtime_hours": 0.0, "utilisation_pct": 75.0}
    ],
}  # fmt: skip
PLAN_CSV_EXAMPLE = (
    "section,sku,site,family,month,consensus_demand_units,...,resource,load_hours,...\n"
    "rows,BEV-001,DC1,BEV,2026-11,1250.0,...\nresources,,,,2026-11,,...,L1,120.0,...\n"
)
NOT_FOUND = OpenApiResponse(
    DETAIL, description="No such cycle, or no plan built yet (reason given)."
)
PREPARING = OpenApiResponse(
    inline_serializer(
        "PlanPreparing",
        {
            "detail": serializers.CharField(),
            "status": serializers.ChoiceField(choices=["rendering"]),
            "retry_after_seconds": serializers.IntegerField(),
        },
    ),
    description=(
        "The approved plan's document is being rendered right now (e.g. just after approval) "
        "and was not ready within ~1.5 s: nothing is returned yet. Retry after the "
        "`Retry-After` header's seconds; the document is rendered once and then served."
    ),
)

cycle_list_schema = extend_schema_view(
    get=extend_schema(
        operation_id="cycles_list",
        summary="List planning cycles with stage statuses",
        tags=["cycles"],
        responses={200: CycleSerializer(many=True), **COMMON_ERRORS},
        examples=[OpenApiExample("Cycle", value=CYCLE_EXAMPLE, response_only=True)],
    )
)
cycle_detail_schema = extend_schema(
    operation_id="cycles_retrieve",
    summary="One planning cycle (YYYY-MM) with stage statuses",
    tags=["cycles"],
    responses={200: CycleSerializer, 404: NOT_FOUND, **COMMON_ERRORS},
    examples=[
        OpenApiExample("Cycle", value=CYCLE_EXAMPLE, response_only=True, status_codes=["200"]),
        _detail("Unknown", "There is no planning cycle for 2030-01.", 404),
    ],
)
plan_list_schema = extend_schema_view(
    get=extend_schema(
        operation_id="plans_list",
        summary="Approved cycles whose plan can be fetched",
        tags=["approved plans"],
        responses={200: PlanSummarySerializer(many=True), **COMMON_ERRORS},
        examples=[
            OpenApiExample(
                "Approved cycle",
                value={
                    "cycle": "2026-11",
                    "state": "approved",
                    "approved_at": "2026-11-24T16:00:00Z",
                    "plan_url": "/api/v1/cycles/2026-11/plan/",
                },
                response_only=True,
            )
        ],
    )
)
plan_schema = extend_schema(
    operation_id="cycles_plan_retrieve",
    summary="The consensus plan of a cycle (JSON or CSV, ETag = its SHA-256)",
    description=(
        "The cycle's integrated plan, product x site x month (consensus demand, backlog, served, "
        "lost sales, production, purchases by transport mode, projected inventory, safety stock "
        "and the money columns) and resource x month. An approved cycle serves its immutable "
        "snapshot (`approved: true`): its ETag is the snapshot's SHA-256 and never changes; an "
        "open cycle serves its current plan record. `?format=csv` (or `Accept: text/csv`) returns "
        "one long CSV with a `section` column. Send `If-None-Match` with the last ETag to get 304 "
        "when nothing changed (answered without building the document). An approved plan's "
        "document is rendered once and served gzip-compressed to clients sending "
        "`Accept-Encoding: gzip`; while that render is in progress (right after approval) the "
        "call answers 202 with `Retry-After`. 404 explains why while the cycle has no plan yet."
    ),
    tags=["approved plans"],
    parameters=[
        OpenApiParameter("format", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=["json", "csv"]),
        OpenApiParameter("If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER),
    ],
    responses={
        (200, "application/json"): PlanSerializer,
        (200, "text/csv"): OpenApiTypes.STR,
        202: PREPARING,
        304: OpenApiResponse(description="Not modified (ETag matches)."),
        404: NOT_FOUND,
        **COMMON_ERRORS,
    },
    examples=[
        OpenApiExample(
            "Plan (JSON)",
            value=PLAN_EXAMPLE,
            response_only=True,
            status_codes=["200"],
            media_type="application/json",
        ),
        OpenApiExample(
            "Plan (CSV)",
            value=PLAN_CSV_EXAMPLE,
            response_only=True,
            status_codes=["200"],
            media_type="text/csv",
        ),
        OpenApiExample(
            "Being prepared",
            value={
                "detail": "The 2026-11 plan document (json) is being prepared; retry in 5 seconds.",
                "status": "rendering",
                "retry_after_seconds": 5,
            },
            response_only=True,
            status_codes=["202"],
        ),
        _detail(
            "No plan yet",
            "The 2026-11 cycle has no consensus plan yet (it is in demand review); its plan is built once the demand review is signed off and supply and inventory are planned.",
            404,
        ),
    ],
)
