"""The demand review's first paint is ready before anyone opens it, and never stale.

After a change of the grid's data commits (a forecast run, a save, an event, an import), the
worker builds each family's first paint: the family rows, the first page of products and the
family's chart, for planners who may edit and readers who may not. The first visitor's requests
are then answered from the cache (no forecast or sales row read), and show the change.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from datainputs.models import SalesHistory
from demand.events import event_create
from demand.services import forecast_run_now
from tests.demand.conftest import family_products, reads_plan_data, signed_in
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
DEC = dt.date(2026, 12, 1)


def _first_paint(client, cycle, family) -> tuple[list[dict], list[str]]:  # type: ignore[no-untyped-def]
    """What the review page asks first (family rows, first page, chart): answers, and the SQL."""
    base = f"/demand/cycles/{cycle.pk}"
    urls = [
        f"{base}/grid.json?family={family.pk}&part=family",
        f"{base}/grid.json?family={family.pk}&offset=0&limit=200",
        f"{base}/chart.json?family={family.pk}",
    ]
    with CaptureQueriesContext(connection) as queries:
        answers = [client.get(url) for url in urls]
    assert all(answer.status_code == 200 for answer in answers)
    return [a.json() for a in answers], [q["sql"] for q in queries.captured_queries]


def _cell(answer: dict, row_id: str, field: str = "m2026_12"):  # type: ignore[no-untyped-def]
    return next(r for r in answer["rows"] if r["id"] == row_id).get(field)


def test_after_a_forecast_run_every_reader_s_first_paint_comes_from_the_cache(
    review_cycle, users, django_capture_on_commit_callbacks
):
    # Given a forecast run that succeeded (the warming task runs once it commits)
    with django_capture_on_commit_callbacks(execute=True):
        run = forecast_run_now(review_cycle.pk, users[Role.DEMAND_PLANNER])
    assert run.status == "succeeded"
    bike = family_products("BIKES")[0]
    scoped = user_with_role(Role.DEMAND_PLANNER, "bikes-only", [bike.family])
    readers = (users[Role.DEMAND_PLANNER], users[Role.FINANCE], scoped)
    warm = {}
    for reader in readers:
        # When a planner, a reader who may not edit, or a planner limited to the family opens it
        answers, sql = _first_paint(signed_in(reader), review_cycle, bike.family)
        # Then nothing of the plan is read: every answer was built by the warming task
        assert not reads_plan_data(sql), (reader, sql)
        editable = _cell(answers[0], f"f{bike.family_id}-consensus", "editable")
        assert editable == (reader != users[Role.FINANCE])
        warm[reader] = answers
    # And each is the answer a cold build gives
    caches["versioned"].clear()
    for reader in readers:
        assert _first_paint(signed_in(reader), review_cycle, bike.family)[0] == warm[reader]


def test_after_a_colleague_s_save_the_first_paint_is_warm_and_shows_the_saved_number(
    forecast_cycle, users, django_capture_on_commit_callbacks
):
    helm = family_products("HELMETS")[0]
    body = {"reason": "customer_intel", "comment": "", "edits": [
        {"product_id": helm.pk, "month": "2026-12", "consensus_units": "55", "version": 0}]}  # fmt: skip
    # Given a planner who saved a cell
    with django_capture_on_commit_callbacks(execute=True):
        saved = signed_in(users[Role.DEMAND_PLANNER]).post(
            f"/demand/cycles/{forecast_cycle.pk}/overrides/", json.dumps(body),
            content_type="application/json",
        )  # fmt: skip
    assert saved.status_code == 200
    # When a colleague opens the family
    colleague = signed_in(user_with_role(Role.DEMAND_PLANNER, "colleague"))
    answers, sql = _first_paint(colleague, forecast_cycle, helm.family)
    # Then it comes from the cache and shows the saved number in the grid and the chart
    assert not reads_plan_data(sql)
    assert _cell(answers[1], f"p{helm.pk}-consensus") == 55.0
    family_total = _cell(answers[0], f"f{helm.family_id}-consensus")
    chart = answers[2]["consensus"]
    assert chart["y"][chart["x"].index("2026-12-01")] == pytest.approx(family_total, abs=0.01)


def test_once_the_sign_off_s_plan_is_built_the_read_only_first_paint_is_warm(
    forecast_cycle, users, django_capture_on_commit_callbacks
):
    from cycles.plan_build import _after_build
    from cycles.services import stage_sign_off

    helm = family_products("HELMETS")[0]
    # Given a demand review signed off (the grid now reads the frozen demand: new keys)
    stage_sign_off(forecast_cycle.pk, "demand_review", users[Role.DEMAND_PLANNER], "ok")
    forecast_cycle.refresh_from_db()
    # When its pipeline ends with the plan build
    with django_capture_on_commit_callbacks(execute=True):
        _after_build(forecast_cycle.pk)
    # Then finance's first paint of a family in the supply review comes from the cache, read-only
    answers, sql = _first_paint(signed_in(users[Role.FINANCE]), forecast_cycle, helm.family)
    assert not reads_plan_data(sql), sql
    assert _cell(answers[0], f"f{helm.family_id}-consensus", "editable") is False


def test_a_change_nobody_warmed_is_never_served_from_an_older_answer(
    forecast_cycle, users, django_capture_on_commit_callbacks
):
    from demand.grid_warm import warm_first_paint

    bike = family_products("BIKES")[0]
    warm_first_paint(forecast_cycle.pk)
    planner = signed_in(users[Role.DEMAND_PLANNER])
    before, _ = _first_paint(planner, forecast_cycle, bike.family)
    # When an ERP corrects last month's sales and a planner adds an event (no task ran)
    SalesHistory.objects.filter(product=bike, month=dt.date(2026, 10, 1)).update(
        quantity=Decimal("1000")
    )
    event_create(forecast_cycle.pk, {"name": "Promo", "product": bike, "start_month": DEC,
                 "end_month": DEC, "uplift_kind": "percent", "uplift_value": Decimal("50")},
                 users[Role.DEMAND_PLANNER])  # fmt: skip
    after, _ = _first_paint(planner, forecast_cycle, bike.family)
    # Then the grid and the chart show both
    assert _cell(after[1], f"p{bike.pk}-actual", "m2026_10") == 2000.0  # two sites
    assert _cell(after[1], f"p{bike.pk}-events") > 0
    history = after[2]["history"]
    october = history["x"].index("2026-10-01")
    assert history["y"][october] > before[2]["history"]["y"][october]
    assert after[2]["consensus"]["y"] != before[2]["consensus"]["y"]


def test_warming_twice_builds_nothing_the_second_time(forecast_cycle):
    from demand.grid_warm import warm_first_paint

    # Given the first paint warmed, when the task is delivered again, nothing is rebuilt
    assert warm_first_paint(forecast_cycle.pk) > 0
    assert warm_first_paint(forecast_cycle.pk) == 0


def test_the_warmer_s_one_reading_gives_any_page_the_rows_of_its_own_reading(
    forecast_cycle, users, bikes_with_event_and_typed_cell
):
    from demand import grid
    from demand.grid_cache import FamilyFrames

    # Given a family with a unit event on the whole family and a typed cell
    bikes = bikes_with_event_and_typed_cell
    planner = users[Role.DEMAND_PLANNER]
    # When a page of two of its products is built from the family's one reading
    reading = FamilyFrames(forecast_cycle, bikes[0].family)
    reading.frames()
    page = grid.GridPage(offset=1, limit=2)
    shared = grid.grid_data(forecast_cycle, bikes[0].family, planner, page, read=reading.read)
    # Then it is the page its own reading gives
    own = grid.grid_data(forecast_cycle, bikes[0].family, planner, page)
    assert shared.rows == own.rows and len(own.rows) == 12


def test_a_later_stage_s_sign_off_keeps_the_demand_grid_s_answers(forecast_cycle):
    from demand.grid_cache import grid_etag

    # Given the grid's answer key in each state of the cycle
    def key(state: str) -> str:
        forecast_cycle.state = state
        return grid_etag(forecast_cycle, "family:1:None")

    # Then the stages after the demand review share one key: the grid reads the frozen demand
    # in all of them, so their sign-offs leave the warmed answers in place
    after = {key(s) for s in ("supply_review", "inventory_review", "reconciliation", "approved")}
    assert len(after) == 1
    # And the open demand review (live demand) has its own
    assert key("demand_review") not in after


def test_after_a_forecast_run_the_pages_after_the_first_come_from_the_cache_too(
    review_cycle, users, django_capture_on_commit_callbacks, monkeypatch
):
    from demand import grid_warm

    # Given pages of 2 products (the review loads every next page right after the first paint)
    monkeypatch.setattr(grid_warm, "PAGE", 2)
    bikes = family_products("BIKES")
    assert len(bikes) > 2
    # When a forecast run succeeds (the warming task runs once it commits)
    with django_capture_on_commit_callbacks(execute=True):
        forecast_run_now(review_cycle.pk, users[Role.DEMAND_PLANNER])
    # Then the planner's second page is answered without reading the plan
    url = f"/demand/cycles/{review_cycle.pk}/grid.json?family={bikes[0].family_id}&offset=2&limit=2"
    client = signed_in(users[Role.DEMAND_PLANNER])
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url)
    assert answer.status_code == 200
    assert not reads_plan_data([q["sql"] for q in queries.captured_queries])
    # And it is the page a cold build gives
    caches["versioned"].clear()
    assert client.get(url).json() == answer.json()
