"""The column-wise plan document (``api.plan_text``) is the reference document to the byte (issue
15: the export built in seconds at 10,000 SKUs, its format unchanged)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import numpy as np
import pytest

from api import exports, plan_text, renditions
from cycles.models import PlanningCycle
from cycles.plan_models import ApprovedPlan, ApprovedPlanRow, ApprovedResourceRow

pytestmark = pytest.mark.django_db

# values that trip a naive formatter: ties at the 5th decimal, -0.0 after rounding, exponents,
# integers, large money amounts, shortest-repr edge cases
AWKWARD = [2.675, 0.00005, -0.00004, 1.00005, 0.12345, 1e16, 1.5e17, 120.0, 0.0, -0.0, 1e-5,
           123456789.123456, 0.1 + 0.2, 2.0**52 / 1e4, 98765.43215, -7.77775, 3.0]  # fmt: skip
SKUS = ["A-1", "B,comma", 'C"quote', "=SUM(A1)", "-5", "+12", "Été-ünï", " space", "@x"]
MODES: list[dict[str, Any]] = [{}, {"ocean": 12.5}, {"road": 3, "air": 0.1 + 0.2}, {"=x": 1e16}]


def _approved_plan(cycle: PlanningCycle) -> ApprovedPlan:
    """An approved snapshot written directly, with every awkward value, SKU and mode mix."""
    approved = ApprovedPlan.objects.create(cycle=cycle, sha256="f" * 64, run_ids={"supply": 7},
                                           row_count=0, scenario_id=3)  # fmt: skip
    numbers = [f.name for f in ApprovedPlanRow._meta.fields if f.name in plan_text.NUMBERS]
    rows = []
    for i, sku in enumerate(SKUS):
        for m in range(3):
            k = i * 3 + m
            values = {n: AWKWARD[(k + j) % len(AWKWARD)] * (1 if j % 2 else -1)
                      for j, n in enumerate(numbers)}  # fmt: skip
            rows.append(ApprovedPlanRow(
                approved_plan=approved, product_id_at_approval=i + 1, sku=sku,
                site_code="S,1" if m == 2 else "DC1", family_code="F=1" if i % 2 else "BEV",
                month=dt.date(2026, 11 + m, 1) if m < 2 else dt.date(2027, 1, 1),
                purchase_units_by_mode=MODES[k % len(MODES)], **values,
            ))  # fmt: skip
    ApprovedPlanRow.objects.bulk_create(rows)
    ApprovedResourceRow.objects.bulk_create(
        ApprovedResourceRow(approved_plan=approved, resource_code=code, month=dt.date(2026, 11, 1),
                            load_hours=2.675 * n, capacity_hours=160.0, overtime_hours=-0.00004,
                            utilisation_pct=None if n == 2 else 0.12345 * n)
        for n, code in enumerate(["LINE-1", "LINE,2", "=L3"], start=1)
    )  # fmt: skip
    return approved


@pytest.fixture
def awkward(cycle: PlanningCycle) -> tuple[PlanningCycle, exports.PlanSource]:
    _approved_plan(cycle)
    source = exports.plan_source(cycle)
    assert source is not None
    return cycle, source


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_fast_document_is_the_reference_document_byte_for_byte(awkward, fmt, monkeypatch
                                                                   ) -> None:  # fmt: skip
    # Given an approved plan full of awkward numbers, quoted and formula-like codes, mode mixes
    cycle, source = awkward
    reference = renditions.reference_document_bytes(cycle, source, fmt)
    # When the document is built column-wise by COPY (PostgreSQL) and through the ORM (SQLite's
    # path, forced here on the same data)
    fast = renditions.document_bytes(cycle, source, fmt)
    monkeypatch.setattr(plan_text, "copy_available", lambda: False)
    orm = renditions.document_bytes(cycle, source, fmt)
    # Then both are the reference's bytes, and the stored gzip decompresses to them
    assert fast == reference and orm == reference
    body, size = renditions.compressed_document(cycle, source, fmt)
    import gzip

    assert gzip.decompress(body) == reference and size == len(reference)


def test_the_document_keeps_its_documented_shape(awkward) -> None:
    # Given the awkward plan, When it is rendered column-wise
    cycle, source = awkward
    plan = json.loads(renditions.document_bytes(cycle, source, "json"))
    rows = list(
        csv.DictReader(io.StringIO(renditions.document_bytes(cycle, source, "csv").decode()))
    )
    # Then numbers are rounded to 4 decimals, months are YYYY-MM, modes a sorted mapping / pairs
    by_key = {(r["sku"], r["month"]): r for r in plan["rows"]}
    first = by_key[("A-1", "2026-11")]
    assert first["consensus_demand_units"] == -2.675 and first["backlog_units"] == 0.0001
    modes = by_key[("A-1", "2027-01")]["purchase_units_by_mode"]
    assert list(modes.items()) == [("air", 0.30000000000000004), ("road", 3)]
    pct = {r["resource"]: r["utilisation_pct"] for r in plan["resources"]}
    assert pct == {"LINE-1": 0.1235, "LINE,2": None, "=L3": 0.3704}
    cells = {(r["sku"], r["month"]): r for r in rows if r["section"] == "rows"}
    assert cells[("A-1", "2027-01")]["purchase_units_by_mode"] == "air=0.30000000000000004;road=3"
    assert ("'=SUM(A1)", "2026-11") in cells  # formula-like text escaped
    assert rows[-1]["section"] == "resources" and rows[-1]["sku"] == ""


def test_an_empty_plan_renders_like_the_reference(cycle) -> None:
    # Given an approved plan without rows
    ApprovedPlan.objects.create(cycle=cycle, sha256="e" * 64, run_ids={}, row_count=0)
    source = exports.plan_source(cycle)
    assert source is not None
    # Then both formats are the reference's (a bare header for CSV)
    for fmt in ("json", "csv"):
        reference = renditions.reference_document_bytes(cycle, source, fmt)
        assert renditions.document_bytes(cycle, source, fmt) == reference
    assert renditions.document_bytes(cycle, source, "csv") == b"section\n"


def test_vectorised_rounding_is_pythons_round_bit_for_bit() -> None:
    # Given values on and next to 4-decimal ties, tiny, huge, negative and non-finite ones
    rng = np.random.default_rng(15)
    ties = (np.arange(-20_000, 20_000) + 0.5) / 1e4
    values = np.concatenate([
        ties, np.nextafter(ties, np.inf), np.nextafter(ties, -np.inf),
        rng.normal(0, 1e3, 50_000), rng.normal(0, 1e9, 20_000), rng.uniform(-1e-4, 1e-4, 5_000),
        np.array([np.nan, np.inf, -np.inf, 1e300, -0.0, 2.0**60, 1e16 + 0.5]),
    ])  # fmt: skip
    # When they are rounded by the vectorised path
    fast = plan_text.rounded(values)
    # Then every result has the bits of round(v, 4) (NaN stays NaN)
    expected = np.array([round(float(v), 4) for v in values])
    assert np.array_equal(fast.view(np.int64), expected.view(np.int64))
