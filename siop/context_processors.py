"""Values every page needs from settings."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from siop.numbers import number_locale, separators


def number_format(request: HttpRequest) -> dict[str, Any]:
    """The people-facing number notation (``NUMBER_LOCALE``) for scripts that read pastes."""
    symbols = separators()
    return {
        "number_locale": number_locale().replace("_", "-"),
        "number_group": symbols["group"],
        "number_decimal": symbols["decimal"],
    }
