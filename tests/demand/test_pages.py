"""XLSX round trip, events and new products, charts and the accuracy page."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from accounts.roles import Role
from cycles.models import AuditEntry, PlanningCycle
from cycles.services import stage_sign_off
from demand.models import ConsensusSnapshot, DemandEvent, DemandOverride
from demand.selectors import consensus_frame
from masterdata.models import Product
from tests.demand.conftest import family_products
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
DEC = dt.date(2026, 12, 1)


@pytest.fixture
def planner(client, users):  # type: ignore[no-untyped-def]
    client.login(username=users[Role.DEMAND_PLANNER].username, password=PASSWORD)
    return client


def download(planner, cycle, family):  # type: ignore[no-untyped-def]
    response = planner.get(f"/demand/cycles/{cycle.pk}/export.xlsx?family={family.pk}")
    assert response.status_code == 200  # the file itself (eager Celery: built in the request)
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def upload(planner, cycle, family, book, reason="customer_intel"):  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "grid.xlsx"
    return planner.post(
        f"/demand/cycles/{cycle.pk}/upload/",
        {"file": out, "family": family.pk, "reason": reason},
        follow=True,
    )


def consensus_row(sheet, sku):  # type: ignore[no-untyped-def]
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == sku and row[3].value == "Consensus":
            return row
    raise AssertionError(sku)


def column(sheet, month: str) -> int:
    return [c.value for c in sheet[1]].index(month)


def test_xlsx_download_then_upload_saves_changed_cells(planner, forecast_cycle) -> None:
    helm1 = family_products("HELMETS")[0]
    book = download(planner, forecast_cycle, helm1.family)
    sheet = book["Demand review"]
    assert [c.value for c in sheet[1]][:5] == ["Family", "SKU", "Product", "Measure", "2026-05"]
    consensus_row(sheet, "HELM-1")[column(sheet, "2026-12")].value = 123
    response = upload(planner, forecast_cycle, helm1.family, book)
    assert b"Upload saved: 1 changed cell" in response.content
    frame = consensus_frame(forecast_cycle, [helm1.pk])
    assert float(frame[frame["month"] == DEC]["consensus_units"].iloc[0]) == 123.0
    assert AuditEntry.objects.get(table="demand_override").source == "upload"


def test_an_upload_with_bad_rows_names_them_and_saves_nothing(planner, forecast_cycle) -> None:
    family = family_products("HELMETS")[0].family
    book = download(planner, forecast_cycle, family)
    sheet = book["Demand review"]
    good = consensus_row(sheet, "HELM-1")
    good[column(sheet, "2026-12")].value = 10
    bad = consensus_row(sheet, "HELM-2")
    bad[column(sheet, "2027-01")].value = "many"
    bad[column(sheet, "2027-02")].value = -4
    response = upload(planner, forecast_cycle, family, book)
    assert response.status_code == 400
    text = response.content.decode()
    assert f"Row {bad[0].row}, 2027-01: &#x27;many&#x27; is not a number." in text
    assert f"Row {bad[0].row}, 2027-02: the consensus must be zero or more" in text
    assert not DemandOverride.objects.exists()


def test_an_upload_of_a_cell_changed_since_download_is_a_conflict(planner, forecast_cycle) -> None:
    family = family_products("HELMETS")[0].family
    book = download(planner, forecast_cycle, family)
    fresh = download(planner, forecast_cycle, family)
    consensus_row(fresh["Demand review"], "HELM-1")[
        column(fresh["Demand review"], "2026-12")
    ].value = 50
    upload(planner, forecast_cycle, family, fresh)
    sheet = book["Demand review"]
    consensus_row(sheet, "HELM-1")[column(sheet, "2026-12")].value = 70
    response = upload(planner, forecast_cycle, family, book)
    assert response.status_code == 400 and b"Conflict" in response.content
    assert DemandOverride.objects.get().consensus_units == Decimal("50")


def test_a_percent_event_on_a_family_shows_in_the_grid(planner, forecast_cycle) -> None:
    bikes = family_products("BIKES")
    response = planner.post(
        f"/demand/cycles/{forecast_cycle.pk}/events/",
        {
            "name": "Spring campaign",
            "family": bikes[0].family_id,
            "start_month": "2026-12",
            "end_month": "2027-01",
            "uplift_kind": "percent",
            "uplift_value": "20",
        },
        follow=True,
    )
    assert b"Spring campaign" in response.content
    data = planner.get(f"/demand/cycles/{forecast_cycle.pk}/grid.json").json()
    rows = {r["id"]: r for r in data["rows"]}
    stat, events = rows[f"p{bikes[0].pk}-statistical"], rows[f"p{bikes[0].pk}-events"]
    assert events["m2026_12"] == pytest.approx(stat["m2026_12"] * 0.2, abs=0.02)
    assert events.get("m2027_02", 0) == 0
    consensus = rows[f"p{bikes[0].pk}-consensus"]
    assert consensus["m2026_12"] == pytest.approx(stat["m2026_12"] * 1.2, abs=0.02)
    assert AuditEntry.objects.filter(table="demand_event").exists()


def test_a_unit_event_on_a_family_is_spread_by_forecast(forecast_cycle, users) -> None:
    from demand.events import event_create

    bikes = family_products("BIKES")
    event_create(
        forecast_cycle.pk,
        {
            "name": "Trade show",
            "product": None,
            "family": bikes[0].family,
            "start_month": DEC,
            "end_month": DEC,
            "uplift_kind": "units",
            "uplift_value": Decimal("90"),
        },
        users[Role.DEMAND_PLANNER],
    )
    frame = consensus_frame(forecast_cycle, [p.pk for p in bikes])
    assert frame[frame["month"] == DEC]["event_units"].sum() == pytest.approx(90.0)
    assert DemandEvent.objects.count() == 1


def test_event_form_needs_product_or_family(planner, forecast_cycle) -> None:
    response = planner.post(
        f"/demand/cycles/{forecast_cycle.pk}/events/",
        {
            "name": "x",
            "start_month": "2026-12",
            "end_month": "2026-12",
            "uplift_kind": "units",
            "uplift_value": "5",
        },
    )
    assert response.status_code == 400 and b"either one product or one family" in response.content


def test_new_products_page_sets_a_like_item(planner, forecast_cycle) -> None:
    new = Product.objects.create(
        sku="HELM-NEW",
        name="New helmet",
        family=family_products("HELMETS")[0].family,
        unit_cost=1,
        unit_price=2,
        lifecycle="new",
    )
    page = planner.get(f"/demand/cycles/{forecast_cycle.pk}/new-products/")
    assert b"HELM-NEW" in page.content
    planner.post(
        f"/demand/cycles/{forecast_cycle.pk}/new-products/",
        {"product": new.pk, "like_sku": "HELM-2", "like_scale": "0.8"},
    )
    new.refresh_from_db()
    assert (
        new.like_product is not None
        and new.like_product.sku == "HELM-2"
        and new.like_scale == Decimal("0.800")
    )
    assert AuditEntry.objects.filter(table="product", record_key="HELM-NEW").exists()


def _new_products(count: int, prefix: str) -> None:
    family = family_products("HELMETS")[0].family
    Product.objects.bulk_create(
        Product(sku=f"{prefix}-{n:03d}", name="New", family=family, unit_cost=1, unit_price=2,
                lifecycle="new")
        for n in range(count)
    )  # fmt: skip


def test_new_products_are_listed_a_page_at_a_time_with_the_same_queries(
    planner, forecast_cycle
) -> None:
    import html
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/demand/cycles/{forecast_cycle.pk}/new-products/"
    _new_products(10, "A")
    with CaptureQueriesContext(connection) as few:
        planner.get(url)
    # Given 120 new products
    _new_products(110, "B")
    with CaptureQueriesContext(connection) as many:
        first = planner.get(url).content.decode()
    # Then a page shows 50 of them with the same queries as for 10, and Next walks every one once
    assert len(many) == len(few)
    seen = re.findall(r"<td>([AB]-\d{3})</td>", first)
    page = first
    while (link := re.search(r'href="\?([^"]*page=next[^"]*)"', page)) is not None:
        page = planner.get(url + "?" + html.unescape(link.group(1))).content.decode()
        seen += re.findall(r"<td>([AB]-\d{3})</td>", page)
    assert len(first.split("<td>A-")) - 1 + len(first.split("<td>B-")) - 1 == 50
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 120


def test_a_new_products_cursor_with_a_nul_in_its_sku_shows_the_first_page(
    planner, forecast_cycle
) -> None:
    import base64
    import json

    # Given 60 new products (two pages) and a hand-edited cursor whose SKU holds a NUL character
    _new_products(60, "A")
    items = json.dumps([["v", "A-010\x00"], ["v", 1]])
    cursor = base64.urlsafe_b64encode(items.encode()).decode()
    # When the next page is asked for with it
    response = planner.get(
        f"/demand/cycles/{forecast_cycle.pk}/new-products/", {"page": "next", "cursor": cursor}
    )
    # Then the planner sees the first page, not a server error
    assert response.status_code == 200
    assert "<td>A-000</td>" in response.content.decode()


def test_new_products_form_with_a_garbled_product_says_so_instead_of_failing(
    planner, forecast_cycle
) -> None:
    response = planner.post(
        f"/demand/cycles/{forecast_cycle.pk}/new-products/",
        {"product": "not-a-number", "like_sku": "HELM-2", "like_scale": "0.8"},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert response.status_code == 200 and shown == ["No such product."], shown


def test_chart_has_history_interval_consensus(planner, forecast_cycle) -> None:
    helm = family_products("HELMETS")[0]
    data = planner.get(f"/demand/cycles/{forecast_cycle.pk}/chart.json?product={helm.pk}").json()
    assert len(data["history"]["x"]) == 24 and len(data["statistical"]["x"]) == 18
    assert all(
        lo <= up
        for lo, up in zip(data["statistical"]["lower"], data["statistical"]["upper"], strict=True)
    )
    assert data["consensus"]["y"] == data["statistical"]["y"]
    assert data["previous"]["x"] == []


def test_accuracy_by_lag_compares_naive_statistical_and_consensus(
    planner, forecast_cycle, users
) -> None:
    # Given the cycle was signed off (frozen) and its first month later got actual sales
    stage_sign_off(forecast_cycle.pk, "demand_review", users[Role.DEMAND_PLANNER])
    assert ConsensusSnapshot.objects.filter(cycle=forecast_cycle).exists()
    from datainputs.models import SalesHistory

    template = SalesHistory.objects.filter(month=dt.date(2026, 10, 1))[0]
    for product in Product.objects.all():
        SalesHistory.objects.create(
            product=product,
            site=template.site,
            channel=template.channel,
            month=dt.date(2026, 11, 1),
            quantity=Decimal("100"),
            revenue=Decimal("1"),
        )
    page = planner.get("/demand/accuracy/?lag=0")
    assert page.status_code == 200
    by_product = page.context["by_product"]
    assert len(by_product) == 5
    # worst offenders first: the largest consensus error (BIKE-2, ~300 forecast vs 100 sold)
    assert by_product[0]["sku"] == "BIKE-2"
    assert by_product[0]["consensus_bias"] > 100
    assert {r["lag"] for r in page.context["by_lag"]} == {0}
    assert "fva_consensus" in page.context["by_family"][0]
    assert PlanningCycle.objects.get(pk=forecast_cycle.pk).state == "supply_review"
