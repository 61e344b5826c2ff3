"""Supply review page and endpoints: who may see and do what; bad posts never give a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from cycles.models import AuditEntry
from supply import services
from supply.models import FirmOrder, PlannedOrder, ResourceOvertime, SupplyPlanRun
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _url(name: str, cycle, **kwargs: int) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"supply:{name}", kwargs={"pk": cycle.pk, **kwargs})


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ERP])
def test_given_any_planning_role_then_the_review_page_shows_the_plan(
    plant, cycle, users, role
) -> None:  # type: ignore[no-untyped-def]
    services.supply_run_now(cycle.pk, users[Role.SUPPLY_PLANNER])
    response = _client(users[role]).get(_url("review", cycle))
    assert response.status_code == 200
    page = response.content.decode()
    assert "LINE-1" in page and "units short" in page
    assert ('id="run-plan"' in page) == (role == Role.SUPPLY_PLANNER)
    assert ("firm-button" in page) == (role == Role.SUPPLY_PLANNER)


def test_given_the_erp_client_then_the_page_is_forbidden(plant, cycle, users) -> None:  # type: ignore[no-untyped-def]
    assert _client(users[Role.ERP]).get(_url("review", cycle)).status_code == 403


@pytest.mark.parametrize("name", ["plan", "firm", "overtime", "sign_off"])
def test_given_a_reader_then_every_write_endpoint_is_forbidden(plant, cycle, users, name) -> None:  # type: ignore[no-untyped-def]
    response = _client(users[Role.FINANCE]).post(_url(name, cycle), {})
    assert response.status_code == 403
    assert not SupplyPlanRun.objects.exists() and not ResourceOvertime.objects.exists()


def test_given_the_planner_then_posting_plan_queues_a_run(plant, cycle, users) -> None:  # type: ignore[no-untyped-def]
    response = _client(users[Role.SUPPLY_PLANNER]).post(_url("plan", cycle))
    assert response.status_code == 302
    assert SupplyPlanRun.objects.filter(cycle=cycle).count() == 1


def test_given_invalid_numbers_then_the_planner_gets_a_message_not_an_error(
    plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    client = _client(users[Role.SUPPLY_PLANNER])
    data = {"resource": plant["line"].pk, "extra_hours_per_month": "-5", "reason": "x"}
    response = client.post(_url("overtime", cycle), data, follow=True)
    assert response.status_code == 200
    assert "Not saved" in response.content.decode()
    response = client.post(_url("firm", cycle), {"planned_order": "abc", "quantity_units": "x"},
                           follow=True)  # fmt: skip
    assert response.status_code == 200 and "Not saved" in response.content.decode()
    assert not ResourceOvertime.objects.exists() and not FirmOrder.objects.exists()


def test_given_the_planner_then_firming_from_the_grid_is_audited(plant, cycle, users) -> None:  # type: ignore[no-untyped-def]
    run = services.supply_run_now(cycle.pk, users[Role.SUPPLY_PLANNER])
    order = PlannedOrder.objects.filter(run=run, product=plant["made"]).earliest("release_month")
    client = _client(users[Role.SUPPLY_PLANNER])
    data = {"planned_order": order.pk, "quantity_units": "90", "version": "0"}
    response = client.post(_url("firm", cycle), data, follow=True)
    assert "Order firmed" in response.content.decode()
    assert FirmOrder.objects.get().quantity_units == 90
    entry = AuditEntry.objects.get(table="supply_firm_order")
    assert entry.user == users[Role.SUPPLY_PLANNER] and entry.source == "grid"


def test_given_a_finished_run_then_polling_asks_the_page_to_refresh(plant, cycle, users) -> None:  # type: ignore[no-untyped-def]
    run = services.supply_run_now(cycle.pk, users[Role.SUPPLY_PLANNER])
    url = reverse("supply:run_progress", kwargs={"run_pk": run.pk})
    response = _client(users[Role.SALES]).get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
