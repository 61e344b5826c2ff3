"""Reconciliation pages: workspace, scenario financial view, compare, XLSX export, forms."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_workspace_lists_scenarios_with_headline_and_escapes_names(calculated, users) -> None:  # type: ignore[no-untyped-def]
    cycle, _, _ = calculated
    page = _client(users[Role.FINANCE]).get(reverse("reconciliation:review", args=[cycle.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt; OT" in html and "<script>alert" not in html
    assert "Extra overtime · +50 h/month · resource LINE-1" in html
    assert "Finance has not recommended a scenario yet." in html


def test_scenario_page_shows_family_quarters_budget_gap_and_bridge(calculated, users) -> None:  # type: ignore[no-untyped-def]
    cycle, baseline, _ = calculated
    url = reverse("reconciliation:scenario", args=[cycle.pk, baseline.pk]) + "?bucket=month"
    html = _client(users[Role.FINANCE]).get(url).content.decode()
    # January: the made family earns 100 x 7.50 = 750 against a budget of 1,155 (-405, -35.1 %)
    assert 'data-bucket="2027-01"' in html
    assert "-405" in html and "-35.1" in html
    assert 'id="bridge-table"' in html
    # And a figure without a reference (capacity, a month outside the budget) is blank, never "nan"
    assert not re.search(r">\s*nan\s*<", html)


def test_compare_page_colours_deltas_and_exports_xlsx(calculated, users) -> None:  # type: ignore[no-untyped-def]
    cycle, _, scenario = calculated
    client = _client(users[Role.EXECUTIVE])  # every planning role may read
    page = client.get(reverse("reconciliation:compare", args=[cycle.pk]), {"s": [scenario.pk]})
    html = page.content.decode()
    assert page.status_code == 200
    # more revenue with overtime: a good delta; more overtime cost: a bad one
    assert 'data-metric="revenue_eur"' in html and "delta-good" in html and "delta-bad" in html
    export = client.get(
        reverse("reconciliation:compare_xlsx", args=[cycle.pk]), {"s": [scenario.pk]}
    )
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert book.sheetnames[:3] == ["Comparison", "Levers", "Bridge"]
    sheet = book["Comparison"]
    assert sheet["C1"].value == "Baseline (consensus plan)"
    assert sheet["D1"].value == "<script>alert(1)</script> OT"
    revenue = next(
        r for r in sheet.iter_rows(values_only=True) if r[0] == "Revenue at standard price"
    )
    base, other, delta = (float(v) for v in revenue[2:5])  # type: ignore[arg-type]
    assert delta == pytest.approx(other - base)


def test_lever_form_adds_a_lever_and_bad_input_says_which_field(calculated, users) -> None:  # type: ignore[no-untyped-def]
    cycle, _, scenario = calculated
    client = _client(users[Role.FINANCE])
    url = reverse("reconciliation:lever_add", args=[cycle.pk, scenario.pk])
    bad = client.post(url, {"kind": "demand_change", "pct": "10", "first_month": "2027/01",
                            "next": "scenario"}, follow=True)  # fmt: skip
    assert "Use YYYY-MM." in bad.content.decode()
    client.post(url, {"kind": "demand_change", "pct": "10", "first_month": "2027-01"})
    assert scenario.levers.count() == 2


def test_other_roles_cannot_post(calculated, users) -> None:  # type: ignore[no-untyped-def]
    cycle, _, scenario = calculated
    response = _client(users[Role.SALES]).post(
        reverse("reconciliation:run", args=[cycle.pk, scenario.pk])
    )
    assert response.status_code == 403


def test_recommend_then_sign_off_through_the_page(calculated, users) -> None:  # type: ignore[no-untyped-def]
    cycle, baseline, _ = calculated
    client = _client(users[Role.FINANCE])
    client.post(reverse("reconciliation:recommend", args=[cycle.pk]),
                {"scenario": baseline.pk, "comment": "Keep the plan"})  # fmt: skip
    client.post(reverse("reconciliation:sign_off", args=[cycle.pk]))
    cycle.refresh_from_db()
    assert cycle.state == "executive_review"
