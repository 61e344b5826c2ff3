"""Tokens (hashed, expiring, revocable), size and rate limits, and logging of every refusal."""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading

import pytest
import redis
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from api.limits import count_request
from api.models import ApiClient
from api.tokens import client_create, hash_token
from tests.api.conftest import REDIS_URL, post_csv, sales_csv

pytestmark = pytest.mark.django_db


def _bearer(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def test_tokens_are_stored_hashed_and_expire_and_revoke(db, caplog) -> None:
    client, token = client_create("acme")
    assert ApiClient.objects.filter(token_hash=hash_token(token)).exists()
    assert not ApiClient.objects.filter(token_hash=token).exists()
    api = _bearer(token)
    assert api.get("/api/v1/sites/").status_code == 200
    ApiClient.objects.filter(pk=client.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    with caplog.at_level(logging.WARNING, logger="api.security"):
        assert api.get("/api/v1/sites/").status_code == 401
    assert "expired" in caplog.text
    call_command("api_client", "rotate", "acme", stdout=io.StringIO())
    assert api.get("/api/v1/sites/").status_code == 401  # the old token stopped working
    call_command("api_client", "revoke", "acme", stdout=io.StringIO())
    assert ApiClient.objects.get(name="acme").revoked_at is not None


def test_every_refusal_is_logged(db, users, caplog) -> None:
    from accounts.roles import Role
    from tests.factories import PASSWORD

    with caplog.at_level(logging.WARNING, logger="api.security"):
        APIClient().get("/api/v1/sites/")
        _bearer("siop_wrong").get("/api/v1/sites/")
        sales = APIClient()
        sales.login(username=users[Role.FINANCE].username, password=PASSWORD)
        sales.post("/api/v1/sites/", [], format="json")
    lines = [r.getMessage() for r in caplog.records if r.name == "api.security"]
    assert any("status=401" in line and "NotAuthenticated" in line for line in lines)
    assert any("Unknown token" in line for line in lines)
    assert any("status=403" in line and "user=finance" in line for line in lines)


def test_oversized_body_is_413(master, erp, settings) -> None:
    settings.API_MAX_BODY_BYTES = 1000
    response = post_csv(erp, "sales-history", sales_csv(100))
    assert response.status_code == 413
    assert "limit is 1000" in response.json()["detail"]


def test_rate_limit_per_client_is_429_counted_in_redis(master, erp, settings) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    statuses = [erp.get("/api/v1/sites/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert int(erp.get("/api/v1/sites/")["Retry-After"]) > 0
    assert redis.Redis.from_url(REDIS_URL).keys("siop:api:rate:*")
    _other, token = client_create("other-erp")
    assert _bearer(token).get("/api/v1/sites/").status_code == 200  # per client


def test_rate_limit_falls_back_to_the_cache_without_redis(master, erp, settings) -> None:
    settings.API_REDIS_URL = ""
    settings.REDIS_URL = ""
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    assert [erp.get("/api/v1/sites/").status_code for _ in range(3)] == [200, 200, 429]


def test_the_redis_counter_is_atomic_under_concurrency() -> None:
    seen: list[int] = []
    lock = threading.Lock()

    def hit() -> None:
        for _ in range(20):
            value = count_request("atomic-test", 1)
            with lock:
                seen.append(value)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(1, 161))  # no two requests got the same slot
