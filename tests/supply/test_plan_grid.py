"""The supply plan's product x month grid and its export read the cycle's consensus plan."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.roles import Role
from cycles.models import ConsensusPlan, PlanRow
from tests.factories import FamilyFactory, ProductFactory, SiteFactory, user_with_role

pytestmark = pytest.mark.django_db
NOV, DEC = dt.date(2026, 11, 1), dt.date(2026, 12, 1)


def _plan(cycle, products, site) -> None:  # type: ignore[no-untyped-def]
    plan = ConsensusPlan.objects.create(cycle=cycle, version=1)
    PlanRow.objects.bulk_create(
        PlanRow(
            plan=plan,
            product=product,
            site=site,
            month=month,
            production_units=10.0 * (n + 1),
            purchase_units=5.0,
            projected_inventory_units=100.0 + n,
        )
        for n, product in enumerate(products)
        for month in (NOV, DEC)
    )


def test_the_grid_pivots_the_plan_by_product_and_month(client, cycle, users) -> None:  # type: ignore[no-untyped-def]
    # Given a consensus plan of two products over two months
    site = SiteFactory.create(code="DC1")
    a, b = ProductFactory.create(sku="A-1"), ProductFactory.create(sku="B-2")
    _plan(cycle, [a, b], site)
    client.force_login(users[Role.SUPPLY_PLANNER])
    # When the planner asks for planned receipts
    data = client.get(f"/supply/{cycle.pk}/grid/data/", {"measure": "receipts"}).json()
    # Then each product is one row with production + purchases per month
    assert data["months"] == ["2026-11", "2026-12"]
    rows = {row["sku"]: row for row in data["rows"]}
    assert rows["A-1"]["2026-11"] == 15.0 and rows["B-2"]["2026-12"] == 25.0
    assert rows["A-1"]["site"] == "DC1"
    # And the projected inventory measure shows the closing stock
    inventory = client.get(f"/supply/{cycle.pk}/grid/data/", {"measure": "inventory"}).json()
    assert {r["sku"]: r["2026-12"] for r in inventory["rows"]} == {"A-1": 100.0, "B-2": 101.0}


def test_a_scoped_planner_sees_only_the_plan_of_their_families(client, cycle) -> None:  # type: ignore[no-untyped-def]
    mine, other = FamilyFactory.create(code="BEV"), FamilyFactory.create(code="SNK")
    site = SiteFactory.create()
    _plan(
        cycle,
        [
            ProductFactory.create(sku="OWN", family=mine),
            ProductFactory.create(sku="FOREIGN", family=other),
        ],
        site,
    )
    planner = user_with_role(Role.SUPPLY_PLANNER, "scoped", families=[mine])
    client.force_login(planner)
    data = client.get(f"/supply/{cycle.pk}/grid/data/").json()
    assert [r["sku"] for r in data["rows"]] == ["OWN"]
    export = client.get(f"/supply/{cycle.pk}/grid/export/")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["OWN"]


def test_the_export_writes_product_names_as_text_not_formulas(client, cycle, users) -> None:  # type: ignore[no-untyped-def]
    # Given a product whose name is a spreadsheet formula
    evil = ProductFactory.create(sku="X-1", name='=HYPERLINK("http://evil.example","Click me")')
    _plan(cycle, [evil], SiteFactory.create())
    client.force_login(users[Role.SUPPLY_PLANNER])
    # When the grid is exported
    response = client.get(f"/supply/{cycle.pk}/grid/export/", {"measure": "production"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    header, row = list(sheet.iter_rows(min_row=1, max_row=2, values_only=True))
    assert sheet.cell(2, 2).data_type == "s"
    # Then the name is a text cell, not a formula, and the numbers are numbers
    assert header[:6] == ("SKU", "Product", "Family", "Site", "2026-11", "2026-12")
    assert row[1] == evil.name
    assert row[4] == 10.0


def test_the_grid_reads_in_a_constant_number_of_queries(client, cycle, users) -> None:  # type: ignore[no-untyped-def]
    site = SiteFactory.create()
    _plan(cycle, ProductFactory.create_batch(3), site)
    client.force_login(users[Role.SUPPLY_PLANNER])
    url = f"/supply/{cycle.pk}/grid/data/"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    PlanRow.objects.all().delete()
    ConsensusPlan.objects.all().delete()
    _plan(cycle, ProductFactory.create_batch(40), site)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_grid_page_links_the_export_and_escapes_the_search(client, cycle, users) -> None:  # type: ignore[no-untyped-def]
    client.force_login(users[Role.SUPPLY_PLANNER])
    page = client.get(f"/supply/{cycle.pk}/grid/", {"q": '"><script>alert(1)</script>'})
    assert page.status_code == 200
    assert b"<script>alert(1)</script>" not in page.content
    assert b"grid/export/" in page.content
