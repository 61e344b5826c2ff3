"""Execution monitoring after imports: actuals vs the approved plan in force, by family/month."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.roles import Role
from cycles.services import cycle_open
from datainputs.importers.specs import SALES_HISTORY
from datainputs.services import rows_import
from executive.models import PerformanceSnapshot, PlanException
from tests.executive.conftest import NOV, OCT
from tests.factories import ChannelFactory

DEC = dt.date(2026, 12, 1)


def sales_rows(units: dict[str, float], month: str = "2026-11") -> list[tuple[int, dict]]:
    return [
        (
            n + 2,
            {
                "sku": sku,
                "site": "DC1",
                "channel": "RETAIL",
                "month": month,
                "quantity": str(q),
                "revenue": "0",
            },
        )
        for n, (sku, q) in enumerate(units.items())
    ]


@pytest.fixture
def approved_october(exec_cycle):  # type: ignore[no-untyped-def]
    """October's approved plan (90 units a month per product) is in force for November."""
    ChannelFactory()
    return exec_cycle


@pytest.mark.django_db
def test_a_sales_import_raises_a_plan_vs_actual_exception_in_the_cycle_being_planned(
    approved_october, users, django_capture_on_commit_callbacks
) -> None:
    # given December is being planned and November's plan was 90 units of each product
    december = cycle_open(DEC, users[Role.ADMINISTRATOR], copy_from=approved_october)
    # when November's sales arrive: BEV sold 2 x 50 (-44 %), SNK 95 (+5.6 %)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = rows_import(
            SALES_HISTORY,
            sales_rows({"BEV-1": 50, "BEV-2": 50, "SNK-1": 95}),
            None,
            users[Role.ADMINISTRATOR],
        )
    assert outcome.ok
    # then monitoring scored November by family and raised one exception, shown in December
    snap = PerformanceSnapshot.objects.latest()
    rows = {(r["family"], r["month"]): r for r in snap.family_months}
    assert rows[("BEV", "2026-11-01")]["deviation_pct"] == pytest.approx(-80 / 180 * 100)
    assert rows[("SNK", "2026-11-01")]["attainment_pct"] == pytest.approx(95 / 90 * 100)
    breach = PlanException.objects.get(rule__code="actual_vs_consensus")
    assert breach.cycle == december and breach.family_code == "BEV"
    assert breach.value_at_risk_eur == pytest.approx(80 * 10)
    assert breach.owner == users[Role.DEMAND_PLANNER]
    assert snap.totals["bias_pct"] == pytest.approx((270 - 195) / 195 * 100)


@pytest.mark.django_db
def test_a_breach_found_while_no_cycle_is_open_waits_for_the_next_cycle(
    approved_october, users, django_capture_on_commit_callbacks
) -> None:
    from cycles.models import PlanningCycle

    PlanningCycle.objects.filter(pk=approved_october.pk).update(state="approved")
    with django_capture_on_commit_callbacks(execute=True):
        rows_import(SALES_HISTORY, sales_rows({"BEV-1": 10}), None, users[Role.ADMINISTRATOR])
    waiting = PlanException.objects.get(rule__code="actual_vs_consensus", family_code="BEV")
    assert waiting.cycle is None
    approved_october.refresh_from_db()
    december = cycle_open(DEC, users[Role.ADMINISTRATOR], copy_from=approved_october)
    waiting.refresh_from_db()
    assert waiting.cycle == december


@pytest.mark.django_db
def test_tracking_signal_flags_a_product_persistently_below_plan(approved_october, users) -> None:
    from executive import evaluation

    # October's plan is in force for October and November: BEV-1 sold 40 each month
    for month in ("2026-10", "2026-11"):
        rows_import(
            SALES_HISTORY,
            sales_rows({"BEV-1": 40, "BEV-2": 90, "SNK-1": 90}, month),
            None,
            users[Role.ADMINISTRATOR],
        )
    from executive import exceptions
    from executive.models import ExceptionRule

    exceptions.ensure_rules()
    ExceptionRule.objects.filter(code="tracking_signal").update(threshold=1.5)
    evaluation.monitor_execution()
    flagged = PlanException.objects.get(rule__code="tracking_signal")
    assert flagged.scope_key == "product:BEV-1" and flagged.measured == pytest.approx(-2.0)
    assert "over-forecast" in flagged.title


@pytest.mark.django_db
def test_performance_and_health_pages_render_the_monitoring(
    client, approved_october, users
) -> None:
    from executive import evaluation

    rows_import(
        SALES_HISTORY, sales_rows({"BEV-1": 10, "SNK-1": 5}), None, users[Role.ADMINISTRATOR]
    )
    evaluation.monitor_execution()
    client.force_login(users[Role.EXECUTIVE])
    perf = client.get(reverse("executive:performance")).content.decode()
    assert "performance-data" in perf and "BEV" in perf
    health = client.get(reverse("executive:health")).content.decode()
    assert "SIOP November 2026" in health and "SIOP October 2026" in health
    assert OCT < NOV
