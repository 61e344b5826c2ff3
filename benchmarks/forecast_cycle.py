"""Benchmark: one cycle's whole statistical forecast through the Celery path, 10,000 SKUs x 36 months.

What it does (on a dedicated PostgreSQL database, default ``siop_bench_forecast``, created and
migrated here):
1. Seeds the demo company's forecast inputs once (`seed_forecast_inputs`: the demo generator's
   products and 36 months of sales per product over sites and channels, sales by ``COPY``;
   ``--seed-demo`` runs the whole ``seed_demo --skus N --no-cycles`` instead) and opens the
   cycle of the month after the last sales month.
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


def ensure_database(name: str, template: str | None = None) -> str:
    """The URL of database ``name``, created once (as a copy of ``template`` if given) and
    migrated (the migrations added since its creation or its template's)."""
    admin = psycopg2.connect(f"{PG}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            copy = f' TEMPLATE "{template}"' if template else ""
            cursor.execute(f'CREATE DATABASE "{name}"{copy}')
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


def seed(skus: int, fast: bool) -> dt.date:
    """Seed the demo company once; returns the cycle month (after the last sales month)."""
    from django.core.management import call_command

    from datainputs.models import SalesHistory
    from masterdata.models import Product

    if Product.objects.count() < skus:
        if Product.objects.exists():
            raise SystemExit("The benchmark database holds a smaller company; drop it first.")
        started = time.perf_counter()
        if fast:
            seed_forecast_inputs(skus)
        else:
            call_command("seed_demo", skus=skus, no_cycles=True, as_of="2026-11")
        how = "products and sales by COPY" if fast else "seed_demo"
        print(f"seeded {skus} SKUs ({how}) in {time.perf_counter() - started:.1f} s")
    last = SalesHistory.objects.order_by("-month").values_list("month", flat=True).first()
    assert last is not None
    return (last + dt.timedelta(days=32)).replace(day=1)


def seed_forecast_inputs(skus: int, seed_value: int = 42) -> None:
    """What a forecast run reads, from the demo generator: families, sites, channels, products
    (with their like-items) and 36 months of sales, the sales written with one ``COPY``.

    The same products and sales rows as ``seed_demo`` (same generator and seed), without the
    supply, inventory and user data a forecast does not read; ``seed_demo`` inserts the 1.2 M
    sales rows through the ORM, which took 26 minutes at 10,000 SKUs.
    """
    import io

    import numpy as np
    from django.db import connection, transaction

    from datainputs.models import SalesHistory
    from demo import load
    from demo.generate import build_plan
    from masterdata.models import Product
    from siop.bulk import refresh_statistics

    plan = build_plan(seed_value, skus, dt.date(2026, 11, 1))
    with transaction.atomic():
        refs = load._load_reference()
        by_sku = load._load_products(plan, refs.families)
        sales = plan.sales
        frame = sales.assign(
            product_id=sales["sku"].map({k: p.pk for k, p in by_sku.items()}),
            site_id=sales["site"].map({k: s.pk for k, s in refs.sites.items()}),
            channel_id=sales["channel"].map({k: c.pk for k, c in refs.channels.items()}),
            created_at="2026-11-01 00:00:00+00",
            updated_at="2026-11-01 00:00:00+00",
        )
        columns = ["product_id", "site_id", "channel_id", "month", "quantity", "revenue"]
        columns += ["created_at", "updated_at"]
        buffer = io.StringIO()
        frame[columns].to_csv(buffer, index=False, header=False, float_format="%.2f")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {SalesHistory._meta.db_table} ({', '.join(columns)}) FROM STDIN CSV",
                buffer,
            )
    # As an import or seed_demo leaves them: planner statistics on the loaded rows.
    refresh_statistics()
    assert Product.objects.count() == skus and np.isfinite(frame["quantity"]).all()


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
    try:
        time.sleep(6)  # let the worker processes boot (Django setup, engine imports)
    except BaseException:  # interrupted while booting: leave no worker behind
        stop_worker(worker)
        raise
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
    parser.add_argument(
        "--seed-demo",
        action="store_true",
        help="seed with seed_demo (whole company, slow) instead of the forecast inputs by COPY",
    )
    args = parser.parse_args()
    url = ensure_database(args.database)
    setup_django(url, args.redis if args.mode == "worker" else "")
    from django.conf import settings

    from demand.models import StatisticalForecast

    settings.DEMAND_FORECAST_CHUNK_SIZE = args.chunk_size
    cycle, planner = open_cycle(seed(args.skus, fast=not args.seed_demo))
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
