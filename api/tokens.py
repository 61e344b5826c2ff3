"""Create, rotate and revoke machine-client tokens (used by the management command and admin)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import Profile
from accounts.roles import Role
from api.models import ApiClient

TOKEN_PREFIX = "siop_"
DEFAULT_DAYS = 365


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def client_create(name: str, days: int = DEFAULT_DAYS) -> tuple[ApiClient, str]:
    """A new ERP client (with its own ERP-role user); returns the client and its secret token."""
    token = _new_token()
    with transaction.atomic():
        user = get_user_model().objects.create(username=f"api-{name}"[:150], is_active=True)
        user.set_unusable_password()
        user.save()
        Profile.objects.create(user=user, role=Role.ERP)
        client = ApiClient.objects.create(
            name=name,
            user=user,
            token_prefix=token[:12],
            token_hash=hash_token(token),
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
    return client, token


def client_rotate(client: ApiClient, days: int = DEFAULT_DAYS) -> str:
    """Replace the client's token (the old one stops working at once) and un-revoke it."""
    token = _new_token()
    client.token_prefix, client.token_hash = token[:12], hash_token(token)
    client.expires_at = timezone.now() + dt.timedelta(days=days)
    client.revoked_at = None
    client.save()
    return token


def client_revoke(client: ApiClient) -> None:
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
