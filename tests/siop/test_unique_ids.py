"""Every browser page's element ids are unique (a label, a script and a screen reader find the
one element they name), walked over the no-500 sweep's URL list."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.test import Client

from accounts.roles import Role
from tests.siop.test_no_server_errors import _put_at, _urls, data_set  # noqa: F401  (fixture)


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1


def duplicate_ids(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    return sorted(i for i, n in parser.ids.items() if n > 1)


def test_the_parser_finds_a_duplicate() -> None:
    assert duplicate_ids('<form><input id="id_name"></form><form><input id="id_name"></form>') == [
        "id_name"
    ]


WALKS = [
    ("demand_review", [Role.DEMAND_PLANNER, Role.ADMINISTRATOR]),
    ("reconciliation", [Role.FINANCE, Role.ADMINISTRATOR]),
    ("approved", [Role.ADMINISTRATOR]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "roles"), WALKS, ids=[s for s, _ in WALKS])
def test_no_page_has_duplicate_element_ids(users, data_set, state, roles) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    # Given the cycle at ``state`` and every browser URL of the no-500 sweep
    _put_at(data_set["cycle"], state)
    found: list[str] = []
    pages = 0
    # When each role opens every page
    for role in roles:
        client = Client(raise_request_exception=False)
        client.force_login(users[role])
        for url in _urls(data_set):
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            duplicates = duplicate_ids(response.content.decode())
            if duplicates:
                found.append(f"{url} as {role.value}: {', '.join(duplicates)}")
    # Then no page repeats an element id
    assert pages > 10
    assert not found, "\n".join(found)
