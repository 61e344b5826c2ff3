"""Shared fixtures: one user per role, a ready cycle, and a loaded minimal data set."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from accounts.roles import Role
from cycles.models import PlanningCycle
from cycles.services import cycle_open
from tests.factories import InventoryFactory, SalesHistoryFactory, user_with_role

# Playwright drives Chromium from a thread with its own event loop; Django's async-safety guard
# would otherwise refuse the ORM calls the live server makes.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CYCLE_MONTH = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # PBKDF2's deliberate slowness costs seconds per test user; security is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def users(db):  # type: ignore[no-untyped-def]
    return {role: user_with_role(role) for role in Role}


@pytest.fixture
def loaded_inputs(db):  # type: ignore[no-untyped-def]
    """The month before the cycle has sales history and the stock position is current."""
    sale = SalesHistoryFactory(month=dt.date(2026, 10, 1))
    InventoryFactory(product=sale.product, site=sale.site, as_of_date=CYCLE_MONTH)
    return sale


@pytest.fixture
def cycle(users) -> PlanningCycle:  # type: ignore[no-untyped-def]
    return cycle_open(CYCLE_MONTH, users[Role.ADMINISTRATOR])
