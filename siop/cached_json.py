"""Cached, conditional JSON answers keyed by everything they are computed from.

A caller names an answer by a list of JSON-able parts (the record ids and data versions it
reads, the user's rights and scope, the request's part or page); the SHA-256 of those parts is
both the cache key and a strong ETag. A browser revalidating with ``If-None-Match`` gets a 304
without any work; otherwise the JSON bytes come from the ``versioned`` cache, or are built once
and stored. Because a key names the data versions it was built from, a stored answer is never
served after the data changed: it simply ages out (``settings.CACHES``).

Callers read the versions before building, so an answer stored under a key is never older than
the data the key names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified

CACHE_ALIAS = "versioned"


def etag_of(parts: list[Any]) -> str:
    """A strong ETag (quoted, 32 hex digits) naming the answer built from ``parts``."""
    digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
    return '"' + digest[:32] + '"'


def client_holds(request: HttpRequest, etag: str) -> bool:
    """``If-None-Match`` names ``etag`` (weak or strong: GZip makes the sent ETag weak)."""
    header = request.headers.get("If-None-Match", "")
    sent = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in sent or "*" in sent


def cached_json_response(
    request: HttpRequest, etag: str, build: Callable[[], dict[str, Any]]
) -> HttpResponse:
    """304 when the client holds ``etag``, else the cached JSON, else ``build()`` stored."""
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if client_holds(request, etag):
        return HttpResponseNotModified(headers=headers)
    cache = caches[CACHE_ALIAS]
    body = cache.get(etag)
    if body is None:
        body = json.dumps(build(), cls=DjangoJSONEncoder, separators=(",", ":")).encode()
        cache.set(etag, body)
    return HttpResponse(body, content_type="application/json", headers=headers)
