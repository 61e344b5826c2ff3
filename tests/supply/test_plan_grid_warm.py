"""The supply plan grid's first paint is ready when a plan build commits, and never stale.

After every plan build the worker builds the family rows and each family's first page of
products (default measure) under the keys the page's requests compute: the first supply planner
to open the grid, or a planner limited to one family, is served from the cache without reading
a plan row; a later build gives new answers.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from cycles.models import ConsensusPlan, PlanRow
from cycles.plan_build import _after_build
from supply.plan_grid_pages import warm_first_paint
from tests.factories import FamilyFactory, ProductFactory, SiteFactory, user_with_role
from tests.supply.test_plan_grid import _plan

pytestmark = pytest.mark.django_db


def _first_paint(client: Client, cycle, family) -> tuple[list[dict], list[str]]:  # type: ignore[no-untyped-def]
    url = f"/supply/{cycle.pk}/grid/data/"
    with CaptureQueriesContext(connection) as queries:
        answers = [
            client.get(url, {"measure": "receipts", "q": "", "part": "family"}),
            client.get(url, {"measure": "receipts", "q": "", "family": family.pk, "limit": 200}),
        ]
    assert all(answer.status_code == 200 for answer in answers)
    return [a.json() for a in answers], [q["sql"] for q in queries.captured_queries]


def test_after_a_plan_build_the_first_paint_comes_from_the_cache(
    cycle, users, django_capture_on_commit_callbacks
):
    # Given a built plan of two families (its after-build hooks run once it commits)
    site, bev, snk = SiteFactory.create(), FamilyFactory.create(), FamilyFactory.create()
    _plan(cycle, [ProductFactory.create(family=f) for f in (bev, bev, snk)], site)
    with django_capture_on_commit_callbacks(execute=True):
        _after_build(cycle.pk)
    for reader in (users[Role.SUPPLY_PLANNER], user_with_role(Role.SUPPLY_PLANNER, "bev", [bev])):
        client = Client()
        client.force_login(reader)
        # When a planner, or one limited to the family, opens the grid and the family
        answers, sql = _first_paint(client, cycle, bev)
        # Then the family's page comes from the cache (the unrestricted family rows too)
        assert len(answers[1]["rows"]) == 2
        plan_reads = [s for s in sql if "cycles_planrow" in s]
        assert len(plan_reads) == (0 if reader == users[Role.SUPPLY_PLANNER] else 2), plan_reads


def test_a_rebuild_is_never_answered_with_the_warmed_numbers(cycle, users):
    site, family = SiteFactory.create(), FamilyFactory.create()
    _plan(cycle, [ProductFactory.create(family=family)], site)
    assert warm_first_paint(cycle.pk) == 2
    client = Client()
    client.force_login(users[Role.SUPPLY_PLANNER])
    before = _first_paint(client, cycle, family)[0]
    # When the plan is rebuilt with other numbers (a new version), and nothing warmed it yet
    PlanRow.objects.update(production_units=99.0)
    ConsensusPlan.objects.update(version=2)
    after = _first_paint(client, cycle, family)[0]
    # Then both parts show the new numbers
    assert after[0]["totals"]["2026-11"] == 104.0 != before[0]["totals"]["2026-11"]
    assert after[1]["rows"][0]["2026-11"] == 104.0
