"""Error pages that tell the user what was wrong with the request.

Django's default 400 page drops the reason; planners and scripts calling the JSON endpoints need
it (for example "family must be a product family id"), so the reason is rendered as HTML for
pages and as ``{"error": ...}`` for callers that ask for JSON. The 403 page says why and always
offers a way out (sign out), so a user on the wrong account is never stuck.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def _wants_json(request: HttpRequest) -> bool:
    return "json" in request.headers.get("Accept", "") or request.path.endswith(".json")


def _answer(request: HttpRequest, template: str, reason: str, status: int) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": reason}, status=status)
    return render(request, template, {"reason": reason}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception else "The request could not be understood."
    return _answer(request, "400.html", reason, 400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception and str(exception) else "You may not open this page."
    return _answer(request, "403.html", reason, 403)


def payload_too_large(request: HttpRequest, length: int, limit: int) -> HttpResponse:
    reason = (
        f"The upload has {length:,} bytes; the limit is {limit:,} "
        "(DATA_UPLOAD_MAX_MEMORY_SIZE). Split the file or remove unused sheets and columns."
    )
    return _answer(request, "413.html", reason, 413)
