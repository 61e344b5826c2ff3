"""Pages and JSON answers are compressed for clients that accept gzip."""

from __future__ import annotations

import gzip

import pytest

from accounts.roles import Role
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_a_long_page_is_sent_gzipped_and_decompresses_to_the_page(client, users) -> None:  # type: ignore[no-untyped-def]
    # Given 60 products and a signed-in user whose browser accepts gzip
    ProductFactory.create_batch(60)
    client.force_login(users[Role.SALES])
    # When the product list is requested
    response = client.get("/master/products/", HTTP_ACCEPT_ENCODING="gzip, deflate")
    # Then it is compressed and decompresses to the full page
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    page = gzip.decompress(response.content).decode()
    assert "60 rows" in page
    assert len(response.content) < len(page.encode()) / 2


def test_a_client_without_gzip_gets_the_plain_page(client, users) -> None:  # type: ignore[no-untyped-def]
    client.force_login(users[Role.SALES])
    response = client.get("/master/products/")
    assert not response.has_header("Content-Encoding")
