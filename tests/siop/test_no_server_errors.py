"""No browser page answers bad input with a 500.

Walks every URL pattern outside /admin/ and /api/ (the API has its own schemathesis fuzz), fills
path ids with real and nonexistent ids, and for several roles sends GETs with garbage query
strings, POSTs with garbage form bodies, and garbage JSON. Every response must be below 500;
failures are collected into one list naming url, method, role and status.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import re
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.roles import Role
from cycles.models import PlanningCycle
from demand.models import ForecastRun
from inventory.models import InventoryRun
from reconciliation.models import Scenario
from supply.models import SupplyPlanRun
from tests.helpers import move_to_stage

SKIPPED_PREFIXES = ("admin/", "api/", "static/", "logout/")  # logout would end the session
MISSING = 999999
ROLES = [
    Role.DEMAND_PLANNER,
    Role.SUPPLY_PLANNER,
    Role.INVENTORY_PLANNER,
    Role.ADMINISTRATOR,
    Role.SALES,
]
GARBAGE_QUERIES = [
    "?page=abc&lag=-1&product=xyz&family=zz&month=2026-13&q=%00",
    "?page=-1&lag=99999999999999999999&product=99999999999999999999&family=99999999999999999999&site=zz&channel=zz"
    "&month_from=2026-13-01&month_to=abc&since=zz&cycle=zz&status=zz&resource=zz",
    "?product=1e999&family=%00&page=99999&supplier=%00&source_type=%00&kind=zz&q=" + "x" * 3000,
]
# Every field name a browser form in the project posts.
FORM_FIELDS = [
    "stage_key", "comment", "month", "horizon_months", "copy_from", "due_date", "reason",
    "family", "product", "like_sku", "like_scale", "start_month", "end_month", "uplift_percent",
    "uplift_units", "kind", "name", "version", "quantity_units", "planned_order", "resource",
    "extra_hours_per_month", "service_target_percent", "safety_stock_units",
    "order_quantity_units", "abc_a_percent", "abc_b_percent", "version_A", "version_B",
    "version_C", "service_target_A", "service_target_B", "service_target_C", "service_type",
    "review_period_weeks", "file", "site", "product_id", "site_id",
    # executive review
    "scenario", "confirm", "title", "detail", "owner", "expected_impact_eur", "downside_eur",
    "plan_eur", "upside_eur", "exception", "status", "measured_outcome_eur", "threshold",
    "default_tier", "tier2_value_eur", "tier3_value_eur", "enabled", "rule",
]  # fmt: skip
GARBAGE_VALUES = ["", "abc", "NaN", "2026-13", "-1", "1e999", "x" * 5000, "a\x00b", str(MISSING)]
GARBAGE_JSON: list[Any] = [
    [],
    "abc",
    {"edits": "x"},
    {"edits": [None, 1, "a", []]},
    {
        "edits": [{"month": "2026-13", "consensus_units": "NaN", "product_id": "xyz"}],
        "reason": "zz",
        "version": "abc",
    },
    {
        "edits": [{"month": "2026-12", "consensus_units": "1e999", "product_id": MISSING}],
        "reason": "",
        "comment": "a\x00b",
    },
    {"edits": [{"month": "2026-12", "consensus_units": "5", "family_id": "zz"}], "reason": "zz"},
    {"edits": [{"month": "2026-12", "consensus_units": "5", "family_id": MISSING}]},
]


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield namespace, route


def _fill(route: str, values: dict[str, list[str]]) -> list[str]:
    """Every combination of the candidate values for the route's converters."""
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    urls = []
    for combo in itertools.product(*(values[name] for name in names)):
        url = route
        for value in combo:
            url = re.sub(r"<[^>]+>", value, url, count=1)
        urls.append("/" + url)
    return urls


@pytest.fixture
def data_set(users, cycle, loaded_inputs):  # type: ignore[no-untyped-def]
    """One cycle, a product with history, and a run of each stage."""
    requester = users[Role.ADMINISTRATOR]
    runs = {
        "demand": ForecastRun.objects.create(cycle=cycle, requested_by=requester),
        "supply": SupplyPlanRun.objects.create(cycle=cycle, requested_by=requester),
        "inventory": InventoryRun.objects.create(cycle=cycle, requested_by=requester),
    }
    scenario = Scenario.objects.create(cycle=cycle, name="Worst <b>case</b>", created_by=requester)
    return {
        "cycle": cycle, "product": loaded_inputs.product, "site": loaded_inputs.site,
        "scenario": scenario, **runs,
    }  # fmt: skip


def _put_at(cycle: PlanningCycle, state: str) -> None:
    if state in {"approved", "closed"}:
        PlanningCycle.objects.filter(pk=cycle.pk).update(state=state)
    else:
        move_to_stage(cycle, state)


def _values(namespace: str, data: dict[str, Any]) -> dict[str, list[str]]:
    bad = str(MISSING)
    run = data.get(namespace)
    return {
        "pk": [str(data["cycle"].pk), bad],
        "product_id": [str(data["product"].pk), bad],
        "site_id": [str(data["site"].pk), bad],
        "run_pk": [str(run.pk) if run else bad, bad],
        "run_id": [str(run.pk) if run else bad, bad],
        "override_pk": [bad],
        "firm_pk": [bad],
        "event_id": [bad],
        "exception_id": [bad],
        "entry_id": [bad],
        "scenario_pk": [str(data["scenario"].pk), bad],
        "lever_pk": [bad],
        "scenario": ["baseline", "abc", bad],
        "kind": ["sign_off", "reopen", "zz"],
        "name": ["sales_history", "open_orders", "inventory_on_hand", "open_receipts", "zz"],
        "fmt": ["csv", "xlsx", "zz"],
    }


