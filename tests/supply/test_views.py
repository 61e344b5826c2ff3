"""Supply review page and endpoints: who may see and do what; bad posts never give a 500."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import cast

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
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


def _extra_orders(run, site, count: int, start: int = 0) -> None:  # type: ignore[no-untyped-def]
    from masterdata.models import Product
    from tests.factories import ProductFactory

    PlannedOrder.objects.bulk_create(
        PlannedOrder(run=run, product=cast(Product, ProductFactory(sku=f"ZZ-{n:03d}")), site=site,
                     source_type="buy", source_code="SUP-1", release_month=dt.date(2026, 11, 1),
                     receipt_month=dt.date(2026, 12, 1), quantity_units=n + 1.0)
        for n in range(start, start + count)
    )  # fmt: skip


def test_the_planned_orders_page_by_keyset_without_repeats_or_gaps(plant, cycle, users) -> None:  # type: ignore[no-untyped-def]
    # Given a plan with its own orders and 70 more
    services.supply_run_now(cycle.pk, users[Role.SUPPLY_PLANNER])
    run = SupplyPlanRun.objects.get(cycle=cycle)
    _extra_orders(run, plant["site"], 70)
    client = _client(users[Role.SUPPLY_PLANNER])
    # When the planner follows "next" to the end and "last" back
    seen: list[str] = []
    url = _url("review", cycle)
    while url:
        page = client.get(url).content.decode()
        seen += re.findall(r'<tr data-order="(\d+)"', page)
        found = re.search(
            r'href="(\?q=&(?:amp;)?page=next&(?:amp;)?cursor=[^"#]+)#plan-grid"', page
        )
        url = _url("review", cycle) + html.unescape(found.group(1)) if found else ""
    # Then every order shows exactly once, 50 to a page, in SKU order
    assert len(seen) == len(set(seen)) == PlannedOrder.objects.filter(run=run).count()
    last = client.get(_url("review", cycle), {"page": "last"}).content.decode()
    assert re.findall(r'<tr data-order="(\d+)"', last)[-1] == seen[-1]


def test_the_review_page_reads_as_often_with_more_orders(plant, cycle, users) -> None:  # type: ignore[no-untyped-def]
    services.supply_run_now(cycle.pk, users[Role.SUPPLY_PLANNER])
    run = SupplyPlanRun.objects.get(cycle=cycle)
    client = _client(users[Role.SUPPLY_PLANNER])

    def queries() -> int:
        client.get(_url("review", cycle))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url("review", cycle)).status_code == 200
        return len(captured)

    _extra_orders(run, plant["site"], 5)
    few = queries()
    _extra_orders(run, plant["site"], 120, start=5)
    assert queries() == few
