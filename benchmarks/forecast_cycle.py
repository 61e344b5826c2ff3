"""Benchmark: one cycle's whole statistical forecast through the Celery path, 10,000 SKUs x 36 months.

What it does (on a dedicated PostgreSQL database, default ``siop_bench_forecast``, created and
migrated here):
1. Seeds the demo company once (``seed_demo --skus 10000 --no-cycles``: 36 months of sales
   history per product over sites and channels) and opens the cycle of the month after the last
   sales month.
2. Requests a forecast run exactly as the browser does (``demand.services.forecast_run_request``,
   sent with ``transaction.on_commit``) and waits until the run record says it finished. Timed:
   request -> run succeeded, i.e. reading history from the database, the engine, writing every
   forecast row and the atomic switch.

Modes:
* ``--mode worker`` (default): a real Celery worker (``celery -A siop worker``, prefork, ``-c 2``)
  is started on Redis for the run and stopped afterwards; chunks are spread over its processes.
* ``--mode eager``: tasks run in this process (``task_always_eager``), chunk after chunk.

    .venv/bin/python benchmarks/forecast_cycle.py [--skus 10000] [--mode worker|eager]
        [--chunk-size 1000] [--concurrency 2] [--redis redis://127.0.0.1:6379/2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"


def ensure_database(name: str) -> str:
    admin = psycopg2.connect(f"{PG}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    url = f"{PG}/{name}"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    return url


def setup_django(url: str, broker: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["CELERY_BROKER_URL"] = broker
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siop.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(skus: int) -> dt.date:
    """Seed the demo company once; returns the cycle month (after the last sales month)."""
    from django.core.management import call_command

    from datainputs.models import SalesHistory
    from masterdata.models import Product

    if Product.objects.count() < skus:
        if Product.objects.exists():
            raise SystemExit("The benchmark database holds a smaller company; drop it first.")
        started = time.perf_counter()
        call_command("seed_demo", skus=skus, no_cycles=True, as_of="2026-11")
        print(f"seeded {skus} SKUs in {time.perf_counter() - started:.1f} s")
    last = SalesHistory.objects.order_by("-month").values_list("month", flat=True).first()
    assert last is not None
    return (last + dt.timedelta(days=32)).replace(day=1)


def open_cycle(month: dt.date):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from accounts.models import Profile
    from accounts.roles import Role
    from cycles.models import PlanningCycle
    from cycles.services import cycle_open

    users = get_user_model().objects
    admin, _ = users.get_or_create(username="bench_admin")
    Profile.objects.get_or_create(user=admin, defaults={"role": Role.ADMINISTRATOR})
    planner, _ = users.get_or_create(username="bench_planner")
    Profile.objects.get_or_create(user=planner, defaults={"role": Role.DEMAND_PLANNER})
    cycle = PlanningCycle.objects.filter(month=month).first() or cycle_open(month, admin)
    return cycle, planner


def start_worker(url: str, broker: str, concurrency: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": broker}
    command = [sys.executable, "-m", "celery", "-A", "siop", "worker", "-P", "prefork"]
    command += ["-c", str(concurrency), "-Q", "siop", "--loglevel", "WARNING", "--without-gossip"]
    command += ["--without-mingle", "--without-heartbeat"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    time.sleep(6)  # let the worker processes boot (Django setup, engine imports)
    return worker


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)


def timed_run(cycle, planner) -> tuple[float, Any]:  # type: ignore[no-untyped-def]
    from django.db import transaction

    from demand.services import forecast_run_request

    started = time.perf_counter()
    with transaction.atomic():
        run = forecast_run_request(cycle.pk, planner)
    while True:
        run.refresh_from_db()
        if not run.is_active:
            return time.perf_counter() - started, run
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--mode", choices=["worker", "eager"], default="worker")
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--database", default="siop_bench_forecast")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/2")
    args = parser.parse_args()
    url = ensure_database(args.database)
    setup_django(url, args.redis if args.mode == "worker" else "")
    from django.conf import settings

    from demand.models import StatisticalForecast

    settings.DEMAND_FORECAST_CHUNK_SIZE = args.chunk_size
    cycle, planner = open_cycle(seed(args.skus))
    worker = start_worker(url, args.redis, args.concurrency) if args.mode == "worker" else None
    try:
        seconds, run = timed_run(cycle, planner)
    finally:
        if worker is not None:
            stop_worker(worker)
    rows = StatisticalForecast.objects.filter(run=run).count()
    how = f"real Celery worker, prefork -c {args.concurrency}" if worker else "eager Celery"
    print(f"cycle {cycle.month:%Y-%m}: run {run.pk} {run.status} {run.error}".rstrip())
    print(f"series {run.series_count}, chunks of {args.chunk_size}, forecast rows {rows}")
    print(f"whole-cycle forecast through Celery ({how}): {seconds:.1f} s")


if __name__ == "__main__":
    main()
