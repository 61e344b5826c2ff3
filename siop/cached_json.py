"""Cached, conditional JSON answers keyed by everything they are computed from.

A caller names an answer by a list of JSON-able parts (the record ids and data versions it
reads, the user's rights and scope, the request's part or page); the SHA-256 of those parts is
both the cache key and a strong ETag. A browser revalidating with ``If-None-Match`` gets a 304
without any work; otherwise the answer comes from the ``versioned`` cache, or is built once and
stored gzip-compressed (a page of 200 demand-grid products: 590 kB of JSON, 39 kB compressed), so a
cached answer costs no JSON encoding and no compression. Because a key names the data versions it was built from, a stored answer is never
served after the data changed: it simply ages out (``settings.CACHES``).

Callers read the versions before building, so an answer stored under a key is never older than
the data the key names.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import caches
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_vary_headers

CACHE_ALIAS = "versioned"
GZIP_PADDING_BYTES = 100  # GZipMiddleware.max_random_bytes
# In every key: a shared (Redis) cache may still hold answers stored by an older release in
# another format (plain JSON bytes) under what would otherwise be the same key.
ANSWER_FORMAT = "gzip-1"
BUILD_WAIT_SECONDS = 5.0  # longer than a 1,000-product family's first paint under load
BUILD_CLAIM_SECONDS = 60  # a claim outlives no builder by more (a worker killed mid-build)
BUILD_POLL_SECONDS = 0.02
T = TypeVar("T")


def etag_of(parts: list[Any]) -> str:
    """A strong ETag (quoted, 32 hex digits) naming the answer built from ``parts``."""
    named = [ANSWER_FORMAT, *parts]
    digest = hashlib.sha256(json.dumps(named, default=str).encode()).hexdigest()
    return '"' + digest[:32] + '"'


def client_holds(request: HttpRequest, etag: str) -> bool:
    """``If-None-Match`` names ``etag`` (weak or strong: GZip makes the sent ETag weak)."""
    header = request.headers.get("If-None-Match", "")
    sent = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in sent or "*" in sent


def cached_json_response(
    request: HttpRequest, etag: str, build: Callable[[], dict[str, Any]],
    worth_waiting: Callable[[], bool] | None = None,
) -> HttpResponse:  # fmt: skip
    """304 when the client holds ``etag``, else the cached answer, else ``build()`` stored.

    A client accepting gzip gets the stored compressed bytes (GZip middleware leaves an encoded
    answer alone), any other the decompressed JSON. ``worth_waiting``: see ``built_once``.
    """
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if client_holds(request, etag):
        return HttpResponseNotModified(headers=headers)
    packed = _stored(etag, build, worth_waiting)[0]
    if not re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(gzip.decompress(packed), content_type="application/json")
    else:  # as GZipMiddleware answers: a weak ETag, the random-length name against BREACH
        headers |= {"ETag": "W/" + etag, "Content-Encoding": "gzip"}
        response = HttpResponse(_padded(packed), content_type="application/json")
    for name, value in headers.items():
        response.headers[name] = value
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def warm(etag: str, build: Callable[[], dict[str, Any]]) -> bool:
    """Store ``build()`` under ``etag`` unless it is cached already; True when it was built.

    What a background warmer calls (``siop.warming``) with the ETag the page's request would
    compute, so that request finds the answer."""
    return _stored(etag, build)[1]


def is_cached(etag: str) -> bool:
    return caches[CACHE_ALIAS].get(etag) is not None


def _stored(
    etag: str, build: Callable[[], dict[str, Any]],
    worth_waiting: Callable[[], bool] | None = None,
) -> tuple[bytes, bool]:  # fmt: skip
    """The gzip bytes cached under ``etag``, built and stored first when missing; and whether
    they were built now."""

    def packed() -> bytes:
        body = json.dumps(build(), cls=DjangoJSONEncoder, separators=(",", ":")).encode()
        return gzip.compress(body, compresslevel=6, mtime=0)

    return built_once(etag, packed, worth_waiting=worth_waiting)


def is_building(key: str) -> bool:
    """Whether some process is building the value of ``key`` now (``built_once``)."""
    return caches[CACHE_ALIAS].get(f"{key}:building") is not None


def built_once(
    key: str, build: Callable[[], T], timeout: int | None = None,
    worth_waiting: Callable[[], bool] | None = None,
) -> tuple[T, bool]:  # fmt: skip
    """The value cached under ``key``, else ``build()`` stored (for ``timeout`` seconds, else
    the cache's); and whether it was built by this call.

    One builder at a time across every web and worker process: a caller that finds another
    building the same key (a warmer right after a forecast, or a second planner) waits for its
    value instead of building it too on the same cores, which slowed both. It polls for at most
    ``BUILD_WAIT_SECONDS`` and builds itself when the other has not stored it by then (or gave
    up: a builder that dies leaves its claim for ``BUILD_CLAIM_SECONDS`` at most).
    ``worth_waiting()``, asked only when another is building, False: build at once (a cheap
    build, which a warmer at the lowest CPU priority would finish later than the caller).
    """
    cache = caches[CACHE_ALIAS]
    value = cache.get(key)
    if value is not None:
        return value, False
    claim = f"{key}:building"
    mine = cache.add(claim, 1, BUILD_CLAIM_SECONDS)
    if not mine and (worth_waiting is None or worth_waiting()):
        deadline = time.monotonic() + BUILD_WAIT_SECONDS
        while time.monotonic() < deadline and cache.get(claim) is not None:
            time.sleep(BUILD_POLL_SECONDS)
            value = cache.get(key)
            if value is not None:
                return value, False
    try:
        value = build()
        cache.set(key, value, **({} if timeout is None else {"timeout": timeout}))
    finally:
        if mine:
            cache.delete(claim)
    return value, True


def _padded(packed: bytes) -> bytes:
    """``packed`` with a file name of 0-99 random bytes in its gzip header, as Django's GZip
    middleware pads every answer (``django.utils.text.compress_string``): the length of a
    compressed answer then gives no hint of its content (BREACH)."""
    header = bytearray(packed[:10])
    header[3] = gzip.FNAME
    name = b"a" * secrets.randbelow(GZIP_PADDING_BYTES) + b"\x00"
    return bytes(header) + name + packed[10:]
