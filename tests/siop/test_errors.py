"""A bad request tells the user what was wrong, on pages and on JSON endpoints."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from tests.factories import PASSWORD


@pytest.mark.django_db
def test_bad_family_on_a_page_shows_the_reason(client, users, cycle, settings) -> None:
    settings.DEBUG = False
    client.login(username=users[Role.DEMAND_PLANNER].username, password=PASSWORD)
    response = client.get(f"/demand/cycles/{cycle.pk}/?family=zz")
    assert response.status_code == 400
    assert b"family must be a product family id" in response.content


@pytest.mark.django_db
def test_bad_family_on_a_json_endpoint_answers_json(client, users, cycle, settings) -> None:
    settings.DEBUG = False
    client.login(username=users[Role.DEMAND_PLANNER].username, password=PASSWORD)
    response = client.get(f"/demand/cycles/{cycle.pk}/grid.json?family=zz")
    assert response.status_code == 400
    assert "family must be a product family id" in response.json()["error"]
