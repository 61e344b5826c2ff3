"""Done-when: a token made by the command pushes sales history as CSV and reads it back
incrementally with ``updated_since``."""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api.conftest import post_csv, sales_csv

pytestmark = pytest.mark.django_db


def test_command_token_pushes_csv_and_reads_back_changes_since(master) -> None:
    out = io.StringIO()
    call_command("api_client", "create", "acme-erp", "--days", "30", stdout=out)
    token = out.getvalue().strip()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    assert post_csv(api, "sales-history", sales_csv(120)).json()["created"] == 120
    time.sleep(0.01)
    since = timezone.now().isoformat()
    changed = {
        5: "BEV-005,DC1,RETAIL,2000-01,77,577.50",
        60: "BEV-010,DC1,RETAIL,2000-02,88,660.00",
    }
    result = post_csv(api, "sales-history", sales_csv(120, bad=changed)).json()
    assert (result["updated"], result["unchanged"]) == (2, 118)

    everything = api.get("/api/v1/sales-history/?page_size=500").json()
    assert everything["count"] == 120
    recent = api.get("/api/v1/sales-history/", {"updated_since": since}).json()
    assert sorted((r["sku"], r["month"], r["quantity"]) for r in recent["results"]) == [
        ("BEV-005", "2000-01", "77.00"),
        ("BEV-010", "2000-02", "88.00"),
    ]
