"""Stored hostile text (family, product, site, audit comment) is escaped on every HTML page."""

from __future__ import annotations

import pytest

from accounts.models import Profile
from accounts.roles import Role
from masterdata.models import Product, ProductFamily, Site
from tests.accounts.test_read_scope import _reads, world  # noqa: F401  (the shared fixture)

pytestmark = pytest.mark.django_db
HOSTILE = '<img src=x onerror="alert(1)">'


def test_given_hostile_names_when_every_page_is_read_then_no_page_carries_live_markup(
    client,
    users,
    world,  # noqa: F811
) -> None:
    ProductFamily.objects.update(name=HOSTILE)
    Product.objects.update(name=HOSTILE)
    Site.objects.update(name=HOSTILE)
    Profile.objects.get(user=users[Role.ADMINISTRATOR]).families.clear()
    client.force_login(users[Role.ADMINISTRATOR])
    pages = 0
    for url in _reads(world):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code < 500, url
        if response.get("Content-Type", "").startswith("text/html"):
            pages += 1
            assert HOSTILE not in response.content.decode(), url
            assert "script-src 'self'" in response["Content-Security-Policy"], url
    assert pages >= 25
