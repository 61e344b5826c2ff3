"""Where each role lands after signing in (its working page), the cycle overview by default.

Stage apps register their role's landing page from ``AppConfig.ready`` (for example the
executive review registers the decision dashboard for executives), so accounts imports no stage.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.roles import Role
from accounts.selectors import user_role

DEFAULT_LANDING = "cycles:current"
_LANDING: dict[str, str] = {}


def register_landing(role: Role, url_name: str) -> None:
    """Send ``role`` to the page named ``url_name`` after sign-in."""
    _LANDING[role.value] = url_name


def landing_url_name(user: object) -> str:
    return _LANDING.get(user_role(user) or "", DEFAULT_LANDING)


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    return redirect(landing_url_name(request.user))
