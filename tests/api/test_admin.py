"""ERP clients can be created (token shown once), rotated and revoked in the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages

from api.models import ApiClient
from api.tokens import hash_token

pytestmark = pytest.mark.django_db


def test_admin_creates_a_client_and_shows_its_token_once(client) -> None:
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    response = client.post("/admin/api/apiclient/add/", {"name": "sap-prod", "days": 90})
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    token = next(m for m in shown if "shown only now" in m).rsplit(" ", 1)[-1]
    created = ApiClient.objects.get(name="sap-prod")
    assert created.token_hash == hash_token(token) and created.is_active
    client.post(
        "/admin/api/apiclient/",
        {"action": "revoke_tokens", "_selected_action": [created.pk]},
    )
    created.refresh_from_db()
    assert created.revoked_at is not None
