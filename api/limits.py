"""Request-size and per-client rate limits.

The rate limit is a fixed one-minute window counted with Redis ``INCR`` + ``EXPIRE`` in one
MULTI/EXEC, so concurrent requests on several server processes can never both take the last slot
(DRF's own throttles read-then-write a cache entry and are racy). Without Redis configured the
count falls back to Django's cache (``cache.incr`` is atomic per backend).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework import exceptions, status
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger("api.security")
WINDOW_SECONDS = 60
_redis_clients: dict[str, Any] = {}


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def check_body_size(request: Any) -> None:
    limit = int(getattr(settings, "API_MAX_BODY_BYTES", 32 * 1024 * 1024))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise PayloadTooLarge(
            f"The request body has {length} bytes; the limit is {limit}. Send smaller batches."
        )


def _redis() -> Any | None:
    url = getattr(settings, "API_REDIS_URL", "") or getattr(settings, "REDIS_URL", "")
    if not url:
        return None
    if url not in _redis_clients:
        import redis

        _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=2)
    return _redis_clients[url]


def count_request(bucket: str, window: int) -> int:
    """Atomically count one request in ``bucket``'s current window; returns the new count."""
    key = f"siop:api:rate:{bucket}:{window}"
    client = _redis()
    if client is not None:
        try:
            pipe = client.pipeline(transaction=True)
            pipe.incr(key)
            pipe.expire(key, WINDOW_SECONDS * 2)
            return int(pipe.execute()[0])
        except Exception:  # Redis down: degrade to the cache rather than refuse every call
            logger.exception("Rate-limit counter unavailable in Redis; using the cache.")
    cache.add(key, 0, WINDOW_SECONDS * 2)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_SECONDS * 2)
        return 1


class ClientRateThrottle(BaseThrottle):
    """``API_RATE_LIMIT_PER_MINUTE`` requests per client (token/user, or IP when anonymous)."""

    def allow_request(self, request: Any, view: Any) -> bool:
        limit = int(getattr(settings, "API_RATE_LIMIT_PER_MINUTE", 1200))
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        self._retry_after = int(WINDOW_SECONDS - now % WINDOW_SECONDS) + 1
        user = request.user
        bucket = f"user{user.pk}" if user and user.is_authenticated else self.get_ident(request)
        return count_request(bucket, window) <= limit

    def wait(self) -> float | None:
        return float(getattr(self, "_retry_after", WINDOW_SECONDS))
