"""Files as ERPs and Excel write them (bytes in tests/fixtures/imports/), through both doors.

Each rejection names its true cause; what real systems legitimately produce (a wrong XLSX
dimension tag, negative on-hand stock, German number notation) is read correctly.
"""

from __future__ import annotations

import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from datainputs.importers import get_spec
from datainputs.importers.parsing import parse_table
from datainputs.models import ImportBatch, InventoryOnHand, SalesHistory
from datainputs.services import upload_apply, upload_preview
from tests.factories import PASSWORD, ChannelFactory, FamilyFactory, ProductFactory, SiteFactory

pytestmark = pytest.mark.django_db
FILES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
INVENTORY, SALES = get_spec("inventory_on_hand"), get_spec("sales_history")


@pytest.fixture
def master(db):  # type: ignore[no-untyped-def]
    family = FamilyFactory(code="BEV")
    for i in range(1, 6):
        ProductFactory(sku=f"BEV-{i:03d}", family=family)
    SiteFactory(code="DC1")
    ChannelFactory(code="RETAIL")


def _bytes(name: str) -> bytes:
    return (FILES / name).read_bytes()


def _upload(client, users, role, spec_name: str, file_name: str):  # type: ignore[no-untyped-def]
    client.login(username=users[role].username, password=PASSWORD)
    upload = SimpleUploadedFile(file_name, _bytes(file_name))
    response = client.post(reverse("datainputs:upload", args=[spec_name]), {"file": upload})
    assert response.status_code == 302, response.content[:500]
    return ImportBatch.objects.latest("pk")


def test_given_an_xlsx_whose_dimension_tag_says_a1_when_uploaded_then_every_row_is_read(
    master, users
) -> None:
    outcome = upload_preview(
        INVENTORY, _bytes("inventory_dimension_a1.xlsx"), "stock.xlsx", users[Role.ADMINISTRATOR]
    )
    assert outcome.ok, outcome.errors
    assert outcome.batch.row_count == 4
    upload_apply(INVENTORY, outcome.batch, users[Role.ADMINISTRATOR])
    assert InventoryOnHand.objects.get(product__sku="BEV-002").quantity == Decimal("120.50")


def test_given_an_xlsx_claiming_the_whole_sheet_when_parsed_then_memory_stays_small() -> None:
    tracemalloc.start()
    table = parse_table(_bytes("inventory_claims_whole_sheet.xlsx"), "stock.xlsx", 500_000)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(table.rows) == 4
    assert peak < 20 * 1024 * 1024  # the 16,384 x 1,048,576 cells it claims are never built


def test_given_negative_on_hand_when_uploaded_in_the_browser_then_accepted_with_a_warning(
    master, users, client
) -> None:
    batch = _upload(
        client, users, Role.INVENTORY_PLANNER, "inventory_on_hand", "inventory_negative_stock.csv"
    )
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert [(w["row"], w["field"]) for w in batch.warnings] == [(3, "quantity")]
    page = client.get(reverse("datainputs:batch", args=[batch.pk])).content.decode()
    assert "Negative on-hand stock" in page
    client.post(reverse("datainputs:batch", args=[batch.pk]))
    assert InventoryOnHand.objects.get(product__sku="BEV-002").quantity == Decimal("-12")


def test_given_negative_on_hand_when_pushed_through_the_api_then_accepted_with_a_warning(
    master, users, client
) -> None:
    client.login(username=users[Role.INVENTORY_PLANNER].username, password=PASSWORD)
    response = client.post(
        "/api/v1/inventory-on-hand/",
        data=_bytes("inventory_negative_stock.csv"),
        content_type="text/csv",
        headers={"X-CSRFToken": "unused"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 3
    assert [(w["row"], w["field"]) for w in response.json()["warnings"]] == [(3, "quantity")]


def test_given_a_german_excel_csv_and_a_german_setting_when_uploaded_then_numbers_are_exact(
    master, users, settings
) -> None:
    settings.NUMBER_LOCALE = "de"
    outcome = upload_preview(
        SALES, _bytes("sales_german_excel.csv"), "umsatz.csv", users[Role.DEMAND_PLANNER]
    )
    assert outcome.ok, outcome.errors
    upload_apply(SALES, outcome.batch, users[Role.DEMAND_PLANNER])
    assert SalesHistory.objects.get(product__sku="BEV-001").quantity == Decimal("1234.50")
    assert SalesHistory.objects.get(product__sku="BEV-002").revenue == Decimal("187.50")


def test_given_a_german_csv_and_an_english_setting_when_uploaded_then_refused_not_guessed(
    master, users
) -> None:
    outcome = upload_preview(
        SALES, _bytes("sales_german_excel.csv"), "umsatz.csv", users[Role.DEMAND_PLANNER]
    )
    assert not outcome.ok
    assert {(e.row, e.column) for e in outcome.errors} >= {(2, "quantity"), (3, "quantity")}
    assert "ambiguous or malformed in the en number format" in outcome.errors[0].message
    assert SalesHistory.objects.count() == 0


def test_given_rows_with_more_or_fewer_fields_than_the_header_then_refused_naming_rows(
    master, users
) -> None:
    outcome = upload_preview(
        SALES, _bytes("sales_ragged_rows.csv"), "sales.csv", users[Role.DEMAND_PLANNER]
    )
    assert not outcome.ok
    message = outcome.errors[0].message
    assert "row 3 has 7+ fields" in message and "row 4 has 5 fields" in message


@pytest.mark.parametrize(
    ("spec_name", "file_name", "column"),
    [
        ("sales_history", "sales_date_trailing.csv", "month"),
        ("open_orders", "orders_date_trailing.csv", "order_date"),
    ],
)
def test_given_a_date_with_trailing_characters_then_refused(
    master, users, spec_name, file_name, column
) -> None:
    outcome = upload_preview(
        get_spec(spec_name), _bytes(file_name), file_name, users[Role.ADMINISTRATOR]
    )
    assert [(e.row, e.column) for e in outcome.errors] == [(2, column)]


def test_given_a_body_above_the_limit_when_posted_to_the_browser_door_then_413_unread(
    master, users, client, settings
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.login(username=users[Role.DEMAND_PLANNER].username, password=PASSWORD)
    upload = SimpleUploadedFile("big.csv", b"sku,site\n" + b"x,y\n" * 1000)
    response = client.post(reverse("datainputs:upload", args=["sales_history"]), {"file": upload})
    assert response.status_code == 413
    assert "the limit is 1,000" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_given_more_rows_than_the_limit_then_parsing_stops_early_naming_the_limit() -> None:
    body = b"sku,site,channel,month,quantity,revenue\n" + b"A,B,C,2026-01,1,1\n" * 50_000
    with pytest.raises(ValueError, match="more than 100 data rows"):
        parse_table(body, "sales.csv", 100)
