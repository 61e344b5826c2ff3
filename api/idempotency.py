"""``Idempotency-Key`` for bulk writes (IETF httpapi-idempotency-key draft semantics).

Same key + same body -> the stored response, nothing applied twice; same key + another body or
another endpoint -> 422; the first request still running -> 409. Keys are per client (user).
A request that crashed leaves its claim; after ``STALE_SECONDS`` a retry may take it over.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.response import Response

from api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
STALE_SECONDS = 15 * 60
RETENTION = dt.timedelta(hours=24)  # a retry after a day is a new request


def begin(user: Any, key: str, path: str, body: bytes) -> IdempotencyRecord | Response:
    """Claim ``key`` for this request, or return the answer the client gets instead."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        return Response(
            {"detail": f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    digest = hashlib.sha256(body).hexdigest()
    IdempotencyRecord.objects.filter(user=user, created_at__lt=timezone.now() - RETENTION).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                user=user, key=key, request_path=path, body_sha256=digest
            )
    except IntegrityError:
        pass
    existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if existing is None:  # deleted by a failing first request meanwhile: try again
        return begin(user, key, path, body)
    if existing.body_sha256 != digest or existing.request_path != path:
        return Response(
            {"detail": f"This {HEADER} was used with a different request body or endpoint."},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    if existing.state == IdempotencyRecord.State.IN_FLIGHT:
        if existing.created_at > timezone.now() - dt.timedelta(seconds=STALE_SECONDS):
            return Response(
                {"detail": f"A request with this {HEADER} is still being processed; retry later."},
                status=status.HTTP_409_CONFLICT,
            )
        existing.created_at = timezone.now()
        existing.save(update_fields=["created_at"])
        return existing
    replay = Response(json.loads(existing.response_body or "null"), status=existing.status_code)
    replay["Idempotent-Replayed"] = "true"
    return replay


def finish(record: IdempotencyRecord, response: Response) -> None:
    record.state = IdempotencyRecord.State.DONE
    record.status_code = response.status_code
    record.content_type = "application/json"
    record.response_body = json.dumps(response.data, default=str)
    record.save(update_fields=["state", "status_code", "content_type", "response_body"])


def abandon(record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).delete()
