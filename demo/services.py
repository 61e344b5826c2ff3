"""Seed the demo company and walk its previous cycle to completion."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction

from cycles.models import PlanningCycle
from cycles.services import cycle_close, cycle_open, stage_sign_off
from cycles.stages import STAGES
from demo.generate import build_plan
from demo.load import DEMO_PASSWORD, DEMO_USERS, load_plan
from masterdata.models import Product


@dataclass(frozen=True)
class SeedSummary:
    created: bool
    text: str


def demo_seed(
    *, seed: int, sku_count: int, as_of: dt.date, if_empty: bool = False, with_cycles: bool = True
) -> SeedSummary:
    if Product.objects.exists():
        if if_empty:
            return SeedSummary(
                False, "Demo data already present; nothing seeded.\n" + logins_text()
            )
        raise ValueError("The database already has products; seed into an empty database.")
    rng = np.random.default_rng(seed)
    plan = build_plan(seed, sku_count, as_of)
    load_plan(plan, rng)
    if with_cycles:
        demo_cycles(as_of)
    return SeedSummary(
        True, f"Seeded {sku_count} products, {len(plan.sales)} sales rows.\n" + logins_text()
    )


def _user(role_username: str):  # type: ignore[no-untyped-def]
    return get_user_model().objects.get(username=role_username)


STAGE_USERS = {
    "data_inputs": "admin",
    "demand_review": "demand",
    "supply_review": "supply",
    "inventory_review": "inventory",
    "reconciliation": "finance",
    "executive_review": "exec",
}


@transaction.atomic
def demo_cycles(as_of: dt.date) -> tuple[PlanningCycle, PlanningCycle]:
    """Last month's cycle completed (approved, closed); this month's open in demand review."""
    admin = _user("admin")
    previous_month = (as_of - dt.timedelta(days=1)).replace(day=1)
    previous = cycle_open(previous_month, admin)
    for stage in STAGES:
        stage_sign_off(previous.pk, stage.key, _user(STAGE_USERS[stage.key]), "Demo sign-off")
    cycle_close(previous.pk, admin, "Cycle completed")
    current = cycle_open(as_of, admin, copy_from=previous)
    stage_sign_off(current.pk, "data_inputs", admin, "Sales history and stock loaded")
    return previous, PlanningCycle.objects.get(pk=current.pk)


def logins_text() -> str:
    lines = [f"Demo logins (password '{DEMO_PASSWORD}' for all):"]
    lines += [f"  {username:<12} {role.label}" for username, _, _, role in DEMO_USERS]
    return "\n".join(lines) + "\n"
