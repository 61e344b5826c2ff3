"""Refuse oversized request bodies before anything reads them.

Django parses a multipart upload as soon as anything touches ``request.POST`` (the CSRF check
does, before any view runs), so the browser upload door must refuse by ``Content-Length`` here,
first in the chain, exactly as the API door does with ``API_MAX_BODY_BYTES``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from siop.errors import payload_too_large


class BodySizeLimitMiddleware:
    """413 for a page request whose declared body exceeds ``DATA_UPLOAD_MAX_MEMORY_SIZE``.

    API paths are left to the API's own limit (``API_MAX_BODY_BYTES``, answered in JSON).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit and not request.path.startswith("/api/"):
            return payload_too_large(request, length, limit)
        return self.get_response(request)
