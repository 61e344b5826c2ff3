"""Idempotency-Key: replay, conflicting reuse, in-flight, per-client keys."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from api.models import IdempotencyRecord
from datainputs.models import ImportBatch, SalesHistory
from tests.api.conftest import post_csv, sales_csv

pytestmark = pytest.mark.django_db


def test_same_key_and_body_returns_the_stored_response_without_applying_twice(master, erp) -> None:
    first = post_csv(erp, "sales-history", sales_csv(100), **{"Idempotency-Key": "k-1"})
    second = post_csv(erp, "sales-history", sales_csv(100), **{"Idempotency-Key": "k-1"})
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert ImportBatch.objects.filter(status="applied").count() == 1  # applied once
    assert SalesHistory.objects.count() == 100


def test_same_key_with_another_body_is_refused(master, erp) -> None:
    post_csv(erp, "sales-history", sales_csv(100), **{"Idempotency-Key": "k-2"})
    other = post_csv(erp, "sales-history", sales_csv(101), **{"Idempotency-Key": "k-2"})
    assert other.status_code == 422
    assert "different request body" in other.json()["detail"]
    assert SalesHistory.objects.count() == 100


def test_same_key_on_another_endpoint_is_refused(master, erp) -> None:
    erp.post("/api/v1/sites/", [], format="json", headers={"Idempotency-Key": "k-3"})
    other = erp.post("/api/v1/channels/", [], format="json", headers={"Idempotency-Key": "k-3"})
    assert other.status_code == 422


def test_a_key_still_in_flight_answers_409_and_a_stale_one_is_taken_over(master, erp) -> None:
    body = sales_csv(10)
    post_csv(erp, "sales-history", body, **{"Idempotency-Key": "k-4"})
    record = IdempotencyRecord.objects.get(key="k-4")
    record.state, record.response_body = IdempotencyRecord.State.IN_FLIGHT, ""
    record.save()
    busy = post_csv(erp, "sales-history", body, **{"Idempotency-Key": "k-4"})
    assert busy.status_code == 409
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    retried = post_csv(erp, "sales-history", body, **{"Idempotency-Key": "k-4"})
    assert retried.status_code == 200 and retried.json()["unchanged"] == 10


def test_a_rejected_batch_is_replayed_too(master, erp) -> None:
    body = sales_csv(10, bad={0: "NOPE,DC1,RETAIL,2000-01,1,1"})
    first = post_csv(erp, "sales-history", body, **{"Idempotency-Key": "k-5"})
    again = post_csv(erp, "sales-history", body, **{"Idempotency-Key": "k-5"})
    assert first.status_code == again.status_code == 422
    assert again.json()["errors"] == first.json()["errors"]
    assert ImportBatch.objects.count() == 1


def test_keys_belong_to_one_client(master, erp, client, users) -> None:
    from accounts.roles import Role
    from tests.factories import PASSWORD

    post_csv(erp, "sales-history", sales_csv(10), **{"Idempotency-Key": "shared"})
    client.login(username=users[Role.DEMAND_PLANNER].username, password=PASSWORD)
    other = client.post(
        "/api/v1/sales-history/",
        sales_csv(12),
        content_type="text/csv",
        headers={"Idempotency-Key": "shared"},
    )
    assert other.status_code == 200 and other.json()["created"] == 2


def test_an_overlong_key_is_a_400(master, erp) -> None:
    response = post_csv(erp, "sales-history", sales_csv(1), **{"Idempotency-Key": "x" * 201})
    assert response.status_code == 400


def test_keys_expire_after_a_day(master, erp) -> None:
    post_csv(erp, "sales-history", sales_csv(10), **{"Idempotency-Key": "old"})
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )
    reused = post_csv(erp, "sales-history", sales_csv(12), **{"Idempotency-Key": "old"})
    assert reused.status_code == 200 and reused.json()["created"] == 2
