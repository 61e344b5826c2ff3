"""Bulk upsert: CSV and JSON, counts, all-or-nothing with row errors, same rules as the upload."""

from __future__ import annotations

import pytest

from datainputs.importers import get_spec
from datainputs.models import ImportBatch, SalesHistory
from datainputs.services import upload_preview
from tests.api.conftest import post_csv, sales_csv

pytestmark = pytest.mark.django_db


def test_csv_push_creates_then_reports_unchanged_then_updated(master, erp) -> None:
    first = post_csv(erp, "sales-history", sales_csv(500))
    assert first.status_code == 200, first.content
    assert first.json() | {"batch_id": 0} == {
        "table": "sales_history",
        "batch_id": 0,
        "rows": 500,
        "created": 500,
        "updated": 0,
        "unchanged": 500 - 500,
    }
    again = post_csv(erp, "sales-history", sales_csv(500)).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 500)
    edits = {i: f"BEV-{i % 50:03d},DC1,RETAIL,2000-01,999,1.00" for i in range(10)}
    edits[499] = "BEV-049,DC1,RETAIL,2030-01,1,1.00"  # a new key
    changed = post_csv(erp, "sales-history", sales_csv(500, bad=edits)).json()
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (1, 10, 489)
    assert SalesHistory.objects.count() == 501
    assert ImportBatch.objects.filter(source="api", status="applied").count() == 3


def test_json_array_push_is_equivalent_to_csv(master, erp) -> None:
    rows = [
        {
            "sku": "BEV-001",
            "site": "DC1",
            "channel": "RETAIL",
            "month": "2026-10",
            "quantity": 12,
            "revenue": 90.5,
        },
        {
            "sku": "BEV-002",
            "site": "DC1",
            "channel": "RETAIL",
            "month": "2026-10-01",
            "quantity": "3",
            "revenue": "22.50",
        },
    ]
    response = erp.post("/api/v1/sales-history/", rows, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2
    listed = erp.get("/api/v1/sales-history/?sku=BEV-001").json()["results"]
    assert [(r["sku"], r["month"], r["quantity"], r["revenue"]) for r in listed] == [
        ("BEV-001", "2026-10", "12.00", "90.50")
    ]


def test_ten_thousand_rows_with_three_bad_rows_write_nothing_and_report_three(master, erp) -> None:
    bad = {
        10: "BEV-010,DC1,RETAIL,2000-01,abc,10.00",
        5000: "NOPE-1,DC1,RETAIL,2008-05,5,10.00",
        9998: "BEV-048,DC1,RETAIL,2016-13,5,10.00",
    }
    response = post_csv(erp, "sales-history", sales_csv(10_000, bad=bad))
    assert response.status_code == 422
    body = response.json()
    assert body["error_count"] == 3
    assert [(e["row"], e["field"]) for e in body["errors"]] == [
        (12, "quantity"),
        (5002, "sku"),
        (10000, "month"),
    ]
    assert SalesHistory.objects.count() == 0
    assert ImportBatch.objects.get(pk=body["batch_id"]).status == "rejected"


def test_api_and_browser_upload_report_identical_errors(master, erp, users) -> None:
    from accounts.roles import Role

    body = sales_csv(
        200, bad={3: "BEV-003,DC1,RETAIL,2000-01,-1x,1", 7: "BEV-001,DC1,RETAIL,2000-01,1,1"}
    )
    api_errors = post_csv(erp, "sales-history", body).json()["errors"]
    upload = upload_preview(get_spec("sales_history"), body, "s.csv", users[Role.DEMAND_PLANNER])
    assert api_errors == [e.as_dict() for e in upload.errors]
    assert len(api_errors) == 2


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        (b"{}", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b"not json", "application/json", 400),
        (b"sku;site\n", "text/csv", 422),
        (b"", "text/csv", 400),
        (b"\xff\xfe", "text/csv", 422),
        (b"a", "application/xml", 415),
    ],
)
def test_malformed_bodies_are_clear_client_errors(master, erp, body, content_type, status) -> None:
    response = erp.post("/api/v1/sales-history/", data=body, content_type=content_type)
    assert response.status_code == status
    assert SalesHistory.objects.count() == 0


def test_blank_lines_and_semicolons_take_the_row_by_row_path_with_same_result(master, erp) -> None:
    body = b"sku;site;channel;month;quantity;revenue\n\nBEV-001;DC1;RETAIL;2026-01;1;2\n\n"
    response = post_csv(erp, "sales-history", body)
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1


def test_clean_csv_takes_the_postgresql_fast_path(master, erp, monkeypatch) -> None:
    def row_by_row(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the row-by-row path was used")

    monkeypatch.setattr("datainputs.services._validate_and_write", row_by_row)
    response = post_csv(erp, "sales-history", sales_csv(300))
    assert response.status_code == 200 and response.json()["created"] == 300


def test_family_scoped_planner_cannot_push_other_families(master, client) -> None:
    from accounts.roles import Role
    from tests.factories import PASSWORD, FamilyFactory, user_with_role

    planner = user_with_role(Role.DEMAND_PLANNER, "scoped", families=[FamilyFactory(code="SNK")])  # type: ignore[list-item]
    client.login(username=planner.username, password=PASSWORD)
    response = client.post("/api/v1/sales-history/", data=sales_csv(5), content_type="text/csv")
    assert response.status_code == 422
    assert {e["message"] for e in response.json()["errors"]} == {
        "This product's family is outside your planning scope."
    }
