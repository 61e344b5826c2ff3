"""Permission matrix: anonymous, every role (session) and the ERP token x every endpoint x method."""

from __future__ import annotations

import pytest
from django.middleware.csrf import _get_new_csrf_string
from rest_framework.test import APIClient

from accounts.roles import Role, role_may
from api.tables import TABLES
from api.tokens import client_create
from tests.factories import (
    PASSWORD,
    ChannelFactory,
    FamilyFactory,
    ProductFactory,
    SiteFactory,
    user_with_role,
)

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


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("text/csv", b"code,name,kind\nDCX,Extra DC,warehouse\n"),
     ("application/json", b'[{"code": "DCX", "name": "Extra DC", "kind": "warehouse"}]')],
)  # fmt: skip
def test_a_signed_in_browser_session_posting_csv_or_json_with_its_token_is_answered(
    users, content_type, body
) -> None:
    # Given an administrator signed in (the Swagger UI posts with the session and CSRF token)
    browser = APIClient(enforce_csrf_checks=True)
    browser.login(username=users[Role.ADMINISTRATOR].username, password=PASSWORD)
    token = _get_new_csrf_string()
    browser.cookies["csrftoken"] = token
    # When it posts a CSV or JSON body
    response = browser.post(
        "/api/v1/sites/", data=body, content_type=content_type, HTTP_X_CSRFTOKEN=token
    )
    # Then the rows are imported, not answered with a server error
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1


def test_a_family_scoped_planner_posting_another_familys_sku_gets_the_reason(users) -> None:
    beverages, other = FamilyFactory.create(code="BEV"), FamilyFactory.create(code="OTH")
    ProductFactory(sku="BEV-1", family=beverages)
    ProductFactory(sku="OTH-1", family=other)
    SiteFactory(code="DC1")
    ChannelFactory(code="RETAIL")
    user_with_role(Role.DEMAND_PLANNER, "bev.only", families=[beverages])
    api = APIClient()
    api.login(username="bev.only", password=PASSWORD)
    body = b"sku,site,channel,month,quantity,revenue\nOTH-1,DC1,RETAIL,2026-01,1,1\n"
    response = api.post("/api/v1/sales-history/", data=body, content_type="text/csv")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "row": 2,
            "field": "sku",
            "message": "This product's family is outside your planning scope.",
        }
    ]


def test_a_family_scoped_planner_reads_only_their_families_through_the_api(users) -> None:
    beverages, other = FamilyFactory.create(code="BEV"), FamilyFactory.create(code="OTH")
    ProductFactory(sku="BEV-1", family=beverages)
    ProductFactory(sku="OTH-1", family=other)
    user_with_role(Role.SUPPLY_PLANNER, "bev.reader", families=[beverages])
    api = APIClient()
    api.login(username="bev.reader", password=PASSWORD)
    products = api.get("/api/v1/products/").json()["results"]
    families = api.get("/api/v1/families/").json()["results"]
    assert [p["sku"] for p in products] == ["BEV-1"]
    assert [f["code"] for f in families] == ["BEV"]
