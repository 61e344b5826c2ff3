"""Shared fixtures: one user per role, a ready cycle, and a loaded minimal data set."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from accounts.roles import Role
from cycles.models import PlanningCycle
from cycles.services import cycle_open
from tests.factories import PASSWORD, InventoryFactory, SalesHistoryFactory, user_with_role

# Playwright drives Chromium from a thread with its own event loop; Django's async-safety guard
# would otherwise refuse the ORM calls the live server makes.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CYCLE_MONTH = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # PBKDF2's deliberate slowness costs seconds per test user; security is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_versioned_cache():  # type: ignore[no-untyped-def]
    # Rolled-back tests reuse data versions (and, after a flush, ids): no answer may carry over.
    from django.core.cache import caches

    caches["versioned"].clear()


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    # Stored files (background exports) of one test never meet another's: their rows roll back.
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


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
def master(db):  # type: ignore[no-untyped-def]
    """A small master for import tests: 50 BEV products, site DC1, channel RETAIL."""
    from tests.factories import ChannelFactory, FamilyFactory, ProductFactory, SiteFactory

    family = FamilyFactory(code="BEV")
    products = [ProductFactory(sku=f"BEV-{i:03d}", family=family) for i in range(50)]
    return {
        "family": family,
        "products": products,
        "site": SiteFactory(code="DC1"),
        "channel": ChannelFactory(code="RETAIL"),
    }


@pytest.fixture
def cycle(users) -> PlanningCycle:  # type: ignore[no-untyped-def]
    return cycle_open(CYCLE_MONTH, users[Role.ADMINISTRATOR])


# --- Real Chromium for browser journeys -------------------------------------------------------
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright (Playwright's own browser download fails here)."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, live_server, settings):  # type: ignore[no-untyped-def]
    """A fresh browser context on the live server; use with ``django_db(transaction=True)``."""
    settings.DEBUG = True  # serve static files (vendored JS) from the live server
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def browser_login(page, username: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the real login form."""
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state("networkidle")


# --- A real Celery worker on Redis --------------------------------------------------------------
@pytest.fixture
def celery_worker_redis(settings):  # type: ignore[no-untyped-def]
    """Run the project's Celery app with a real worker thread consuming from real Redis.

    Use with ``django_db(transaction=True)``: the worker thread has its own database connection
    and only sees committed rows. Tasks are sent through Redis, not run eagerly.
    """
    from celery.contrib.testing.worker import start_worker

    from siop.celery import app

    broker = os.environ.get("SIOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    # Read what to restore before touching settings: the app's config loads lazily from them.
    previous = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "result_backend")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(broker_url=broker, task_always_eager=False, result_backend=None)
    _drop_broker_pools(app)  # an earlier eager task cached a producer pool on the old broker URL
    with app.connection_for_write() as connection:
        connection.default_channel.client.flushdb()  # no tasks left over from an earlier run
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield app
    app.conf.update(previous)
    _drop_broker_pools(app)


def _drop_broker_pools(app):  # type: ignore[no-untyped-def]
    from kombu import pools

    pools.reset()  # kombu's global producer pools keep the connection pool they were made for
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
