"""Who is calling: bearer tokens for ERP clients, sessions (with CSRF) for browser users;
what they may do (the role matrix in ``accounts.roles``); and a log line for every refusal.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from accounts.selectors import user_may
from api.models import ApiClient
from api.tokens import hash_token

security_log = logging.getLogger("api.security")


def log_refusal(request: Any, status: int, reason: str) -> None:
    user = getattr(request, "user", None)
    who = getattr(user, "username", "") or "anonymous"
    client = request.META.get("REMOTE_ADDR", "")
    security_log.warning(
        "API refused %s %s status=%s user=%s ip=%s reason=%s",
        request.method,
        request.path,
        status,
        who,
        client,
        reason,
    )


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer siop_...``; the token is looked up by its SHA-256."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiClient] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() != "bearer":
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        token = header[1].decode(errors="replace")
        client = (
            ApiClient.objects.select_related("user", "user__siop_profile")
            .filter(token_hash=hash_token(token))
            .first()
        )
        if client is None:
            raise exceptions.AuthenticationFailed("Unknown token.")
        if client.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token was revoked.")
        if client.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("This token has expired.")
        if not client.user.is_active:
            raise exceptions.AuthenticationFailed("This client is disabled.")
        now = timezone.now()
        if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return client.user, client

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class RoleAction(permissions.BasePermission):
    """The view names the action per request (``required_action``); the role matrix decides."""

    message = "Your role may not do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        action = view.required_action(request)
        return bool(action) and user_may(request.user, action)
