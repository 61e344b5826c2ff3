"""Approved-plan documents rendered once and served as stored gzip bytes.

Building the JSON of a 10,000-SKU plan (250,000 rows) takes tens of seconds and ~120 MB; the
approved plan is immutable, so the document is rendered once per format and cycle state
(``PlanRendition``) -- by ``render_after_approval`` when the approval commits, else by the first
request -- and each later call sends the stored gzip bytes (a client that does not accept gzip
gets them decompressed). Family-scoped users and open cycles are built per request,
as before (``api.exports``): their documents differ per user or change with every re-plan.
"""

from __future__ import annotations

import gzip
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from api import exports
from api.models import PlanRendition
from cycles.models import PlanningCycle
from cycles.plan_build import register_freeze

logger = logging.getLogger(__name__)
FORMATS = ("json", "csv")
CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def document_bytes(cycle: PlanningCycle, source: exports.PlanSource, fmt: str) -> bytes:
    """The whole (unscoped) plan document in ``fmt`` (``json`` or ``csv``), as the API sends it."""
    plan = exports.plan_document(cycle, source)
    return exports.plan_csv(plan).encode() if fmt == "csv" else exports.plan_json_bytes(plan)


def rendition(cycle: PlanningCycle, source: exports.PlanSource, fmt: str) -> PlanRendition:
    """The stored rendition of an approved plan, rendered now when missing (idempotent: a
    concurrent render of the same key keeps the first one stored)."""
    key = {"sha256": source.sha256, "fmt": fmt, "state": cycle.state}
    found = PlanRendition.objects.filter(**key).first()
    if found is not None:
        return found
    content = document_bytes(cycle, source, fmt)
    body = gzip.compress(content, compresslevel=6, mtime=0)
    try:
        with transaction.atomic():
            return PlanRendition.objects.create(**key, gzip_body=body, raw_bytes=len(content))
    except IntegrityError:
        return PlanRendition.objects.get(**key)


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


def render_all(cycle_id: int) -> int:
    """Render every format of the cycle's approved plan (the approval's task); returns how many
    renditions exist for it afterwards (0 when the cycle has no approved plan)."""
    cycle = PlanningCycle.objects.filter(pk=cycle_id).first()
    source = exports.plan_source(cycle) if cycle is not None else None
    if cycle is None or source is None or source.approved is None:
        return 0
    return len([rendition(cycle, source, fmt) for fmt in FORMATS])


@register_freeze("executive_review")
def render_after_approval(cycle: PlanningCycle, user: Any) -> None:
    """Once the approval commits, render its documents in the background so the ERP's first
    call is served from storage (a broker outage only logs: the first call renders instead)."""
    from api.tasks import render_plan

    cycle_id = cycle.pk
    transaction.on_commit(lambda: render_plan.delay(cycle_id), robust=True)
