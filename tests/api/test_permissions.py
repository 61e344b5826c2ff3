"""Permission matrix: anonymous, every role (session) and the ERP token x every endpoint x method."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role, role_may
from api.tables import TABLES
from api.tokens import client_create
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

READS = [(f"/api/v1/{t.url_name}/", "api_read_tables") for t in TABLES.values()] + [
    ("/api/v1/cycles/", "api_read_cycles"),
    ("/api/v1/cycles/2026-11/", "api_read_cycles"),
    ("/api/v1/plans/", "api_read_approved_plan"),
    ("/api/v1/cycles/2026-11/plan/", "api_read_approved_plan"),
]
WRITES = [(f"/api/v1/{t.url_name}/", f"upload_{t.name}") for t in TABLES.values()]
ACTORS = ["anonymous", "erp_token", *[r.value for r in Role]]


def _client(actor: str, users) -> APIClient:  # type: ignore[no-untyped-def]
    api = APIClient()
    if actor == "erp_token":
        _c, token = client_create("matrix")
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    elif actor != "anonymous":
        api.login(username=users[Role(actor)].username, password=PASSWORD)
    return api


def _role(actor: str) -> str | None:
    return {"anonymous": None, "erp_token": Role.ERP.value}.get(actor, actor)


@pytest.mark.parametrize("actor", ACTORS)
def test_every_endpoint_and_method_answers_by_the_role_matrix(actor, users, cycle) -> None:
    api = _client(actor, users)
    role = _role(actor)
    for url, action in READS:
        status = api.get(url).status_code
        if role is None:
            assert status == 401, url
        elif role_may(role, action):
            assert status == (404 if url.endswith("/plan/") else 200), (url, status)
        else:
            assert status == 403, (url, status)
    for url, action in WRITES:
        status = api.post(url, [], format="json").status_code
        expected = 401 if role is None else (200 if role_may(role, action) else 403)
        assert status == expected, (url, status)
    for url, _action in READS[-4:]:
        assert api.post(url, [], format="json").status_code in {401, 403, 405}, url
    assert api.delete(READS[0][0]).status_code in {401, 403, 405}


def test_erp_token_scope_is_data_in_and_approved_plans_out(users, cycle) -> None:
    api = _client("erp_token", users)
    assert api.get("/api/v1/cycles/").status_code == 403
    assert api.post("/api/v1/sales-history/", [], format="json").status_code == 200
    assert api.get("/api/v1/cycles/2026-11/plan/").status_code == 404  # no plan yet


def test_browser_session_writes_need_the_csrf_token(users) -> None:
    browser = APIClient(enforce_csrf_checks=True)
    browser.login(username=users[Role.ADMINISTRATOR].username, password=PASSWORD)
    response = browser.post("/api/v1/sites/", [], format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
