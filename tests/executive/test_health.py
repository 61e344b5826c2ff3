"""Process health per cycle: on time, days late, reopenings, overrides and their value added."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from cycles.models import CycleStage, StageEvent
from demand.models import CurrentForecast, DemandOverride, ForecastRun, StatisticalForecast
from executive import health, registers, tasks
from tests.factories import SalesHistoryFactory


@pytest.mark.django_db
def test_health_counts_lateness_reopenings_overrides_and_decisions_past_due(
    exec_cycle, users, catalog
) -> None:
    # given demand signed off two days after its due date, then reopened once
    demand = CycleStage.objects.get(cycle=exec_cycle, key="demand_review")
    late = timezone.make_aware(
        dt.datetime.combine(demand.due_date + dt.timedelta(days=2), dt.time(12))
    )
    event = StageEvent.objects.create(
        cycle=exec_cycle,
        stage_key="demand_review",
        action="sign_off",
        user=users[Role.DEMAND_PLANNER],
    )
    StageEvent.objects.filter(pk=event.pk).update(created_at=late)
    StageEvent.objects.create(
        cycle=exec_cycle,
        stage_key="demand_review",
        action="reopen",
        user=users[Role.ADMINISTRATOR],
        comment="new listing",
    )
    # and the consensus changed one of two forecast cells, for the better (actual 100 each)
    bev1, bev2 = catalog["products"][:2]
    nov = exec_cycle.month
    run = ForecastRun.objects.create(cycle=exec_cycle, status="succeeded")
    CurrentForecast.objects.update_or_create(cycle=exec_cycle, defaults={"run": run})
    for product, stat in ((bev1, 60), (bev2, 100)):
        StatisticalForecast.objects.create(
            run=run,
            product=product,
            month=nov,
            forecast_units=Decimal(stat),
            lower_units=Decimal(0),
            upper_units=Decimal(200),
            model="test",
        )
        SalesHistoryFactory(product=product, site=catalog["site"], month=nov, quantity=Decimal(100))
    DemandOverride.objects.create(
        cycle=exec_cycle,
        product=bev1,
        month=nov,
        consensus_units=Decimal(95),
        statistical_at_entry_units=Decimal(60),
        reason="promotion",
    )
    # when the cycle's facts are refreshed (the Celery task)
    tasks.refresh_cycle(exec_cycle.pk)
    # and a decision due before today still open
    registers.add_entry(
        exec_cycle.pk,
        users[Role.EXECUTIVE],
        registers.EntryInput(
            kind="decision",
            title="Price rise",
            owner=users[Role.FINANCE],
            due_date=dt.date(2026, 11, 10),
        ),
    )
    today = dt.date(2026, 11, 30)
    row = health.cycle_health([exec_cycle], today=today)[0]
    assert row.reopenings == 1
    assert row.decisions_past_due == 1
    # 1 of the 2 forecast cells was overridden
    assert row.override_share_pct == pytest.approx(50.0)
    # WAPE statistical 40/200 = 20 %, consensus 5/200 = 2.5 %: the overrides added 17.5 points
    assert row.fva_pct_points == pytest.approx(17.5)
    # demand 2 days late; data inputs (due 3 Nov) never signed off: 27 days late by the 30th
    assert row.days_late >= 2 + 27
    assert row.on_time == 0