def _urls(data: dict[str, Any]) -> list[str]:
    urls: list[str] = []
    for namespace, route in _patterns(get_resolver()):
        urls.extend(_fill(route, _values(namespace, data)))
    return sorted(set(urls))


def _garbage_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.create_sheet("Plan", 0)
    sheet.append(["sku", "site", "month", "quantity", "2026-12", "product_id", "family"])
    sheet.append(["\u2603", None, "2026-13", "NaN", "1e999", "xyz", -1])
    sheet.append([None, 3.5, dt.date(1900, 1, 1), "x" * 5000, "", 999999, "zz"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


GARBAGE_FILES = [
    ("truncated.xlsx", b"PK\x03\x04garbage"),
    ("empty.csv", b""),
    ("nul.csv", b"sku,site\x00,month\n\x00,\xff\xfe,2026-13\n,,,,,,\n"),
    ("notes.txt", b"hello"),
    ("garbage.xlsx", _garbage_workbook()),
    ("garbage.csv", b"sku,site,channel,month,quantity,revenue\nX,Y,Z,2026-13,NaN,1e999\n"),
]


def _requests(url: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    yield "GET", url, {}
    for query in GARBAGE_QUERIES:
        yield "GET", url + query, {}
    yield "POST", url, {"data": {}}
    for value in GARBAGE_VALUES:
        yield "POST", url, {"data": dict.fromkeys(FORM_FIELDS, value)}
    yield "POST", url + GARBAGE_QUERIES[0], {"data": dict.fromkeys(FORM_FIELDS, "zz")}
    if url.endswith("/upload/"):
        for name, content in GARBAGE_FILES:
            upload = SimpleUploadedFile(name, content)
            # Follow the redirect: the import batch page then shows the garbage rows' errors.
            yield "POST", url, {"data": {"file": upload, "reason": "other"}, "follow": True}
    payloads = GARBAGE_JSON if url.endswith("/overrides/") else GARBAGE_JSON[:1]
    for payload in payloads:
        body = json.dumps(payload)
        yield "POST", url, {"data": body, "content_type": "application/json"}
    yield "POST", url, {"data": b"\xff\xfe{not json", "content_type": "application/json"}


# (cycle state, roles): every role at the demand review, the owner and administrator elsewhere.
SCENARIOS = [
    ("demand_review", ROLES),
    ("supply_review", [Role.SUPPLY_PLANNER, Role.ADMINISTRATOR]),
    ("inventory_review", [Role.INVENTORY_PLANNER, Role.ADMINISTRATOR]),
    ("approved", [Role.ADMINISTRATOR]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "roles"), SCENARIOS, ids=[s for s, _ in SCENARIOS])
def test_no_browser_page_answers_bad_input_with_a_server_error(
    users, data_set, state, roles
) -> None:  # type: ignore[no-untyped-def]
    # Given a small data set, the cycle at ``state``, and every browser URL with real and missing ids
    cycle = data_set["cycle"]
    _put_at(cycle, state)
    urls = _urls(data_set)
    failures: list[str] = []
    count = 0
    # When each role sends garbage query strings, form bodies and JSON to every URL
    for role in roles:
        client = Client(raise_request_exception=False)
        client.force_login(users[role])
        for url in urls:
            for method, target, kwargs in _requests(url):
                call = client.get if method == "GET" else client.post
                response = call(target, **kwargs)
                count += 1
                if response.status_code >= 500:
                    body = kwargs.get("data")
                    failures.append(
                        f"{method} {target[:120]} as {role.value} -> {response.status_code}"
                        f" body={str(body)[:80]!r}"
                    )
                # The garbage may have moved the cycle on; bring it back for the next request.
                if PlanningCycle.objects.get(pk=cycle.pk).state != state:
                    _put_at(cycle, state)
    # Then no request got a server error
    print(f"{state}: {count} requests over {len(urls)} URLs and {len(roles)} roles")
    assert count > 1000
    assert not failures, f"{len(failures)} of {count} requests got a 5xx:\n" + "\n".join(
        failures[:200]
    )


@pytest.mark.django_db
def test_demand_pages_say_what_was_wrong_with_the_input(users, data_set) -> None:  # type: ignore[no-untyped-def]
    # Given a demand planner at the demand review
    cycle = data_set["cycle"]
    _put_at(cycle, "demand_review")
    client = Client(raise_request_exception=False)
    client.force_login(users[Role.DEMAND_PLANNER])
    # When the grid is asked for a family that is not an id, and a chart for a product that is not
    grid = client.get(f"/demand/cycles/{cycle.pk}/grid.json?family=zz")
    chart = client.get(f"/demand/cycles/{cycle.pk}/chart.json?product=xyz")
    # And the save endpoint gets a JSON list, and a forecast is started for a missing cycle
    save = client.post(
        f"/demand/cycles/{cycle.pk}/overrides/", "[1, 2]", content_type="application/json"
    )
    run = client.post(f"/demand/cycles/{MISSING}/runs/")
    # Then each is refused as bad input or not found, never a server error
    assert grid.status_code == 400
    assert chart.status_code == 200 and chart.json() is not None
    assert save.status_code == 400
    assert "JSON object" in save.json()["error"]
    assert run.status_code == 404
