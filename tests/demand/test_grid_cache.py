"""The grid's cached answers and 304s never outlive a change of a plan number.

Every test reads the grid, changes something a planner would see through a different door (a
save, an event, a forecast run, the sign-off, an ERP sales correction), and reads again: the
ETag the browser holds no longer matches, and the answer shows the change.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from decimal import Decimal

import pytest

from accounts.roles import Role
from datainputs.models import SalesHistory
from demand.events import event_create
from demand.services import consensus_sign_off, forecast_run_now
from tests.demand.conftest import family_products
from tests.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db
DEC = dt.date(2026, 12, 1)


def _client(client, user):  # type: ignore[no-untyped-def]
    client.login(username=user.username, password=PASSWORD)
    return client


def _get(client, cycle, family, etag="", **params):  # type: ignore[no-untyped-def]
    query = "&".join(f"{k}={v}" for k, v in {"family": family.pk, **params}.items())
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get(f"/demand/cycles/{cycle.pk}/grid.json?{query}", **headers)


def _cell(response, row_id, field="m2026_12"):  # type: ignore[no-untyped-def]
    return next(r for r in response.json()["rows"] if r["id"] == row_id).get(field)


def test_a_browser_revalidating_gets_304_until_a_cell_is_saved(client, forecast_cycle, users):
    planner = _client(client, users[Role.DEMAND_PLANNER])
    helm = family_products("HELMETS")[0]
    # Given a planner who loaded the grid
    first = _get(planner, forecast_cycle, helm.family)
    etag = first["ETag"]
    assert first.status_code == 200 and etag and first["Cache-Control"] == "private, no-cache"
    # When nothing changed, the revalidation answers 304 (also with GZip's weak form)
    assert _get(planner, forecast_cycle, helm.family, etag).status_code == 304
    assert _get(planner, forecast_cycle, helm.family, "W/" + etag).status_code == 304
    # When a colleague saves a cell
    body = {"reason": "customer_intel", "comment": "", "edits": [
        {"product_id": helm.pk, "month": "2026-12", "consensus_units": "55", "version": 0}]}  # fmt: skip
    other = _client(client.__class__(), user_with_role(Role.DEMAND_PLANNER, "planner2"))
    saved = other.post(f"/demand/cycles/{forecast_cycle.pk}/overrides/", json.dumps(body),
                       content_type="application/json")  # fmt: skip
    assert saved.status_code == 200
    # Then the held answer is stale: a full answer with the saved number and a new ETag
    again = _get(planner, forecast_cycle, helm.family, etag)
    assert again.status_code == 200 and again["ETag"] != etag
    assert _cell(again, f"p{helm.pk}-consensus") == 55.0
    family_row = _cell(again, f"f{helm.family_id}-consensus")
    assert family_row == pytest.approx(
        sum(_cell(again, f"p{p.pk}-consensus") for p in family_products("HELMETS")), abs=0.05
    )


def test_an_event_a_forecast_run_and_a_sales_correction_each_show_at_once(
    client, forecast_cycle, users
):
    planner = _client(client, users[Role.DEMAND_PLANNER])
    bike = family_products("BIKES")[0]
    page = {"offset": 0, "limit": 50}
    before = _get(planner, forecast_cycle, bike.family, **page)
    assert not _cell(before, f"p{bike.pk}-events")
    # An event: the events row fills in
    event_create(forecast_cycle.pk, {"name": "Promo", "product": bike, "start_month": DEC,
                 "end_month": DEC, "uplift_kind": "percent", "uplift_value": Decimal("50")},
                 users[Role.DEMAND_PLANNER])  # fmt: skip
    with_event = _get(planner, forecast_cycle, bike.family, before["ETag"], **page)
    assert with_event.status_code == 200
    assert _cell(with_event, f"p{bike.pk}-events") == pytest.approx(
        _cell(with_event, f"p{bike.pk}-statistical") * 0.5, abs=0.05
    )
    # A new forecast run: a new answer (the current forecast moved)
    forecast_run_now(forecast_cycle.pk, users[Role.DEMAND_PLANNER])
    rerun = _get(planner, forecast_cycle, bike.family, with_event["ETag"], **page)
    assert rerun.status_code == 200 and rerun["ETag"] != with_event["ETag"]
    # An ERP correction of last month's sales: the actual row shows it
    SalesHistory.objects.filter(product=bike, month=dt.date(2026, 10, 1)).update(
        quantity=Decimal("1000")
    )
    corrected = _get(planner, forecast_cycle, bike.family, rerun["ETag"], **page)
    assert corrected.status_code == 200
    assert _cell(corrected, f"p{bike.pk}-actual", "m2026_10") == 2000.0  # two sites


def test_after_the_sign_off_the_same_grid_is_read_only(client, forecast_cycle, users):
    planner = _client(client, users[Role.DEMAND_PLANNER])
    bike = family_products("BIKES")[0]
    before = _get(planner, forecast_cycle, bike.family, part="family")
    assert _cell(before, f"f{bike.family_id}-consensus", "editable")
    consensus_sign_off(forecast_cycle.pk, users[Role.DEMAND_PLANNER])
    after = _get(planner, forecast_cycle, bike.family, before["ETag"], part="family")
    assert after.status_code == 200
    assert not _cell(after, f"f{bike.family_id}-consensus", "editable")


def test_users_with_other_rights_or_families_never_share_an_answer(client, forecast_cycle, users):
    bike = family_products("BIKES")[0]
    planner = _client(client, users[Role.DEMAND_PLANNER])
    editable = _get(planner, forecast_cycle, bike.family)
    assert _cell(editable, f"p{bike.pk}-consensus", "editable")
    # A role that may only read gets read-only rows, even right after the planner's answer
    viewer = _client(client.__class__(), users[Role.FINANCE])
    read_only = _get(viewer, forecast_cycle, bike.family, editable["ETag"])
    assert read_only.status_code == 200
    assert not _cell(read_only, f"p{bike.pk}-consensus", "editable")
    # The company total of a planner limited to bikes is not everyone's company total
    everyone = _get(planner, forecast_cycle, bike.family, part="company").json()
    scoped_user = user_with_role(Role.DEMAND_PLANNER, "bikes-only")
    scoped_user.siop_profile.families.set([bike.family])
    scoped = _get(_client(client.__class__(), scoped_user), forecast_cycle, bike.family,
                  part="company").json()  # fmt: skip

    def total(answer):  # type: ignore[no-untyped-def]
        return next(r["m2026_12"] for r in answer["rows"] if r["measure"] == "consensus")

    assert 0 < total(scoped) < total(everyone)


def test_a_cached_answer_is_sent_compressed_to_a_browser_and_plain_to_others(
    client, forecast_cycle, users
):
    planner = _client(client, users[Role.DEMAND_PLANNER])
    bike = family_products("BIKES")[0]
    url = f"/demand/cycles/{forecast_cycle.pk}/grid.json?family={bike.family_id}&offset=0"
    # Given a browser that loaded a page of the grid (gzip accepted), then loads it again
    first = planner.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    again = planner.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    # Then both answers are gzip with the same rows, and revalidating the weak ETag is a 304
    for answer in (first, again):
        assert answer["Content-Encoding"] == "gzip" and "Accept-Encoding" in answer["Vary"]
        assert answer["ETag"].startswith('W/"')
    rows = json.loads(gzip.decompress(first.content))["rows"]
    assert json.loads(gzip.decompress(again.content))["rows"] == rows
    assert any(r["id"] == f"p{bike.pk}-consensus" for r in rows)
    assert planner.get(url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304
    # And a client that does not accept gzip gets the same rows as plain JSON
    plain = planner.get(url)
    assert not plain.has_header("Content-Encoding") and plain.json()["rows"] == rows


def test_after_the_approval_every_role_s_sweep_shares_one_cached_answer(forecast_cycle, users):
    from django.test import Client

    # Given the approved cycle (everyone reads the frozen demand, nobody may edit it)
    forecast_cycle.state = "approved"
    forecast_cycle.save(update_fields=["state"])
    family = family_products("BIKES")[0].family
    base = f"/demand/cycles/{forecast_cycle.pk}"
    urls = [f"{base}/grid.json?family={family.pk}&part=family",
            f"{base}/grid.json?family={family.pk}&offset=0&limit=200",
            f"{base}/chart.json?family={family.pk}"]  # fmt: skip
    roles = (Role.DEMAND_PLANNER, Role.SUPPLY_PLANNER, Role.INVENTORY_PLANNER, Role.FINANCE,
             Role.EXECUTIVE)  # fmt: skip
    # When each role opens the family's grid and chart, as the final sweep does
    tags = {url: set() for url in urls}
    for role in roles:
        reader = _client(Client(), users[role])
        for url in urls:
            answer = reader.get(url)
            assert answer.status_code == 200
            tags[url].add(answer["ETag"])
    # Then each answer has one key for all of them: the first role's answer serves the rest
    assert all(len(tag) == 1 for tag in tags.values()), tags
