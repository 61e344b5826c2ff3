"""API fixtures: master data to push against, an ERP client token, Redis db for rate limits."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from rest_framework.test import APIClient

from api.limits import _redis_clients
from api.tokens import client_create

HEADER = "sku,site,channel,month,quantity,revenue"
REDIS_URL = os.environ.get("SIOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


@pytest.fixture(autouse=True)
def _api_settings(settings):  # type: ignore[no-untyped-def]
    settings.API_REDIS_URL = REDIS_URL
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    _redis_clients.clear()


@pytest.fixture
def erp(db):  # type: ignore[no-untyped-def]
    """An API client holding a fresh ERP token."""
    _client, token = client_create("erp-test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def sales_csv(rows: int = 1000, bad: dict[int, str] | None = None, scale: int = 1) -> bytes:
    """``rows`` distinct lines (50 SKUs x months); ``bad`` replaces data line i (0-based)."""
    lines = [HEADER]
    for i in range(rows):
        month = dt.date(2000 + (i // 50) // 12, (i // 50) % 12 + 1, 1)
        qty = (i % 17 + 1) * scale
        lines.append(f"BEV-{i % 50:03d},DC1,RETAIL,{month:%Y-%m},{qty},{qty * 7.5:.2f}")
    for index, text in (bad or {}).items():
        lines[index + 1] = text
    return ("\n".join(lines) + "\n").encode()


def post_csv(api: APIClient, table: str, body: bytes, **headers: str):  # type: ignore[no-untyped-def]
    return api.post(f"/api/v1/{table}/", data=body, content_type="text/csv", headers=headers)
