"""Seed the demo company and walk its previous cycle to completion.

The company itself comes from ``demo.generate`` (pure, seed-deterministic) and ``demo.load``
(bulk inserts); the cycles are driven through the same services the browser uses, so the demo's
completed cycle obeys every guard and precondition a real one does.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.utils import timezone

from cycles.models import PlanningCycle
from cycles.services import TransitionError, cycle_close, cycle_open, stage_sign_off
from cycles.stages import STAGE_BY_KEY, STAGES
from demo.generate import build_plan
from demo.hooks import stage_preps
from demo.load import DEMO_PASSWORD, DEMO_USERS, load_plan
from masterdata.models import Product
from siop import warming

logger = logging.getLogger(__name__)
DEMO_LEAD_DAYS = 3  # right after seeding, the open demand review is due this many days ahead


@dataclass(frozen=True)
class SeedSummary:
    created: bool
    text: str


def demo_seed(
    *,
    seed: int,
    sku_count: int,
    as_of: dt.date,
    if_empty: bool = False,
    with_cycles: bool = True,
    today: dt.date | None = None,
) -> SeedSummary:
    """Seed the company, last month's closed cycle and ``as_of``'s open one. ``today`` (default:
    the local date) is the seed's today: the open cycle's due dates are set relative to it."""
    today = today or timezone.localdate()
    if Product.objects.exists():
        if not if_empty:
            raise ValueError("The database already has products; seed into an empty database.")
        text = "Demo data already present; nothing seeded."
        if with_cycles and get_user_model().objects.filter(username="admin").exists():
            text += f"\nCurrent cycle: {current_cycle_ensure(as_of, today)}."
        return SeedSummary(False, text + "\n" + logins_text())
    rng = np.random.default_rng(seed)
    plan = build_plan(seed, sku_count, as_of)
    lines = [f"Seeded {sku_count} products, {len(plan.sales)} sales rows."]
    with warming.paused():  # nobody reads the pages while the company is seeded
        load_plan(plan, rng)
        if with_cycles:
            lines += demo_cycles(as_of, today)
    if with_cycles:
        lines += [f"{c}: {c.get_state_display()}" for c in PlanningCycle.objects.order_by("month")]
    return SeedSummary(True, "\n".join(lines) + "\n" + logins_text())


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


STAGE_USERS = {
    "data_inputs": "admin",
    "demand_review": "demand",
    "supply_review": "supply",
    "inventory_review": "inventory",
    "reconciliation": "finance",
    "executive_review": "exec",
}


def demo_calendar(month: dt.date, today: dt.date) -> dict[str, dt.date]:
    """Due dates of the demo's open cycle of ``month``: the default calendar, shifted later (never
    earlier) so that its current stage, the demand review, is due ``DEMO_LEAD_DAYS`` after
    ``today`` and no open stage is overdue right after seeding. ``today`` is taken within the
    cycle's month (a seed of an earlier month gets that month's calendar ending days)."""
    month_end = month + dt.timedelta(days=calendar.monthrange(month.year, month.month)[1] - 1)
    today = min(max(today, month), month_end)
    default = {s.key: month.replace(day=s.due_day) for s in STAGES}
    lead = today + dt.timedelta(days=DEMO_LEAD_DAYS) - default["demand_review"]
    shift = dt.timedelta(days=max(0, lead.days))
    return {key: due + shift for key, due in default.items()}


def demo_cycles(as_of: dt.date, today: dt.date) -> list[str]:
    """Last month's cycle walked to closed; this month's open and past its data inputs.

    Each stage is prepared by the hooks its app registered and then signed off by its owner. A
    stage whose preconditions still fail stops the walk there (the cycle stays open at that
    stage) and the reason is returned, so seeding never fails because a stage is not ready.
    """
    admin = _user("admin")
    previous_month = (as_of - dt.timedelta(days=1)).replace(day=1)
    previous = cycle_open(previous_month, admin)
    notes = walk_stages(previous, [stage.key for stage in STAGES])
    if not notes:
        cycle_close(previous.pk, admin, "Cycle completed")
    current = cycle_open(as_of, admin, copy_from=previous, due_dates=demo_calendar(as_of, today))
    notes += walk_stages(current, ["data_inputs"])
    current.refresh_from_db()
    if not notes and current.state in STAGE_BY_KEY:
        notes += stage_prepare(current, current.state)  # e.g. this month's forecast is ready
    return notes


def walk_stages(cycle: PlanningCycle, stage_keys: list[str]) -> list[str]:
    """Prepare and sign off ``stage_keys`` in order; stop at the first refusal and say why."""
    for key in stage_keys:
        problems = stage_prepare(cycle, key)
        if problems:
            return problems
        try:
            stage_sign_off(cycle.pk, key, _user(STAGE_USERS[key]), "Demo sign-off")
        except TransitionError as exc:
            return [f"{cycle} stopped at {STAGE_BY_KEY[key].label}: {exc}"]
    return []


def stage_prepare(cycle: PlanningCycle, key: str) -> list[str]:
    """Run the preparations the stage apps registered for ``key``, as the stage's owner."""
    user = _user(STAGE_USERS[key])
    try:
        for prep in stage_preps(key):
            prep(PlanningCycle.objects.get(pk=cycle.pk), user)
    except TransitionError as exc:
        return [f"{cycle} stopped at {STAGE_BY_KEY[key].label}: {exc}"]
    except Exception as exc:  # a broken stage app must not stop `make run`
        logger.exception("Demo preparation of %s failed", key)
        return [f"{cycle} stopped at {STAGE_BY_KEY[key].label}: {type(exc).__name__}: {exc}"]
    return []


def current_cycle_ensure(as_of: dt.date, today: dt.date) -> PlanningCycle:
    """Open the cycle for ``as_of`` (from the latest earlier cycle) unless it exists."""
    existing = PlanningCycle.objects.filter(month=as_of).first()
    if existing is not None:
        return existing
    previous = PlanningCycle.objects.filter(month__lt=as_of).order_by("-month").first()
    return cycle_open(as_of, _user("admin"), copy_from=previous,
                      due_dates=demo_calendar(as_of, today))  # fmt: skip


def logins_text() -> str:
    lines = [f"Demo logins (password '{DEMO_PASSWORD}' for all):"]
    lines += [f"  {username:<12} {role.label}" for username, _, _, role in DEMO_USERS]
    return "\n".join(lines) + "\n"
