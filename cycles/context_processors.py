"""The cycle switcher of the top bar: the most recent cycles, lazily read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cycles.models import PlanningCycle

SWITCHER_CYCLES = 12


def recent_cycles(request: HttpRequest) -> dict[str, Any]:
    """``switcher_cycles``: the newest cycles, read only if a page renders the switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "switcher_cycles": SimpleLazyObject(
            lambda: list(PlanningCycle.objects.only("pk", "month", "state")[:SWITCHER_CYCLES])
        )
    }
