"""Exports never write user text as live formulas (OWASP CSV injection); numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from accounts.roles import Role
from api import exports
from cycles.models import PlanningCycle
from siop.cells import csv_cell, xlsx_append
from tests.factories import PASSWORD

HYPERLINK = '=HYPERLINK("http://evil.example/","Click me")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.5", "-12.5"),  # text that is just a number is not a formula
        ("Bikes", "Bikes"),
        (-12.5, -12.5),
        (7, 7),
        (None, None),
    ],
)
def test_given_a_cell_value_when_written_to_csv_then_formulas_are_escaped(value, written) -> None:
    assert csv_cell(value) == written


def test_given_formula_text_when_appended_to_a_sheet_then_it_is_stored_as_text() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    xlsx_append(sheet, [HYPERLINK, 12.5, "plain"])
    out = io.BytesIO()
    book.save(out)
    cells = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())  # type: ignore[union-attr]
    assert [(c.value, c.data_type) for c in cells] == [
        (HYPERLINK, "s"),
        (12.5, "n"),
        ("plain", "s"),
    ]


@pytest.mark.django_db
def test_given_user_text_in_the_plan_when_exported_as_csv_then_no_cell_is_a_formula(
    client, users, cycle, monkeypatch
) -> None:
    PlanningCycle.objects.filter(pk=cycle.pk).update(state="approved")
    record = {"sku": "BEV-1", "name": HYPERLINK, "note": "@cmd", "consensus_units": -12.5}
    plan = {"cycle": "2026-11", "state": "approved", "approved_at": None,
            **{section: [dict(record)] for section in exports.SECTIONS}}  # fmt: skip
    source = exports.PlanSource(sha256="0" * 64, approved=None, plan=None)
    monkeypatch.setattr(exports, "plan_source", lambda cycle: source)
    monkeypatch.setattr(exports, "plan_document", lambda cycle, source: plan)
    client.login(username=users[Role.ADMINISTRATOR].username, password=PASSWORD)
    response = client.get("/api/v1/cycles/2026-11/plan/?format=csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response.status_code == 200 and len(rows) == len(exports.SECTIONS)
    assert {(r["name"], r["note"], r["consensus_units"]) for r in rows} == {
        ("'" + HYPERLINK, "'@cmd", "-12.5")
    }
