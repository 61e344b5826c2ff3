"""The site icon: vendored in static/, linked from every page, and /favicon.ico is not a 404."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders


def test_every_page_links_the_vendored_icon_and_favicon_ico_finds_it(client) -> None:  # type: ignore[no-untyped-def]
    # Given the sign-in page (the base template, no login needed)
    page = client.get("/login/").content.decode()
    # Then it links an icon that exists in the static files
    link = re.search(r'<link rel="icon"[^>]*href="([^"]+)"', page)
    assert link is not None and link.group(1).endswith("favicon.svg")
    assert finders.find("favicon.svg") is not None
    # And a browser asking for /favicon.ico is sent to it, not answered 404
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == link.group(1)
