"""The supply plan's product x month grid and its export read the cycle's consensus plan."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.roles import Role
from cycles.models import ConsensusPlan, PlanRow
from masterdata.models import Site
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


def _part(client, cycle, **params):  # type: ignore[no-untyped-def]
    return client.get(f"/supply/{cycle.pk}/grid/data/", params)


def test_the_grid_paints_family_totals_first_then_pages_products(client, cycle, users) -> None:  # type: ignore[no-untyped-def]
    # Given a plan of five products in one family and one in another, on two sites
    bev, snk = FamilyFactory.create(code="BEV"), FamilyFactory.create(code="SNK")
    dc1, dc2 = SiteFactory.create(code="DC1"), SiteFactory.create(code="DC2")
    drinks = [ProductFactory.create(sku=f"B-{n}", family=bev) for n in range(5)]
    _plan(cycle, drinks, dc1)
    extra = PlanRow.objects.create(
        plan=ConsensusPlan.objects.get(cycle=cycle), product=drinks[0], site=dc2, month=NOV,
        production_units=7.0,
    )  # fmt: skip
    chips = ProductFactory.create(sku="S-1", family=snk)
    PlanRow.objects.create(plan=extra.plan, product=chips, site=dc1, month=DEC, purchase_units=3)
    client.force_login(users[Role.SUPPLY_PLANNER])
    # When the grid's first paint is asked for
    head = _part(client, cycle, part="family", measure="receipts").json()
    # Then each family is one row with its month totals and product count
    rows = {row["family"]: row for row in head["rows"]}
    assert head["months"] == ["2026-11", "2026-12"]
    assert rows["BEV"]["product_count"] == 5 and rows["SNK"]["product_count"] == 1
    assert rows["BEV"]["2026-11"] == sum(10.0 * (n + 1) + 5.0 for n in range(5)) + 7.0
    # And the company totals are the sum of every product row of the plan
    every = client.get(f"/supply/{cycle.pk}/grid/data/", {"measure": "receipts"}).json()["rows"]
    assert head["totals"] == {m: sum(r.get(m, 0.0) for r in every) for m in head["months"]}
    assert head["product_count"] == 6
    # When the family's products are asked for two at a time
    first = _part(client, cycle, family=bev.pk, limit=2).json()
    second = _part(client, cycle, family=bev.pk, limit=2, cursor=first["next_cursor"]).json()
    third = _part(client, cycle, family=bev.pk, limit=2, cursor=second["next_cursor"]).json()
    # Then the pages follow SKU order without gaps or repeats, one row per product and site
    skus = [(r["sku"], r["site"]) for page in (first, second, third) for r in page["rows"]]
    assert skus == [("B-0", "DC1"), ("B-0", "DC2"), ("B-1", "DC1"), ("B-2", "DC1"),
                    ("B-3", "DC1"), ("B-4", "DC1")]  # fmt: skip
    assert third["next_cursor"] is None
    assert first["rows"][0]["2026-11"] == 15.0


def test_a_search_narrows_the_family_rows_and_pages(client, cycle, users) -> None:  # type: ignore[no-untyped-def]
    family = FamilyFactory.create(code="BEV")
    products = [ProductFactory.create(sku=f"COLA-{n}", family=family) for n in range(3)]
    products.append(ProductFactory.create(sku="TEA-1", family=family))
    _plan(cycle, products, SiteFactory.create())
    client.force_login(users[Role.SUPPLY_PLANNER])
    head = _part(client, cycle, part="family", q="tea").json()
    assert head["rows"][0]["product_count"] == 1 and head["totals"]["2026-11"] == 45.0
    page = _part(client, cycle, family=family.pk, q="tea").json()
    assert [row["sku"] for row in page["rows"]] == ["TEA-1"]


def test_a_scoped_planner_gets_no_rows_of_another_family(client, cycle) -> None:  # type: ignore[no-untyped-def]
    mine, other = FamilyFactory.create(code="BEV"), FamilyFactory.create(code="SNK")
    _plan(cycle, [ProductFactory.create(family=mine), ProductFactory.create(family=other)],
          SiteFactory.create())  # fmt: skip
    client.force_login(user_with_role(Role.SUPPLY_PLANNER, "scoped", families=[mine]))
    head = _part(client, cycle, part="family").json()
    assert [row["family"] for row in head["rows"]] == ["BEV"]
    assert _part(client, cycle, family=other.pk).json()["rows"] == []


def test_an_unchanged_grid_part_answers_304_and_a_rebuild_changes_it(client, cycle, users) -> None:  # type: ignore[no-untyped-def]
    family = FamilyFactory.create()
    _plan(cycle, [ProductFactory.create(family=family)], SiteFactory.create())
    client.force_login(users[Role.SUPPLY_PLANNER])
    first = _part(client, cycle, part="family")
    etag = first["ETag"]
    again = client.get(
        f"/supply/{cycle.pk}/grid/data/", {"part": "family"}, HTTP_IF_NONE_MATCH=etag
    )
    assert again.status_code == 304
    # When the plan is rebuilt (its version bumped) the browser gets the new numbers
    PlanRow.objects.update(production_units=99.0)
    ConsensusPlan.objects.update(version=2)
    fresh = client.get(
        f"/supply/{cycle.pk}/grid/data/", {"part": "family"}, HTTP_IF_NONE_MATCH=etag
    )
    assert fresh.status_code == 200 and fresh.json()["totals"]["2026-11"] == 104.0


def test_bad_grid_parameters_are_a_clear_400(client, cycle, users) -> None:  # type: ignore[no-untyped-def]
    client.force_login(users[Role.SUPPLY_PLANNER])
    assert _part(client, cycle, family="zz").status_code == 400
    assert _part(client, cycle, family=1, limit="-3").status_code == 400
    assert _part(client, cycle, family=1, cursor="garbled!").status_code == 200


def test_the_grid_parts_read_in_a_constant_number_of_queries(client, cycle, users) -> None:  # type: ignore[no-untyped-def]
    # Given a plan of 3 products, then one of 40 in the same family
    site, family = SiteFactory.create(), FamilyFactory.create()
    client.force_login(users[Role.SUPPLY_PLANNER])

    def queries(**params: object) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert _part(client, cycle, **params).status_code == 200
        return len(captured)

    _plan(cycle, ProductFactory.create_batch(3, family=family), site)
    few = (queries(part="family"), queries(family=family.pk, limit=2))
    PlanRow.objects.all().delete()
    ConsensusPlan.objects.all().delete()
    _plan(cycle, ProductFactory.create_batch(40, family=family), site)
    # Then the first paint and a page cost the same number of queries
    assert (queries(part="family"), queries(family=family.pk, limit=20)) == few


def test_a_renamed_site_shows_in_grid_and_export_without_a_rebuild(client, cycle, users) -> None:  # type: ignore[no-untyped-def]
    # Given a plan on site DC1 whose grid page and export were already served (and cached)
    family, site = FamilyFactory.create(), SiteFactory.create(code="DC1")
    _plan(cycle, [ProductFactory.create(sku="A-1", family=family)], site)
    client.force_login(users[Role.SUPPLY_PLANNER])

    def shown() -> tuple[list[Any], list[Any]]:
        page = _part(client, cycle, family=family.pk).json()
        export = client.get(f"/supply/{cycle.pk}/grid/export/")
        sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).worksheets[0]
        exported = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
        return [row["site"] for row in page["rows"]], exported

    assert shown() == (["DC1"], ["DC1"])
    # When the site is renamed (as a master-data import does: one UPDATE, no model save)
    Site.objects.filter(pk=site.pk).update(code="DC-NORTH")
    # Then the grid page and the export show the new code, with no plan build in between
    assert shown() == (["DC-NORTH"], ["DC-NORTH"])
