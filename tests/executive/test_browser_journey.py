"""Real Chromium: the executive's S&OP meeting, then execution monitoring of the next month."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from accounts.roles import Role
from cycles.services import cycle_open
from executive import exceptions, tasks
from executive.models import ExceptionRule, PlanException, RegisterEntry
from tests.conftest import browser_login
from tests.factories import ChannelFactory


def november_sales_csv() -> bytes:
    # November's approved plan (frozen at the approval) expected 100 units of each product;
    # BEV sold far less
    lines = [
        "sku,site,channel,month,quantity,revenue",
        "BEV-1,DC1,RETAIL,2026-11,40,400",
        "BEV-2,DC1,RETAIL,2026-11,45,450",
        "SNK-1,DC1,RETAIL,2026-11,92,368",
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_executive_meeting_from_dashboard_to_pack_then_monitoring_raises_an_exception(
    browser_page, users, exec_cycle, tmp_path
) -> None:
    # Given November at the executive review whose capacity overload is a tier-3 exception
    exceptions.ensure_rules()
    ExceptionRule.objects.filter(code="capacity_over").update(default_tier=3)
    tasks.refresh_cycle(exec_cycle.pk)
    page = browser_page
    # When the executive signs in, the decision dashboard is the landing page
    browser_login(page, users[Role.EXECUTIVE].username)
    assert page.url.endswith(f"/executive/{exec_cycle.pk}/")
    revenue = page.locator("[data-kpi=revenue_eur]")
    assert "€28,800" in revenue.inner_text()
    assert "Σ served units" in (revenue.get_attribute("title") or "")
    page.wait_for_selector("#waterfall .main-svg")  # the change waterfall is drawn
    # And drills from the tier-3 exception to its scenario
    page.click("#escalated a:has-text('LINE1')")
    page.wait_for_selector("h1:has-text('LINE1 loaded 120 %')")
    assert "Tier 3" in page.inner_text(".pagehead")
    page.click("a.scenario-link:has-text('Baseline')")
    page.wait_for_selector("h1:has-text('Scenario: Baseline (consensus plan)')")
    assert "LINE1 loaded 120 %" in page.inner_text("main")
    # And records a decision with an owner and a due date on that exception
    page.go_back()
    page.click("a:has-text('Record a decision')")
    page.fill("input[name=title]", "Authorise a Saturday shift on line 1")
    page.select_option("select[name=owner]", label=users[Role.SUPPLY_PLANNER].username)
    page.fill("input[name=due_date]", "2026-11-27")
    page.fill("input[name=expected_impact_eur]", "15000")
    page.click("#new-entry button[type=submit]")
    page.wait_for_selector("#decisions td:has-text('Authorise a Saturday shift')")
    decision = RegisterEntry.objects.get()
    assert decision.owner == users[Role.SUPPLY_PLANNER] and decision.exception is not None
    # And approves the recommended scenario after the confirmation
    page.click("nav.subnav a:has-text('Approval')")
    assert page.is_checked("input[name=scenario][value=baseline]")
    page.click("button:has-text('Review before approving')")
    page.wait_for_selector("#confirmation")
    confirmation = page.inner_text("#confirmation")
    assert "€28,800" in confirmation and "LINE1 loaded 120 %" in confirmation
    page.fill("textarea[name=comment]", "Approved with the Saturday shift.")
    page.click("button:has-text('Approve the plan')")
    page.wait_for_selector("h1:has-text('Meeting pack')")
    message = page.inner_text(".messages")
    assert "Plan approved for November 2026" in message and "Stage signed off" not in message
    assert "1 tier-3 exception(s) accepted" in message
    # And downloads the meeting pack
    with page.expect_download() as download:
        page.click("#download-pack")
    saved = tmp_path / "pack.xlsx"
    download.value.save_as(saved)
    book = load_workbook(io.BytesIO(saved.read_bytes()))
    decisions = [r for r in book["Decisions"].iter_rows(values_only=True)]
    assert decisions[1][0] == "Authorise a Saturday shift on line 1"
    # Then December opens, and November's sales import raises a plan-vs-actual exception there
    december = cycle_open(dt.date(2026, 12, 1), users[Role.ADMINISTRATOR], copy_from=exec_cycle)
    ChannelFactory()
    upload = tmp_path / "sales.csv"
    upload.write_bytes(november_sales_csv())
    browser_login(page, users[Role.ADMINISTRATOR].username)
    page.goto("/data/upload/sales_history/")
    page.set_input_files("input[type=file]", str(upload))
    page.click("button:has-text('Preview')")
    page.click("button:has-text('Apply all 3 rows')")
    page.wait_for_load_state("networkidle")
    breach = PlanException.objects.get(rule__code="actual_vs_consensus")
    assert breach.cycle == december and breach.family_code == "BEV"
    page.goto(f"/executive/{december.pk}/exceptions/")
    # 85 BEV units sold against the 200 the approved plan expected: -57.5 %, 115 units x 10 EUR
    exceptions_page = page.inner_text("main")
    assert "BEV sold -58 % vs plan in Nov 2026" in exceptions_page and "€1,150" in exceptions_page
    page.goto("/executive/performance/")
    page.wait_for_selector("#performance-chart .main-svg")
