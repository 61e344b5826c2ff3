"""The demand grid at scale and in the planner's spreadsheet: paged rows, constant queries,
and the family total row of the downloaded XLSX spread over its products on upload."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demand.selectors import consensus_frame
from masterdata.models import Product
from tests.demand.conftest import family_products
from tests.demand.test_pages import column, download, planner, upload  # noqa: F401
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
DEC = dt.date(2026, 12, 1)


def grid_json(client, cycle, family, query=""):  # type: ignore[no-untyped-def]
    response = client.get(f"/demand/cycles/{cycle.pk}/grid.json?family={family.pk}{query}")
    assert response.status_code == 200, response.content
    return response.json()


def queries(client, cycle, family, query=""):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        grid_json(client, cycle, family, query)
    return len(captured)


@pytest.mark.parametrize("query", ["", "&part=family", "&offset=0&limit=50", "&q=BIKE"])
def test_the_queries_per_grid_request_do_not_grow_with_the_products(
    planner,  # noqa: F811
    forecast_cycle,
    query,
) -> None:
    # Given the BIKES grid answered with its three products
    bikes = family_products("BIKES")
    before = queries(planner, forecast_cycle, bikes[0].family, query)
    # When the family grows by forty products
    for n in range(40):
        ProductFactory(sku=f"BIKE-X{n:02}", family=bikes[0].family)
    # Then the same grid request runs exactly as many queries
    assert queries(planner, forecast_cycle, bikes[0].family, query) == before


def test_the_family_part_comes_first_with_server_totals_and_products_come_by_page(
    planner,  # noqa: F811
    forecast_cycle,
) -> None:
    bikes = family_products("BIKES")
    family = bikes[0].family
    whole = grid_json(planner, forecast_cycle, family)
    # The family part: only the six family rows, their totals and how many products follow
    head = grid_json(planner, forecast_cycle, family, "&part=family")
    assert [r["measure"] for r in head["rows"]] == [
        "actual", "statistical", "events", "override", "consensus", "backlog",
    ]  # fmt: skip
    assert head["product_count"] == 3 and all(r["is_family"] for r in head["rows"])
    assert head["rows"] == [r for r in whole["rows"] if r["is_family"]]
    # Pages of products in SKU order, six rows each, the same rows as the full answer
    first = grid_json(planner, forecast_cycle, family, "&offset=0&limit=2")
    rest = grid_json(planner, forecast_cycle, family, "&offset=2&limit=2")
    assert {r["sku"] for r in first["rows"]} == {"BIKE-1", "BIKE-2"}
    assert first["rows"] + rest["rows"] == [r for r in whole["rows"] if not r["is_family"]]
    # A SKU search narrows the products and says how many matched
    found = grid_json(planner, forecast_cycle, family, "&q=ke-3")
    assert found["product_count"] == 1 and {r["sku"] for r in found["rows"]} == {"BIKE-3"}


def test_a_bad_page_is_refused_with_its_field_named(planner, forecast_cycle) -> None:  # noqa: F811
    family = family_products("BIKES")[0].family
    url = f"/demand/cycles/{forecast_cycle.pk}/grid.json?family={family.pk}&offset=-1"
    response = planner.get(url)
    assert response.status_code == 400 and b"offset must be a whole number" in response.content


def family_consensus_row(sheet):  # type: ignore[no-untyped-def]
    for row in sheet.iter_rows(min_row=2):
        if not row[1].value and row[3].value == "Consensus":
            return row
    raise AssertionError("no family consensus row")


def test_a_family_total_edited_in_the_xlsx_is_spread_over_its_products(
    planner,  # noqa: F811
    forecast_cycle,
) -> None:
    # Given the planner downloaded HELMETS and doubled the family total for December
    helmets = family_products("HELMETS")
    book = download(planner, forecast_cycle, helmets[0].family)
    sheet = book["Demand review"]
    cell = family_consensus_row(sheet)[column(sheet, "2026-12")]
    before = float(cell.value)
    cell.value = round(before * 2)
    # When the file is uploaded
    response = upload(planner, forecast_cycle, helmets[0].family, book)
    # Then both products changed and their December adds up to the typed total
    assert b"Upload saved: 2 changed cell" in response.content
    frame = consensus_frame(forecast_cycle, [p.pk for p in helmets])
    december = frame[frame["month"] == DEC]["consensus_units"].sum()
    assert december == pytest.approx(round(before * 2), abs=0.05)


def test_a_month_with_both_the_family_total_and_a_product_changed_is_refused(
    planner,  # noqa: F811
    forecast_cycle,
) -> None:
    helmets = family_products("HELMETS")
    book = download(planner, forecast_cycle, helmets[0].family)
    sheet = book["Demand review"]
    december = column(sheet, "2026-12")
    family_consensus_row(sheet)[december].value = 1000
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == "HELM-1" and row[3].value == "Consensus":
            row[december].value = 1
    response = upload(planner, forecast_cycle, helmets[0].family, book)
    assert response.status_code == 400
    assert b"2026-12: both the family total row and product rows changed" in response.content
    assert Product.objects.filter(family=helmets[0].family).count() == 2


def test_the_value_view_is_units_at_standard_price_and_read_only(
    planner,  # noqa: F811
    forecast_cycle,
) -> None:
    # Given BIKES products priced at 7.50 each (the factory's standard price)
    family = family_products("BIKES")[0].family
    units = grid_json(planner, forecast_cycle, family)
    value = grid_json(planner, forecast_cycle, family, "&part=family&measure=value")
    products = grid_json(planner, forecast_cycle, family, "&offset=0&limit=50&measure=value")
    # Then the family consensus in money is its units times the price, summed on the server
    units_total = next(r for r in units["rows"] if r["id"] == f"f{family.pk}-consensus")
    value_total = next(r for r in value["rows"] if r["id"] == f"f{family.pk}-consensus")
    assert value_total["m2026_12"] == pytest.approx(units_total["m2026_12"] * 7.5, abs=0.05)
    # and no money cell can be typed into
    assert not any(r["editable"] for r in value["rows"] + products["rows"])


def test_the_company_total_adds_up_every_family_the_planner_sees(
    planner,  # noqa: F811
    forecast_cycle,
) -> None:
    bikes, helmets = family_products("BIKES")[0].family, family_products("HELMETS")[0].family
    url = f"/demand/cycles/{forecast_cycle.pk}/grid.json?part=company"
    company = planner.get(url).json()["rows"]
    consensus = next(r for r in company if r["id"] == "company-consensus")
    parts = [
        next(
            r
            for r in grid_json(planner, forecast_cycle, f, "&part=family")["rows"]
            if r["measure"] == "consensus"
        )
        for f in (bikes, helmets)
    ]
    assert consensus["m2026_12"] == pytest.approx(sum(p["m2026_12"] for p in parts), abs=0.05)
    assert not consensus["editable"] and "v2026_12" not in consensus
