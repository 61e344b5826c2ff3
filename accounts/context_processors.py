"""Expose the signed-in user's role to templates (navigation shows only what the role may use)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.roles import Role
from accounts.selectors import user_role


def role(request: HttpRequest) -> dict[str, Any]:
    value = user_role(getattr(request, "user", None))
    return {"siop_role": value, "siop_role_label": Role(value).label if value else ""}
