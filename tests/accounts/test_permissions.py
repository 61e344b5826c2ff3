"""Permission matrix: each role x each page/action, and product-family scoping."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import DATA_INPUT_WRITERS, Role
from cycles.models import PlanningCycle
from tests.factories import PASSWORD, FamilyFactory, ProductFactory, user_with_role

pytestmark = pytest.mark.django_db

READ_PAGES = [
    "cycles:list",
    "cycles:audit",
    "masterdata:products",
    "masterdata:families",
    "masterdata:sites",
    "masterdata:channels",
    "masterdata:suppliers",
    "masterdata:resources",
    "masterdata:resource_loads",
    "masterdata:resource_capacities",
    "masterdata:supply_terms",
    "datainputs:home",
    "datainputs:sales_history",
    "datainputs:open_orders",
    "datainputs:inventory_on_hand",
    "datainputs:open_receipts",
    "datainputs:batches",
]


def login(client, user) -> None:  # type: ignore[no-untyped-def]
    assert client.login(username=user.username, password=PASSWORD)


@pytest.mark.parametrize("page", READ_PAGES)
def test_anonymous_is_sent_to_sign_in(client, page) -> None:
    response = client.get(reverse(page))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("page", READ_PAGES)
def test_every_human_role_reads_planning_pages_but_erp_clients_do_not(
    client, users, role, page
) -> None:
    login(client, users[role])
    response = client.get(reverse(page))
    assert response.status_code == (403 if role == Role.ERP else 200)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("data_input", list(DATA_INPUT_WRITERS))
def test_upload_page_only_for_roles_that_own_the_input(client, users, role, data_input) -> None:
    login(client, users[role])
    response = client.get(reverse("datainputs:upload", args=[data_input]))
    allowed = role in DATA_INPUT_WRITERS[data_input] and role != Role.ERP
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_only_administrators_open_cycles(client, users, role) -> None:
    login(client, users[role])
    response = client.post(reverse("cycles:open"), {"month": "2027-01", "horizon_months": 18})
    if role == Role.ADMINISTRATOR:
        assert response.status_code == 302
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(
    "role", [r for r in Role if r not in {Role.ADMINISTRATOR, Role.ERP}], ids=lambda r: r.value
)
def test_sign_off_by_a_non_owner_over_http_changes_nothing(
    client, users, cycle, loaded_inputs, role
) -> None:
    login(client, users[role])
    url = reverse("cycles:transition", args=[cycle.pk, "sign_off"])
    response = client.post(url, {"stage_key": "data_inputs"}, follow=True)
    assert response.status_code == 200
    assert "Only the administrator may sign off" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.state == "data_inputs"


def test_sign_off_button_shown_only_to_the_owner(client, users, cycle) -> None:
    login(client, users[Role.DEMAND_PLANNER])
    page = client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    assert "Sign off Data inputs" not in page
    client.logout()
    login(client, users[Role.ADMINISTRATOR])
    page = client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    assert "Sign off Data inputs" in page


def test_family_scoped_planner_sees_only_their_families(client) -> None:
    beverages, snacks = FamilyFactory.create(code="BEV"), FamilyFactory.create(code="SNK")
    ProductFactory(sku="BEV-1", family=beverages)
    ProductFactory(sku="SNK-1", family=snacks)
    planner = user_with_role(Role.DEMAND_PLANNER, "bev.planner", families=[beverages])
    login(client, planner)
    page = client.get(reverse("masterdata:products")).content.decode()
    assert "BEV-1" in page and "SNK-1" not in page
    families = client.get(reverse("masterdata:families")).content.decode()
    assert "BEV" in families and "SNK" not in families


def test_unknown_transition_or_garbage_post_is_a_clear_message_not_a_500(
    client, users, cycle
) -> None:
    login(client, users[Role.ADMINISTRATOR])
    response = client.post(
        reverse("cycles:transition", args=[cycle.pk, "explode"]), {}, follow=True
    )
    assert response.status_code == 200 and "incomplete" in response.content.decode()
    response = client.post(
        reverse("cycles:transition", args=[999999, "sign_off"]), {"stage_key": "x"}, follow=True
    )
    assert response.status_code in {200, 404}


@pytest.mark.parametrize("stage_key", ["approved", "closed", "no-such-stage"])
def test_a_sign_off_of_a_state_that_is_not_a_stage_is_a_message_not_a_500(
    client, users, cycle, stage_key
) -> None:
    # Given an approved cycle (the state "approved" equals the posted stage key)
    PlanningCycle.objects.filter(pk=cycle.pk).update(state=stage_key)
    login(client, users[Role.ADMINISTRATOR])
    url = reverse("cycles:transition", args=[cycle.pk, "sign_off"])
    response = client.post(url, {"stage_key": stage_key}, follow=True)
    assert response.status_code == 200
    assert "is not a stage that can be signed off" in response.content.decode()


def test_the_erp_account_in_a_browser_gets_a_page_with_a_way_to_sign_out(client, users) -> None:
    login(client, users[Role.ERP])
    response = client.get(reverse("cycles:current"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Sign out" in page and reverse("logout") in page
    assert "ERP integration" in page and reverse("api:docs") in page
    client.post(reverse("logout"))
    assert client.get(reverse("cycles:current")).status_code == 302  # signed out: to sign-in
