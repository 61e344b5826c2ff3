"""Concurrent upserts of overlapping batches on real PostgreSQL lose nothing (both write paths)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from api.tokens import client_create
from datainputs.models import SalesHistory
from tests.api.conftest import sales_csv


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["fast", "row_by_row"])
def test_overlapping_concurrent_batches_lose_nothing(master, path, monkeypatch) -> None:
    if path == "row_by_row":
        monkeypatch.setattr("datainputs.importers.staged.supports", lambda spec: False)
    _client, token = client_create(f"conc-{path}")
    universe = sales_csv(1200).decode().splitlines()
    header, lines = universe[0], universe[1:]
    batches = [lines[start : start + 500] for start in (0, 175, 350, 525, 700)]
    statuses: list[int] = []

    def push(rows: list[str]) -> None:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        body = ("\n".join([header, *rows]) + "\n").encode()
        try:
            statuses.append(
                api.post("/api/v1/sales-history/", body, content_type="text/csv").status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=push, args=(rows,)) for rows in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 5
    assert SalesHistory.objects.count() == 1200
    stored = {
        (r.product.sku, r.month.strftime("%Y-%m"), str(r.quantity))
        for r in SalesHistory.objects.select_related("product")
    }
    expected = {
        (line.split(",")[0], line.split(",")[3], f"{int(line.split(',')[4])}.00") for line in lines
    }
    assert stored == expected
