"""Approved-plan documents rendered once and served as stored gzip bytes.

The approved plan is immutable, so its document is rendered once per format and cycle state
(``PlanRendition``) -- by ``render_after_approval``'s task when the approval commits, else by the
first request -- and each later call sends the stored gzip bytes (a client that does not accept
gzip gets them decompressed). The text is built column-wise (``api.plan_text``, ~250,000 rows in
seconds) and compressed as it is produced. Family-scoped users and open cycles are built per
request, as before (``api.exports``): their documents differ per user or change with every
re-plan.

One render per document: the renderer first stores a ``rendering`` marker (the unique key makes
it a lock). A request that finds a fresh marker waits up to ``WAIT_SECONDS`` for the document,
then answers 202 with ``Retry-After`` (``preparing_response``); a marker older than
``STALE_AFTER`` (its renderer died) is taken over; a failed render removes its marker.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import logging
import time
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from api import exports, plan_text
from api.models import PlanRendition
from cycles.models import PlanningCycle
from cycles.plan_build import register_freeze

logger = logging.getLogger(__name__)
FORMATS = ("json", "csv")
CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}
STALE_AFTER = dt.timedelta(minutes=2)  # a render at 10,000 SKUs takes seconds
WAIT_SECONDS = 1.5  # a request waits this long for a render in progress before answering 202
POLL_SECONDS = 0.25
RETRY_AFTER_SECONDS = 5
# Level 1: a third of level 6's time for ~20% more bytes (12 MB JSON: 0.28 s vs 0.83 s, measured)
COMPRESS_LEVEL = 1
Status = PlanRendition.Status


def reference_document_bytes(cycle: PlanningCycle, source: exports.PlanSource, fmt: str) -> bytes:
    """The whole plan document built a dict per row (``api.exports``): the reference that
    ``document_bytes`` matches byte for byte (tests, ``benchmarks/plan_export.py``)."""
    plan = exports.plan_document(cycle, source)
    return exports.plan_csv(plan).encode() if fmt == "csv" else exports.plan_json_bytes(plan)


def document_bytes(cycle: PlanningCycle, source: exports.PlanSource, fmt: str) -> bytes:
    """The whole (unscoped) plan document in ``fmt`` (``json`` or ``csv``), as the API sends it."""
    return "".join(plan_text.document_chunks(cycle, source, fmt)).encode()


def compressed_document(cycle: PlanningCycle, source: exports.PlanSource, fmt: str
                        ) -> tuple[bytes, int]:  # fmt: skip
    """``(gzip bytes, raw size in bytes)`` of the document, compressed chunk by chunk."""
    buffer, size = io.BytesIO(), 0
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=COMPRESS_LEVEL, mtime=0) as out:
        for chunk in plan_text.document_chunks(cycle, source, fmt):
            data = chunk.encode()
            size += len(data)
            out.write(data)
    return buffer.getvalue(), size


def rendition(cycle: PlanningCycle, source: exports.PlanSource, fmt: str,
              wait: float | None = None) -> PlanRendition | None:  # fmt: skip
    """The stored rendition of an approved plan, rendered now when missing; None when another
    renderer is on it and has not finished within ``wait`` seconds (default ``WAIT_SECONDS``;
    idempotent: one render per key, see the module docstring)."""
    key = {"sha256": source.sha256, "fmt": fmt, "state": cycle.state}
    deadline = time.monotonic() + (WAIT_SECONDS if wait is None else wait)
    while True:
        found = PlanRendition.objects.filter(**key).first()
        if found is not None and found.status == Status.READY:
            return found
        claimed = _claim(key, found)
        if claimed is not None:
            return _render(cycle, source, fmt, claimed)
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL_SECONDS)


def _claim(key: dict[str, str], found: PlanRendition | None) -> PlanRendition | None:
    """The marker this caller now holds: a new one, or a stale one taken over (the conditional
    UPDATE lets one of several callers win); None while someone else renders."""
    now = timezone.now()
    if found is None:
        try:
            with transaction.atomic():
                return PlanRendition.objects.create(**key, status=Status.RENDERING, started_at=now)
        except IntegrityError:
            return None
    if found.started_at is not None and found.started_at > now - STALE_AFTER:
        return None
    taken = PlanRendition.objects.filter(
        pk=found.pk, status=Status.RENDERING, started_at=found.started_at
    ).update(started_at=now)
    if not taken:
        return None
    logger.warning("Plan rendition %s/%s: stale marker taken over", key["sha256"][:12], key["fmt"])
    found.started_at = now
    return found


def _render(cycle: PlanningCycle, source: exports.PlanSource, fmt: str, marker: PlanRendition
            ) -> PlanRendition:  # fmt: skip
    """Render into the held ``marker`` and store it ready; a failure removes the marker so the
    next call renders again at once."""
    mine = PlanRendition.objects.filter(
        pk=marker.pk, status=Status.RENDERING, started_at=marker.started_at
    )
    try:
        body, size = compressed_document(cycle, source, fmt)
    except BaseException:
        mine.delete()
        raise
    mine.update(status=Status.READY, gzip_body=body, raw_bytes=size)
    marker.status, marker.gzip_body, marker.raw_bytes = Status.READY, body, size
    return marker


def rendition_response(stored: PlanRendition, request: HttpRequest, fmt: str) -> HttpResponse:
    """The stored bytes: as stored (gzip) when the client accepts it, else decompressed."""
    body = bytes(stored.gzip_body)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(body), content_type=CONTENT_TYPES[fmt])
    response["Vary"] = "Accept-Encoding"
    return response


def preparing_response(month: str, fmt: str) -> JsonResponse:
    """202 while the document is being rendered elsewhere: retry after ``Retry-After`` s."""
    response = JsonResponse(
        {
            "detail": f"The {month} plan document ({fmt}) is being prepared; "
            f"retry in {RETRY_AFTER_SECONDS} seconds.",
            "status": "rendering",
            "retry_after_seconds": RETRY_AFTER_SECONDS,
        },
        status=202,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def render_all(cycle_id: int) -> int:
    """Render every format of the cycle's approved plan (the approval's task; idempotent: a
    stored or in-progress rendition is left alone); returns how many renditions are stored
    for it afterwards (0 when the cycle has no approved plan)."""
    cycle = PlanningCycle.objects.filter(pk=cycle_id).first()
    source = exports.plan_source(cycle) if cycle is not None else None
    if cycle is None or source is None or source.approved is None:
        return 0
    return sum(rendition(cycle, source, fmt, wait=0) is not None for fmt in FORMATS)


@register_freeze("executive_review")
def render_after_approval(cycle: PlanningCycle, user: Any) -> None:
    """Once the approval commits, render its documents in the background so the ERP's first
    call is served from storage (a broker outage only logs: the first call renders instead)."""
    from api.tasks import render_plan

    cycle_id = cycle.pk
    transaction.on_commit(lambda: render_plan.delay(cycle_id), robust=True)
