"""The supply review's shortages ("gaps"): a page of the costliest at a time, the others one
click away (htmx, or a plain link without JavaScript), each page the same for everyone who may
see it, and never another run's or another family scope's."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from masterdata.models import ProductFamily
from supply import services
from supply.gaps import GAPS_PER_PAGE
from supply.models import ResourceOvertime
from tests.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _months(page: str) -> list[str]:
    return re.findall(r'<div class="gap" data-product="MADE-1" data-month="([\d-]+)"', page)


def test_given_18_gaps_then_the_review_shows_the_costliest_10_and_the_next_page_the_rest(
    plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    # Given a plan where MADE-1 is short in each of the 18 months
    services.supply_run_now(cycle.pk, users[Role.SUPPLY_PLANNER])
    client = _client(users[Role.FINANCE])
    # When a reader opens the review
    page = client.get(reverse("supply:review", args=[cycle.pk])).content.decode()
    # Then the first page of gaps shows, with how many there are and a link to the next page
    first = _months(page)
    assert len(first) == GAPS_PER_PAGE == 10
    assert "Shortages 1 to 10 of 18, costliest first." in page
    assert 'id="gaps-next" href="?gaps=10#gaps"' in page and "gaps-previous" not in page
    # When they click "next" (htmx asks for the partial)
    url = reverse("supply:gaps", args=[cycle.pk]) + "?offset=10"
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    # Then the other 8 show, the previous page one click back, and none twice
    second = _months(partial)
    assert len(second) == 8 and "Shortages 11 to 18 of 18" in partial
    assert 'id="gaps-previous"' in partial and "gaps-next" not in partial
    assert sorted(first + second) == sorted(set(first + second)) and len(set(first + second)) == 18
    # And without JavaScript the link's own page shows the same second page
    plain = client.get(reverse("supply:review", args=[cycle.pk]), {"gaps": "10"}).content.decode()
    assert _months(plain) == second


def test_given_a_replan_then_the_review_shows_the_new_plans_gaps_not_the_stored_page(
    plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    planner = users[Role.SUPPLY_PLANNER]
    services.supply_run_now(cycle.pk, planner)
    client = _client(planner)
    assert len(_months(client.get(reverse("supply:review", args=[cycle.pk])).content.decode()))
    # When overtime closes the gap and the planner re-plans
    ResourceOvertime.objects.create(cycle=cycle, resource=plant["line"], extra_hours_per_month=50)
    services.supply_run_now(cycle.pk, planner)
    # Then the review (and its gaps partial) say there is no shortage
    page = client.get(reverse("supply:review", args=[cycle.pk])).content.decode()
    assert 'id="no-shortages"' in page and not _months(page)
    partial = client.get(reverse("supply:gaps", args=[cycle.pk])).content.decode()
    assert 'id="no-shortages"' in partial


def test_given_a_planner_limited_to_other_families_then_the_stored_page_is_not_theirs(
    plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    services.supply_run_now(cycle.pk, users[Role.SUPPLY_PLANNER])
    # Given an unrestricted reader has opened the review (its gaps are now stored)
    assert _months(_client(users[Role.FINANCE]).get(reverse("supply:review", args=[cycle.pk]))
                   .content.decode())  # fmt: skip
    # When a planner limited to another family opens it
    other = ProductFamily.objects.create(code="OTHER", name="Other family")
    scoped = user_with_role(Role.DEMAND_PLANNER, "scoped.planner", families=[other])
    page = _client(scoped).get(reverse("supply:review", args=[cycle.pk])).content.decode()
    # Then they see no gap of a family they may not see
    assert not _months(page) and 'id="no-shortages"' in page


def test_given_a_product_name_with_markup_then_the_gaps_show_it_as_text(
    plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    plant["made"].name = '<img src=x onerror="alert(1)">'
    plant["made"].save()
    services.supply_run_now(cycle.pk, users[Role.SUPPLY_PLANNER])
    client = _client(users[Role.FINANCE])
    for url in (reverse("supply:review", args=[cycle.pk]), reverse("supply:gaps", args=[cycle.pk])):
        page = client.get(url).content.decode()
        assert "<img src=x" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page


def test_given_the_erp_client_or_no_plan_then_the_gaps_partial_refuses(plant, cycle, users) -> None:  # type: ignore[no-untyped-def]
    url = reverse("supply:gaps", args=[cycle.pk])
    assert _client(users[Role.FINANCE]).get(url).status_code == 404  # no plan yet
    services.supply_run_now(cycle.pk, users[Role.SUPPLY_PLANNER])
    assert _client(users[Role.ERP]).get(url).status_code == 403
    assert _client(users[Role.FINANCE]).get(url, {"offset": "junk"}).status_code == 200


def test_given_a_supply_run_succeeded_then_the_review_s_first_view_reads_no_shortage_row(
    plant, cycle, users, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Given a supply run with 18 gaps that succeeded (what it sends runs once it commits)
    with django_capture_on_commit_callbacks(execute=True):
        services.supply_run_now(cycle.pk, users[Role.SUPPLY_PLANNER])
    # When the supply planner opens the review for the first time
    client = _client(users[Role.SUPPLY_PLANNER])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("supply:review", args=[cycle.pk])).content.decode()
    # Then the gaps, their count and totals were built by the warming task: no shortage is read
    assert "Shortages 1 to 10 of 18, costliest first." in page
    reads = [q["sql"] for q in queries.captured_queries if "supply_shortage" in q["sql"]]
    assert reads == []
