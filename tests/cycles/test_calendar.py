"""The cycle calendar, starting from the previous cycle, and what the overview page shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.roles import Role
from cycles import carryover, links
from cycles.models import PlanningCycle, StageEvent
from cycles.selectors import stage_track
from cycles.services import TransitionError, cycle_open, stage_reschedule, stage_sign_off
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user) -> None:  # type: ignore[no-untyped-def]
    assert client.login(username=user.username, password=PASSWORD)


def test_new_horizon_defaults_to_the_setting(users, settings) -> None:
    settings.PLANNING_HORIZON_MONTHS = 24
    assert cycle_open(dt.date(2026, 12, 1), users[Role.ADMINISTRATOR]).horizon_months == 24


def test_a_new_cycle_takes_over_the_previous_calendar_and_stage_settings(users) -> None:
    # Given October's calendar moved the demand review to the 10th
    admin = users[Role.ADMINISTRATOR]
    october = cycle_open(dt.date(2026, 10, 1), admin, horizon_months=24)
    stage_reschedule(october.pk, "demand_review", dt.date(2026, 10, 10), admin)
    seen: list[tuple[str, str]] = []
    carryover.register("tests.record")(lambda new, old, user: seen.append((str(new), str(old))))
    try:
        # When November starts from October
        november = cycle_open(dt.date(2026, 11, 1), admin, copy_from=october)
    finally:
        carryover._CARRY_OVERS.pop("tests.record")
    # Then horizon, calendar and registered settings come along, and the start is recorded
    due = dict(november.stages.values_list("key", "due_date"))
    assert november.horizon_months == 24 and due["demand_review"] == dt.date(2026, 11, 10)
    assert seen == [("SIOP November 2026", "SIOP October 2026")]
    assert "Started from SIOP October 2026" in november.events.get(action="open").comment


def test_a_failing_carry_over_opens_no_cycle(users) -> None:
    admin = users[Role.ADMINISTRATOR]
    october = cycle_open(dt.date(2026, 10, 1), admin)

    def broken(new, old, user):  # type: ignore[no-untyped-def]
        raise TransitionError("Inventory parameters could not be copied.")

    carryover.register("tests.broken")(broken)
    try:
        with pytest.raises(TransitionError, match="could not be copied"):
            cycle_open(dt.date(2026, 11, 1), admin, copy_from=october)
    finally:
        carryover._CARRY_OVERS.pop("tests.broken")
    assert not PlanningCycle.objects.filter(month=dt.date(2026, 11, 1)).exists()


def test_a_cycle_cannot_start_from_a_later_one(users) -> None:
    admin = users[Role.ADMINISTRATOR]
    december = cycle_open(dt.date(2026, 12, 1), admin)
    with pytest.raises(TransitionError, match="earlier cycle"):
        cycle_open(dt.date(2026, 11, 1), admin, copy_from=december)


def test_short_months_clamp_due_days(users) -> None:
    admin = users[Role.ADMINISTRATOR]
    january = cycle_open(dt.date(2027, 1, 1), admin)
    stage_reschedule(january.pk, "executive_review", dt.date(2027, 1, 31), admin)
    february = cycle_open(dt.date(2027, 2, 1), admin, copy_from=january)
    assert february.stages.get(key="executive_review").due_date == dt.date(2027, 2, 28)


def test_only_administrators_reschedule_open_stages_and_it_is_recorded(
    users, cycle, loaded_inputs
) -> None:
    with pytest.raises(TransitionError, match="Only an administrator"):
        stage_reschedule(
            cycle.pk, "supply_review", dt.date(2026, 11, 20), users[Role.SUPPLY_PLANNER]
        )
    stage_reschedule(cycle.pk, "supply_review", dt.date(2026, 11, 20), users[Role.ADMINISTRATOR])
    event = StageEvent.objects.get(cycle=cycle, action="reschedule")
    assert "13 Nov -> 20 Nov" in event.comment and event.user == users[Role.ADMINISTRATOR]
    stage_sign_off(cycle.pk, "data_inputs", users[Role.ADMINISTRATOR])
    with pytest.raises(TransitionError, match="reopen it first"):
        stage_reschedule(cycle.pk, "data_inputs", dt.date(2026, 11, 5), users[Role.ADMINISTRATOR])


def test_overview_marks_overdue_stages_and_shows_registered_stage_pages(users, cycle) -> None:
    registered = list(links._LINKS["demand_review"])
    links.register_stage_page("demand_review", "Forecast workspace", lambda c: f"/x/{c.pk}/")
    links.register_stage_page("demand_review", "Not routed", lambda c: reverse("no-such-page"))
    try:
        track = {
            row.stage.key: row
            for row in stage_track(cycle, users[Role.DEMAND_PLANNER], dt.date(2026, 11, 9))
        }
    finally:
        links._LINKS["demand_review"] = registered
    assert track["data_inputs"].is_overdue and track["demand_review"].is_overdue
    assert not track["supply_review"].is_overdue
    shown = [(link.label, link.url) for link in track["demand_review"].links]
    assert shown[0] == ("Demand review", f"/demand/cycles/{cycle.pk}/")
    assert ("Forecast workspace", f"/x/{cycle.pk}/") in shown
    assert all(label != "Not routed" for label, _ in shown)


def test_every_stage_card_links_into_that_cycles_own_stage_pages(users, cycle) -> None:
    # Given any cycle (a past one included)
    track = {row.stage.key: row for row in stage_track(cycle, users[Role.EXECUTIVE])}
    # Then each stage's card links to its workspace for this very cycle
    urls = {key: [link.url for link in row.links] for key, row in track.items()}
    assert urls["data_inputs"][0] == "/data/"
    assert urls["demand_review"][0] == f"/demand/cycles/{cycle.pk}/"
    assert urls["supply_review"][:2] == [f"/supply/{cycle.pk}/", f"/supply/{cycle.pk}/grid/"]
    assert urls["inventory_review"][0] == f"/inventory/{cycle.pk}/"
    assert urls["reconciliation"][0] == f"/reconciliation/{cycle.pk}/"
    assert f"/executive/{cycle.pk}/" in urls["executive_review"]
    assert not any(row.can_reschedule for row in track.values())


def test_cycle_page_shows_every_stage_owner_and_due_date_and_admin_reschedule(
    client, users, cycle
) -> None:
    login(client, users[Role.ADMINISTRATOR])
    page = client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    for label, owner in [
        ("Data inputs", "Administrator"),
        ("Demand review", "Demand planner"),
        ("Supply review", "Supply planner"),
        ("Inventory review", "Inventory planner"),
        ("Integrated reconciliation", "Finance"),
        ("Executive review", "Executive"),
    ]:
        assert f"<h2>{label}</h2>" in page and f"<dd>{owner}</dd>" in page
    assert "Tue 3 Nov 2026" in page and "Change due date" in page
    response = client.post(
        reverse("cycles:reschedule", args=[cycle.pk]),
        {"stage_key": "demand_review", "due_date": "2026-11-09"},
        follow=True,
    )
    assert "Due date changed." in response.content.decode()
    assert cycle.stages.get(key="demand_review").due_date == dt.date(2026, 11, 9)


def test_audit_log_page_filters_by_cycle_and_searches_records(client, users, cycle) -> None:
    from cycles.audit import audit_record

    for key in ("BEV-001@DC1", "SNK-002@DC1"):
        audit_record(
            cycle=cycle,
            table="demand_override",
            record_key=key,
            field="units",
            before=1,
            after=2,
            user=users[Role.DEMAND_PLANNER],
            source="grid",
            reason="promotion",
        )
    login(client, users[Role.FINANCE])
    page = client.get(reverse("cycles:audit"), {"cycle": cycle.pk, "q": "BEV"}).content.decode()
    assert "BEV-001@DC1" in page and "SNK-002@DC1" not in page and "promotion" in page


def test_overview_says_why_the_current_stage_is_not_ready(client, users, cycle) -> None:
    # Given no sales history for October is loaded
    login(client, users[Role.ADMINISTRATOR])
    page = client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    # Then the data-inputs card says so before anyone presses the button
    assert "Sales history for October 2026 is not loaded yet." in page
    track = {row.stage.key: row for row in stage_track(cycle, users[Role.ADMINISTRATOR])}
    assert track["demand_review"].blockers == []


def test_the_top_bar_switches_to_any_recent_cycle(client, users, cycle) -> None:  # type: ignore[no-untyped-def]
    # Given an earlier cycle next to this month's
    earlier = cycle_open(dt.date(2026, 9, 1), users[Role.ADMINISTRATOR])
    client.force_login(users[Role.SUPPLY_PLANNER])
    # When any page is shown
    page = client.get(f"/supply/{cycle.pk}/").content.decode()
    # Then its cycle menu links to both cycles' overviews
    assert f'href="/cycles/{earlier.pk}/"' in page and f'href="/cycles/{cycle.pk}/"' in page
