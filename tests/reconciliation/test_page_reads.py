"""What the reconciliation's pages compute per request.

A succeeded scenario run never changes: the workspace reads its stored figures, and the
comparison column built from it (budget and last-approved gaps, monthly series, the
price-volume-mix bridge) is built once per run and budget, then reused by the compare page, its
charts, the XLSX export and the scenario page. A recalculated scenario (a new run) or a changed
budget shows at once: the stored column is named by both.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any, cast

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accounts.roles import Role
from cycles.plan_models import ConsensusPlan, PlanRow
from cycles.windows import kpi_window
from masterdata.models import Product
from reconciliation import compare, selectors, services
from reconciliation.budget import BUDGET_LINES
from reconciliation.models import Scenario
from tests.factories import PASSWORD, ProductFactory
from tests.reconciliation.conftest import MONTHS, run_on_commit

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _spy(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[Any]:
    """Calls of ``module.name`` from now on (the function still runs)."""
    calls: list[Any] = []
    original: Callable[..., Any] = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def _chart(html: str) -> dict[str, Any]:
    match = re.search(r'<script id="compare-data" type="application/json">(.*?)</script>', html)
    assert match, "the compare page carries its chart data"
    return json.loads(match.group(1))


def _compare(client: Client, cycle: Any, *scenarios: Scenario) -> dict[str, Any]:
    url = reverse("reconciliation:compare", args=[cycle.pk])
    page = client.get(url, {"s": [s.pk for s in scenarios]})
    assert page.status_code == 200
    return _chart(page.content.decode())


def _money(value: float) -> str:
    return f"{round(value):,}"


def test_workspace_shows_stored_figures_without_building_comparison_columns(
    calculated: Any, users: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a baseline and a scenario, both calculated, and a budget
    cycle, baseline, scenario = calculated
    views = _spy(monkeypatch, selectors, "versus")
    bridges = _spy(monkeypatch, compare, "pvm_bridge")
    # When finance opens the workspace
    page = _client(users[Role.FINANCE]).get(reverse("reconciliation:review", args=[cycle.pk]))
    html = page.content.decode()
    # Then no budget comparison or bridge was computed for it (it shows neither)
    assert page.status_code == 200
    assert views == [] and bridges == []
    # And each row shows the run's stored horizon figures and its next-12-months revenue
    for s in (baseline, scenario):
        run = selectors.latest_result(s)
        assert run is not None
        horizon = selectors.summary_frame(run, "horizon").set_index("family").loc["*"]
        facts = selectors.family_facts(run)
        window = facts[kpi_window(cycle).mask(facts["period"])]
        row = html.split(f'<tr data-scenario="{escape(s.name)}"', 1)[1].split("</tr>", 1)[0]
        assert 'class="num revenue" data-window' in row
        assert f">{_money(horizon['revenue_eur'])}</td>" in row
        assert f">{_money(window['revenue_eur'].sum())}</td>" in row
        assert f">{horizon['planned_fill_rate_pct']:.1f} %</td>" in row


def test_compare_charts_export_and_scenario_page_build_each_column_once(
    calculated: Any, users: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given finance read the comparison, its export and the scenario's quarters once
    cycle, _, scenario = calculated
    client = _client(users[Role.FINANCE])
    export_url = reverse("reconciliation:compare_xlsx", args=[cycle.pk])
    page_url = reverse("reconciliation:scenario", args=[cycle.pk, scenario.pk])
    first = _compare(client, cycle, scenario)
    first_export = client.get(export_url, {"s": [scenario.pk]})
    first_page = client.get(page_url).content.decode()
    bridges = _spy(monkeypatch, compare, "pvm_bridge")
    views = _spy(monkeypatch, selectors, "versus")
    # When they are read again
    again = _compare(client, cycle, scenario)
    export = client.get(export_url, {"s": [scenario.pk]})
    page = client.get(page_url).content.decode()
    # Then they show the same figures without computing a gap or a bridge again
    assert again == first and len(first["bridges"]) == 2
    assert _sheets(export.content) == _sheets(first_export.content)
    assert _table(page, "bridge-table") == _table(first_page, "bridge-table")
    assert bridges == [] and views == []


def _sheets(body: bytes) -> list[list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(body))
    return [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]


def _table(html: str, table_id: str) -> str:
    return html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]


def test_a_recalculated_scenario_shows_its_new_figures_at_once(calculated, users) -> None:  # type: ignore[no-untyped-def]
    # Given the comparison was read: overtime earns more than the baseline
    cycle, _, scenario = calculated
    finance = users[Role.FINANCE]
    client = _client(finance)
    before = _compare(client, cycle, scenario)
    base_revenue, ot_revenue = (sum(s["revenue_eur"]) for s in before["series"])
    assert ot_revenue > base_revenue
    # When finance removes the overtime lever and recalculates the scenario
    lever = scenario.levers.get()
    services.lever_remove(scenario.pk, lever.pk, finance, reason="no overtime after all")
    run = run_on_commit(lambda: services.scenario_run_request(scenario.pk, finance))
    assert run.status == "succeeded", run.error
    # Then the comparison and the workspace show the new run's figures (the baseline's)
    after = _compare(client, cycle, scenario)
    assert sum(after["series"][1]["revenue_eur"]) == pytest.approx(base_revenue)
    assert after["bridges"][1]["scenario"] == pytest.approx(after["bridges"][0]["scenario"])
    review = client.get(reverse("reconciliation:review", args=[cycle.pk])).content.decode()
    row = review.split(f'<tr data-scenario="{escape(scenario.name)}"', 1)[1].split("</tr>", 1)[0]
    assert f">{_money(base_revenue)}</td>" in row


def test_a_changed_budget_shows_in_the_comparison_at_once(calculated, plant, users) -> None:  # type: ignore[no-untyped-def]
    from datainputs.importers import validate_rows, write_rows

    # Given the comparison was read against a January budget of 1,155 EUR
    cycle, _, scenario = calculated
    client = _client(users[Role.FINANCE])
    before = _compare(client, cycle, scenario)
    assert [b["budget"] for b in before["bridges"]] == [1155.0, 1155.0]
    # When the budget line is imported again with 2,155 EUR
    raw = [{"budget": "AOP-2027", "family": plant["made"].family.code, "month": "2027-01",
            "units": "154", "revenue_eur": "2155.00", "cogs_eur": "616.00"}]  # fmt: skip
    write_rows(BUDGET_LINES, validate_rows(BUDGET_LINES, list(enumerate(raw, 2))).rows)
    # Then the bridges start from the new budget and the gap follows
    after = _compare(client, cycle, scenario)
    assert [b["budget"] for b in after["bridges"]] == [2155.0, 2155.0]
    assert [b["scenario"] for b in after["bridges"]] == [b["scenario"] for b in before["bridges"]]


def _queries(client: Client, url: str) -> int:
    client.get(url, follow=True)  # warm per-process caches and the stored columns
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, follow=True).status_code == 200
    return len(queries.captured_queries)


def test_reconciliation_pages_read_as_often_with_more_scenarios(calculated, users) -> None:  # type: ignore[no-untyped-def]
    # Given the baseline and one calculated scenario
    cycle, _, scenario = calculated
    finance = users[Role.FINANCE]
    client = _client(finance)
    pages = [reverse("reconciliation:review", args=[cycle.pk]),
             reverse("reconciliation:compare", args=[cycle.pk]) + "?s=" + str(scenario.pk),
             reverse("executive:home")]  # fmt: skip
    small = [_queries(client, url) for url in pages]
    # When two more scenarios are calculated
    for name in ("Second", "Third"):
        other = services.scenario_create(cycle.pk, finance, name)
        services.lever_add(other.pk, finance, "overtime", {"resource": "LINE-1", "hours": 10})
        run = run_on_commit(lambda other=other: services.scenario_run_request(other.pk, finance))
        assert run.status == "succeeded", run.error
    # Then each page takes as many queries as before
    assert [_queries(client, url) for url in pages] == small


def test_reconciliation_pages_read_as_often_with_more_products(calculated, plant, users) -> None:  # type: ignore[no-untyped-def]
    # Given the baseline and a scenario calculated on a plan of two products
    cycle, baseline, scenario = calculated
    finance = users[Role.FINANCE]
    client = _client(finance)
    chosen = f"?s={scenario.pk}"
    pages = [reverse("reconciliation:review", args=[cycle.pk]),
             reverse("reconciliation:compare", args=[cycle.pk]) + chosen,
             reverse("reconciliation:compare_xlsx", args=[cycle.pk]) + chosen,
             reverse("reconciliation:scenario", args=[cycle.pk, baseline.pk]),
             reverse("executive:home")]  # fmt: skip
    small = [_queries(client, url) for url in pages]
    # When the consensus plan grows by 20 products and the baseline is recalculated
    plan = ConsensusPlan.objects.get(cycle=cycle)
    for n in range(20):
        product = cast(Product, ProductFactory(sku=f"MORE-{n:02d}", family=plant["made"].family))
        for month in MONTHS:
            PlanRow.objects.create(plan=plan, product=product, site=plant["site"], month=month,
                                   consensus_demand_units=10.0, served_units=10.0,
                                   unit_price_eur=7.5, unit_cost_eur=4.0, revenue_eur=75.0)  # fmt: skip
    run = run_on_commit(lambda: services.scenario_run_request(baseline.pk, finance))
    assert run.status == "succeeded", run.error
    # Then each page takes as many queries as before
    assert [_queries(client, url) for url in pages] == small
