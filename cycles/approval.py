"""The approved plan: an immutable snapshot written in the executive approval's transaction.

``snapshot_write`` copies every row of the cycle's consensus plan with its natural keys as they
are at approval (SKU, site code, family code) into ``ApprovedPlanRow`` with one
``INSERT ... SELECT`` (set-based: no row travels through Python), and the resource rows the same
way. The SHA-256 is taken over the canonical serialisation of those rows (``canonical_hash``:
rows ordered by SKU, site, month; one tab-separated line each, numbers with 6 decimals), so
anyone can recompute it from the published rows. PostgreSQL refuses any UPDATE or DELETE of the
snapshot (trigger in migration ``0005_approved_plan_immutable``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from cycles.models import PlanningCycle
from cycles.plan_models import (
    ApprovedPlan,
    ApprovedPlanRow,
    ApprovedResourceRow,
    ConsensusPlan,
    PlanResourceRow,
    PlanRow,
)

NUMBER_COLUMNS = (
    "consensus_demand_units", "backlog_units", "served_units", "lost_sales_units",
    "production_units", "purchase_units", "opening_inventory_units", "projected_inventory_units",
    "safety_stock_units", "unit_price_eur", "unit_cost_eur", "revenue_eur", "cogs_eur",
    "gross_margin_eur", "revenue_at_risk_eur", "inventory_value_eur",
)  # fmt: skip
RESOURCE_NUMBERS = ("load_hours", "capacity_hours", "overtime_hours", "utilisation_pct")
ROW_FIELDS = ("sku", "site_code", "family_code", "month", *NUMBER_COLUMNS,
              "purchase_units_by_mode")  # fmt: skip
RESOURCE_FIELDS = ("resource_code", "month", *RESOURCE_NUMBERS)
LIVE_NAMES = {"sku": "product__sku", "site_code": "site__code",
              "family_code": "product__family__code", "resource_code": "resource__code"}  # fmt: skip


def _number(value: Any) -> str:
    return "" if value is None else f"{float(value):.6f}"


def _line(row: tuple[Any, ...]) -> str:
    *head, by_mode = row
    modes = ";".join(f"{k}={_number(v)}" for k, v in sorted((by_mode or {}).items()))
    keys = [str(v) for v in head[:3]] + [head[3].isoformat()]
    return "\t".join([*keys, *(_number(v) for v in head[4:]), modes])


def _resource_line(row: tuple[Any, ...]) -> str:
    return "\t".join([str(row[0]), row[1].isoformat(), *(_number(v) for v in row[2:])])


def canonical_lines(rows: Iterable[tuple[Any, ...]], resources: Iterable[tuple[Any, ...]]
                    ) -> Iterator[str]:  # fmt: skip
    """The canonical serialisation: product rows (``ROW_FIELDS``), then "#resources", then
    resource rows (``RESOURCE_FIELDS``), each already ordered by its natural keys."""
    for row in rows:
        yield _line(row)
    yield "#resources"
    for row in resources:
        yield _resource_line(row)


def canonical_hash(rows: Iterable[tuple[Any, ...]], resources: Iterable[tuple[Any, ...]]) -> str:
    digest = hashlib.sha256()
    for line in canonical_lines(rows, resources):
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def approved_rows(approved: ApprovedPlan) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """The snapshot's rows as ``ROW_FIELDS`` / ``RESOURCE_FIELDS`` tuples in canonical order."""
    rows = ApprovedPlanRow.objects.filter(approved_plan=approved).order_by(
        "sku", "site_code", "month").values_list(*ROW_FIELDS)  # fmt: skip
    resources = ApprovedResourceRow.objects.filter(approved_plan=approved).order_by(
        "resource_code", "month").values_list(*RESOURCE_FIELDS)  # fmt: skip
    return rows, resources


def live_rows(plan: ConsensusPlan) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """The current plan's rows, in the same shape and order as ``approved_rows``."""
    rows = (
        PlanRow.objects.filter(plan=plan)
        .order_by("product__sku", "site__code", "month")
        .values_list(*(LIVE_NAMES.get(f, f) for f in ROW_FIELDS))
    )
    resources = PlanResourceRow.objects.filter(plan=plan).order_by(
        "resource__code", "month").values_list(*(LIVE_NAMES.get(f, f) for f in RESOURCE_FIELDS))  # fmt: skip
    return rows, resources


def snapshot_hash(approved: ApprovedPlan) -> str:
    """Recompute the hash from the stored snapshot (equals ``approved.sha256`` unless tampered)."""
    rows, resources = approved_rows(approved)
    return canonical_hash(rows.iterator(chunk_size=5000), resources.iterator(chunk_size=5000))


def _copy_sql() -> tuple[str, str]:
    row, live = ApprovedPlanRow._meta.db_table, PlanRow._meta.db_table
    columns = ["month", *NUMBER_COLUMNS, "purchase_units_by_mode"]
    rows_sql = (
        f"INSERT INTO {row} (approved_plan_id, product_id_at_approval, sku, site_code, "
        f"family_code, {', '.join(columns)}) "
        f"SELECT %s, r.product_id, p.sku, s.code, f.code, {', '.join('r.' + c for c in columns)} "
        f"FROM {live} r JOIN masterdata_product p ON p.id = r.product_id "
        "JOIN masterdata_site s ON s.id = r.site_id "
        "JOIN masterdata_productfamily f ON f.id = p.family_id WHERE r.plan_id = %s"
    )
    res, live_res = ApprovedResourceRow._meta.db_table, PlanResourceRow._meta.db_table
    resource_sql = (
        f"INSERT INTO {res} (approved_plan_id, resource_code, month, "
        f"{', '.join(RESOURCE_NUMBERS)}) SELECT %s, m.code, r.month, "
        f"{', '.join('r.' + c for c in RESOURCE_NUMBERS)} FROM {live_res} r "
        "JOIN masterdata_resource m ON m.id = r.resource_id WHERE r.plan_id = %s"
    )
    return rows_sql, resource_sql


def snapshot_write(
    cycle: PlanningCycle, user: Any, comment: str, scenario_id: int | None
) -> ApprovedPlan:
    """Freeze the cycle's consensus plan (call inside the approval's transaction, cycle locked)."""
    plan = ConsensusPlan.objects.get(cycle=cycle)
    rows, resources = live_rows(plan)
    digest = canonical_hash(rows.iterator(chunk_size=5000), resources.iterator(chunk_size=5000))
    approved = ApprovedPlan.objects.create(
        cycle=cycle, sha256=digest, run_ids=plan.run_ids, row_count=rows.count(),
        scenario_id=scenario_id, approved_by=user, comment=comment,
    )  # fmt: skip
    rows_sql, resource_sql = _copy_sql()
    with connection.cursor() as cursor:
        cursor.execute(rows_sql, [approved.pk, plan.pk])
        cursor.execute(resource_sql, [approved.pk, plan.pk])
    return approved
