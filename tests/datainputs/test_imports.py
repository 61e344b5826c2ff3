"""Imports are all-or-nothing, report every bad row, and are idempotent."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from accounts.roles import Role
from datainputs.importers import get_spec
from datainputs.models import ImportBatch, OpenReceipt, SalesHistory
from datainputs.services import rows_import, upload_apply, upload_preview
from tests.datainputs.conftest import HEADER, sales_csv
from tests.factories import (
    PASSWORD,
    FamilyFactory,
    ProductFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db
SALES = get_spec("sales_history")


def test_good_file_is_written_with_counts(master, users) -> None:
    outcome = upload_preview(SALES, sales_csv(), "sales.csv", users[Role.DEMAND_PLANNER])
    assert outcome.ok and SalesHistory.objects.count() == 0  # preview writes nothing
    applied = upload_apply(SALES, outcome.batch, users[Role.DEMAND_PLANNER])
    assert applied.counts is not None and applied.counts.as_dict() == {
        "created": 1000,
        "updated": 0,
        "unchanged": 0,
    }
    assert SalesHistory.objects.count() == 1000


def test_three_bad_rows_among_1000_write_nothing_and_are_each_reported(master, users) -> None:
    bad = {
        10: "BEV-010,DC1,RETAIL,2024-01,abc,10.00",  # quantity not a number
        500: "NOPE-1,DC1,RETAIL,2024-11,5,10.00",  # unknown SKU
        998: "BEV-048,DC1,RETAIL,2025-13,5,10.00",  # impossible month
    }
    outcome = upload_preview(SALES, sales_csv(bad=bad), "sales.csv", users[Role.DEMAND_PLANNER])
    assert not outcome.ok
    assert [(e.row, e.column) for e in outcome.errors] == [
        (12, "quantity"),
        (502, "sku"),
        (1000, "month"),
    ]
    assert "Unknown product 'NOPE-1'" in outcome.errors[1].message
    assert SalesHistory.objects.count() == 0
    assert outcome.batch.status == ImportBatch.Status.REJECTED


def test_importing_the_same_file_twice_changes_nothing(master, users) -> None:
    planner = users[Role.DEMAND_PLANNER]
    upload_apply(SALES, upload_preview(SALES, sales_csv(), "a.csv", planner).batch, planner)
    before = list(SalesHistory.objects.order_by("id").values_list("id", "quantity", "updated_at"))
    again = upload_apply(SALES, upload_preview(SALES, sales_csv(), "a.csv", planner).batch, planner)
    assert again.counts is not None and again.counts.as_dict() == {
        "created": 0,
        "updated": 0,
        "unchanged": 1000,
    }
    assert (
        list(SalesHistory.objects.order_by("id").values_list("id", "quantity", "updated_at"))
        == before
    )


def test_changed_rows_are_updated_in_place(master, users) -> None:
    planner = users[Role.DEMAND_PLANNER]
    upload_apply(SALES, upload_preview(SALES, sales_csv(10), "a.csv", planner).batch, planner)
    changed = sales_csv(10, bad={0: "BEV-000,DC1,RETAIL,2024-01,99,742.50"})
    outcome = upload_apply(SALES, upload_preview(SALES, changed, "b.csv", planner).batch, planner)
    assert outcome.counts is not None and outcome.counts.as_dict() == {
        "created": 0,
        "updated": 1,
        "unchanged": 9,
    }
    assert (
        SalesHistory.objects.get(product__sku="BEV-000", month=dt.date(2024, 1, 1)).quantity == 99
    )


def test_duplicate_keys_missing_columns_and_unreadable_files_are_reported(master, users) -> None:
    planner = users[Role.DEMAND_PLANNER]
    duplicate = sales_csv(3, bad={2: "BEV-000,DC1,RETAIL,2024-01,1,7.50"})
    errors = upload_preview(SALES, duplicate, "d.csv", planner).errors
    assert errors[0].row == 4 and "Duplicate of row 2" in errors[0].message
    missing = upload_preview(SALES, b"sku,site\nBEV-000,DC1\n", "m.csv", planner).errors
    assert {e.column for e in missing} == {"channel", "month", "quantity", "revenue"}
    for content, name in [
        (b"\x00\x01garbage", "x.xlsx"),
        (b"hello", "x.pdf"),
        (b"", "e.csv"),
        (b"\xff\xfe", "u.csv"),
    ]:
        outcome = upload_preview(SALES, content, name, planner)
        assert not outcome.ok and outcome.errors[0].column == "file"
    assert SalesHistory.objects.count() == 0


def test_xlsx_upload_is_read_like_csv(master, users) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(HEADER.split(","))
    sheet.append(["BEV-001", "DC1", "RETAIL", dt.datetime(2026, 9, 1), 12, 90.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = upload_preview(SALES, buffer.getvalue(), "s.xlsx", users[Role.DEMAND_PLANNER])
    assert outcome.ok, outcome.errors
    upload_apply(SALES, outcome.batch, users[Role.DEMAND_PLANNER])
    assert SalesHistory.objects.get().month == dt.date(2026, 9, 1)


def test_family_scoped_planner_cannot_write_other_families(master) -> None:
    other = ProductFactory(sku="SNK-001", family=FamilyFactory(code="SNK"))
    planner = user_with_role(
        Role.DEMAND_PLANNER, "bev.only", families=[master["products"][0].family]
    )
    content = (
        f"{HEADER}\nBEV-001,DC1,RETAIL,2026-09,1,1\n{other.sku},DC1,RETAIL,2026-09,1,1\n".encode()
    )
    outcome = upload_preview(SALES, content, "s.csv", planner)
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "sku")]
    assert "outside your planning scope" in outcome.errors[0].message


def test_receipt_source_must_match_its_type(master, users) -> None:
    spec = get_spec("open_receipts")
    from masterdata.models import Supplier

    Supplier.objects.create(code="SUP1", name="Supplier")
    rows = [
        (
            2,
            {
                "order_number": "MO-1",
                "line": "1",
                "receipt_type": "production",
                "sku": "BEV-001",
                "site": "DC1",
                "supplier": "SUP1",
                "due_date": "2026-12-01",
                "quantity": "5",
            },
        )
    ]
    outcome = rows_import(spec, rows, None, users[Role.SUPPLY_PLANNER])
    assert [e.column for e in outcome.errors] == ["supplier"] and OpenReceipt.objects.count() == 0


def test_upload_journey_over_http_lists_row_errors_then_applies(client, master) -> None:
    planner = user_with_role(Role.DEMAND_PLANNER, "dana")
    assert client.login(username="dana", password=PASSWORD)
    url = reverse("datainputs:upload", args=["sales_history"])
    bad = io.BytesIO(sales_csv(20, bad={3: "BEV-003,DC1,RETAIL,2024-01,-x,1"}))
    bad.name = "bad.csv"
    page = client.post(url, {"file": bad}, follow=True).content.decode()
    assert "Nothing was written" in page and "<td>5</td><td>quantity</td>" in page
    good = io.BytesIO(sales_csv(20))
    good.name = "good.csv"
    response = client.post(url, {"file": good})
    batch_url = response["Location"]
    applied = client.post(batch_url, follow=True).content.decode()
    assert "20 created" in applied and SalesHistory.objects.count() == 20
    assert planner.pk == ImportBatch.objects.filter(status="applied").get().created_by_id


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "name", ["sales_history", "open_orders", "inventory_on_hand", "open_receipts"]
)
def test_templates_download_with_the_spec_headers(client, users, name, fmt) -> None:
    assert client.login(username=users[Role.SALES].username, password=PASSWORD)
    response = client.get(reverse("datainputs:template", args=[name, fmt]))
    assert response.status_code == 200
    if fmt == "csv":
        assert response.content.decode().splitlines()[0] == ",".join(get_spec(name).column_names)
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert [c.value for c in sheet[1]] == get_spec(name).column_names
