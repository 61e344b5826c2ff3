"""The consensus plan of a cycle as the API publishes it: read from the plan record, never
recomputed.

* An approved (or closed) cycle: its immutable approved-plan snapshot; the ETag is the snapshot's
  SHA-256 (``cycles.approval``), so it cannot change after approval.
* An open cycle: its current consensus plan record (``ConsensusPlan``), hashed the same way.

Rows carry natural keys (SKU, site, family, resource codes) as stored in the record, and the
months as ``YYYY-MM``; ``purchase_units_by_mode`` maps transport mode -> units received.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cycles.approval import (
    RESOURCE_FIELDS,
    ROW_FIELDS,
    approved_rows,
    live_rows,
    plan_hash,
)
from cycles.models import PlanningCycle
from cycles.plan_models import ApprovedPlan, ConsensusPlan
from siop.cells import csv_cell

ROW_NAMES = {"site_code": "site", "family_code": "family"}
RESOURCE_NAMES = {"resource_code": "resource"}
SECTIONS = ("rows", "resources")


@dataclass(frozen=True)
class PlanSource:
    """Where a cycle's published plan comes from, with its hash (the ETag)."""

    sha256: str
    approved: ApprovedPlan | None
    plan: ConsensusPlan | None

    def rows(self) -> tuple[Iterable[tuple[Any, ...]], Iterable[tuple[Any, ...]]]:
        if self.approved is not None:
            return approved_rows(self.approved)
        assert self.plan is not None
        return live_rows(self.plan)


def plan_source(cycle: PlanningCycle) -> PlanSource | None:
    """The snapshot of an approved cycle, else the current plan record (None: not built yet)."""
    approved = ApprovedPlan.objects.filter(cycle=cycle).first()
    if approved is not None:
        return PlanSource(approved.sha256, approved, None)
    plan = ConsensusPlan.objects.filter(cycle=cycle, built_at__isnull=False).first()
    if plan is None:
        return None
    return PlanSource(plan_hash(plan=plan), None, plan)


def _cell(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m")
    if isinstance(value, float):
        return round(value, 4)
    return value


def _column(values: tuple[Any, ...]) -> list[Any]:
    """``_cell`` of every value of one column, converting per column rather than per value
    (250,000 rows x 25 columns at 10,000 SKUs): a date column formats each distinct date once."""
    kinds = {type(v) for v in values if v is not None}
    if kinds == {float}:
        return [None if v is None else round(v, 4) for v in values]
    if kinds == {dt.date}:
        labels = {d: _cell(d) for d in set(values) if d is not None}
        return [labels.get(v) for v in values]
    return [_cell(v) for v in values]


def _records(rows: Iterable[tuple[Any, ...]], fields: tuple[str, ...], names: dict[str, str]
             ) -> list[dict[str, Any]]:  # fmt: skip
    keys = [names.get(f, f) for f in fields]
    columns = [_column(c) for c in zip(*rows, strict=True)]
    return [dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)]


def plan_metadata(cycle: PlanningCycle, source: PlanSource) -> dict[str, Any]:
    """The document's fields other than its ``rows`` and ``resources``."""
    approved = source.approved
    return {
        "cycle": cycle.month.strftime("%Y-%m"),
        "state": cycle.state,
        "approved": approved is not None,
        "approved_at": approved.approved_at.isoformat() if approved else None,
        "sha256": source.sha256,
        "run_ids": approved.run_ids if approved else (source.plan.run_ids if source.plan else {}),
        "scenario_id": approved.scenario_id if approved else None,
    }


def plan_document(cycle: PlanningCycle, source: PlanSource) -> dict[str, Any]:
    """The plan as one JSON-ready document (metadata, ``rows`` and ``resources``).

    The reference rendering (a dict per row); the whole-plan documents are built column-wise
    by ``api.plan_text`` to the same bytes."""
    rows, resources = source.rows()
    return {
        **plan_metadata(cycle, source),
        "rows": _records(rows, ROW_FIELDS, ROW_NAMES),
        "resources": _records(resources, RESOURCE_FIELDS, RESOURCE_NAMES),
    }


def plan_json_bytes(plan: dict[str, Any]) -> bytes:
    return json.dumps(plan, sort_keys=True, separators=(",", ":")).encode()


def plan_csv(plan: dict[str, Any]) -> str:
    """One long CSV: a ``section`` column (rows, resources), then the union of their columns;
    ``purchase_units_by_mode`` as ``mode=units`` pairs joined by ``;``."""
    columns: dict[str, None] = {"section": None}
    for section in SECTIONS:
        for record in plan[section][:1]:
            columns.update(dict.fromkeys(record))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for section in SECTIONS:
        for record in plan[section]:
            modes = record.get("purchase_units_by_mode")
            if isinstance(modes, dict):
                record = {**record, "purchase_units_by_mode": ";".join(
                    f"{k}={v}" for k, v in sorted(modes.items()))}  # fmt: skip
            writer.writerow({"section": section, **{k: csv_cell(v) for k, v in record.items()}})
    return buffer.getvalue()


def etag(sha256: str, *, as_csv: bool, families: set[int] | None = None) -> str:
    """The plan's hash; the CSV representation, and a family-scoped user's rows, are different
    entities, hence their own tags."""
    scope = "" if families is None else "-f" + ".".join(str(f) for f in sorted(families))
    return f'"{sha256}{scope}-csv"' if as_csv else f'"{sha256}{scope}"'
