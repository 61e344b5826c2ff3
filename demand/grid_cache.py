"""Cached, conditional answers of the demand grid's JSON (one family, one part or page).

An answer is keyed by everything it is computed from: the cycle (id, month, horizon, state),
whether the user may edit it, the family set the user sees (company rows), the request's part
or page, and the data versions of every table the grid reads (``datainputs.versions``: the
demand plan - forecasts, the current-forecast pointer, overrides, events -, sales history, open
orders, products and families). The database bumps a version on every write by any writer,
so any change of a plan number (a save, a forecast run, an event, a carry-over, an import)
gives a new key: a cached answer is never served after it changed. The key doubles as the
ETag, so a browser revalidating with ``If-None-Match`` gets a 304 without any grid work.

The versions are read before the grid, so an answer stored under a key is never older than
the data that key names. Answers are the gzip-compressed JSON bytes, kept in the ``versioned``
cache (per process, bounded; ``settings.CACHES``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import secrets
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_vary_headers

from accounts.selectors import user_family_ids
from cycles.models import PlanningCycle
from datainputs import versions as data_version
from demand.grid import may_edit

GRID_SOURCES = ("demand_plan", "sales_history", "open_orders", "products", "families")
CACHE_ALIAS = "versioned"
GZIP_PADDING_BYTES = 100  # GZipMiddleware.max_random_bytes
# In every key: a shared (Redis) cache may still hold answers stored by an older release in
# another format (plain JSON bytes) under what would otherwise be the same key.
ANSWER_FORMAT = "gzip-1"


def grid_etag(cycle: PlanningCycle, user: Any, part: str) -> str:
    """A strong ETag naming the grid answer ``part`` (the request's family and page) for this
    user's edit right and family scope, at the current data versions."""
    current = data_version.current()
    scope = sorted(user_family_ids(user) or [])
    key = [
        ANSWER_FORMAT, cycle.pk, str(cycle.month), cycle.horizon_months, cycle.state,
        may_edit(cycle, user), scope, part, [current.get(name, 0) for name in GRID_SOURCES],
    ]  # fmt: skip
    return '"' + hashlib.sha256(json.dumps(key, default=str).encode()).hexdigest()[:32] + '"'


def _matches(request: HttpRequest, etag: str) -> bool:
    """``If-None-Match`` names ``etag`` (weak or strong: GZip makes the sent ETag weak)."""
    header = request.headers.get("If-None-Match", "")
    sent = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in sent or "*" in sent


def grid_response(
    request: HttpRequest, cycle: PlanningCycle, part: str, build: Callable[[], dict[str, Any]]
) -> HttpResponse:
    """304 when the client holds this answer, else the cached JSON, else ``build()`` stored.

    The cache holds the answer gzip-compressed once (a page of 200 products: 590 kB of JSON,
    39 kB compressed), so a cached answer costs no JSON encoding and no compression: a client
    accepting gzip gets those bytes (GZip middleware leaves an encoded answer alone), any other
    the decompressed JSON.
    """
    etag = grid_etag(cycle, request.user, part)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if _matches(request, etag):
        return HttpResponseNotModified(headers=headers)
    cache = caches[CACHE_ALIAS]
    packed = cache.get(etag)
    if packed is None:
        body = json.dumps(build(), cls=DjangoJSONEncoder, separators=(",", ":")).encode()
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        cache.set(etag, packed)
    if not re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(gzip.decompress(packed), content_type="application/json")
    else:  # as GZipMiddleware answers: a weak ETag, the random-length name against BREACH
        headers |= {"ETag": "W/" + etag, "Content-Encoding": "gzip"}
        response = HttpResponse(_padded(packed), content_type="application/json")
    for name, value in headers.items():
        response.headers[name] = value
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _padded(packed: bytes) -> bytes:
    """``packed`` with a file name of 0-99 random bytes in its gzip header, as Django's GZip
    middleware pads every answer (``django.utils.text.compress_string``): the length of a
    compressed answer then gives no hint of its content (BREACH)."""
    header = bytearray(packed[:10])
    header[3] = gzip.FNAME
    name = b"a" * secrets.randbelow(GZIP_PADDING_BYTES) + b"\x00"
    return bytes(header) + name + packed[10:]
