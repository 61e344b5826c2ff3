"""Error pages that tell the user what was wrong with the request.

Django's default 400 page drops the reason; planners and scripts calling the JSON endpoints need
it (for example "family must be a product family id"), so the reason is rendered as HTML for
pages and as ``{"error": ...}`` for callers that ask for JSON.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception else "The request could not be understood."
    wants_json = "json" in request.headers.get("Accept", "") or request.path.endswith(".json")
    if wants_json:
        return JsonResponse({"error": reason}, status=400)
    return render(request, "400.html", {"reason": reason}, status=400)
