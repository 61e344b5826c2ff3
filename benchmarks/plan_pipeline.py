"""Benchmark: the whole plan pipeline, demand sign-off -> approved snapshot, with a real worker.

On a dedicated PostgreSQL database (default ``siop_bench_plan``, created and migrated here):
1. Setup (not timed): seeds the demo company once (``seed_demo --skus N --no-cycles``), opens
   the 2026-11 cycle, signs its data inputs off and computes the statistical forecast through
   a Celery worker.
2. Timed, with a fresh real Celery worker (``celery -A siop worker -P solo``, one process, so
   its peak resident memory is the pipeline's): the demand sign-off (freezes the demand, queues
   the pipeline), then each step as the worker finishes it (targets -> supply -> projection ->
   financial roll-up; each from the end of the one before, the first from the sign-off's
   answer), then the supply and inventory sign-offs, finance's baseline scenario and
   recommendation (in-process, printed in brackets), the reconciliation sign-off and the executive
   approval, which writes the approved snapshot (``INSERT ... SELECT`` + SHA-256) in its
   transaction.
Prints each step's time, the approval snapshot's time and rows, and the worker's peak RSS
(VmHWM) next to the issue's aims (whole pipeline < 3 min, worker < 2 GB, snapshot < 10 s).

``--template NAME`` makes the run repeatable: the first run keeps a copy of the prepared database
(seeded, forecast) as ``NAME``; every later run starts from a fresh copy of it (``CREATE DATABASE
... TEMPLATE``, seconds) instead of refusing an existing 2026-11 cycle.

    .venv/bin/python benchmarks/plan_pipeline.py [--skus 10000] [--redis redis://127.0.0.1:6379/3]
        [--database siop_bench_plan] [--template siop_bench_plan_ready]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.forecast_cycle import ensure_database, setup_django, stop_worker

ROOT = Path(__file__).resolve().parent.parent
AIM_PIPELINE_S, AIM_WORKER_MB, AIM_SNAPSHOT_S = 180.0, 2048.0, 10.0
STEPS = ("targets", "supply", "projection", "finance")


def _admin_execute(*statements: str) -> None:
    import psycopg2

    from benchmarks.forecast_cycle import PG

    admin = psycopg2.connect(f"{PG}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    admin.close()


def _database_exists(name: str) -> bool:
    import psycopg2

    from benchmarks.forecast_cycle import PG

    admin = psycopg2.connect(f"{PG}/postgres")
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cursor.fetchone() is not None
    admin.close()
    return found


def clone_from_template(database: str, template: str) -> None:
    """Replace ``database`` with a fresh copy of the prepared ``template`` (not timed)."""
    _admin_execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
                   f'CREATE DATABASE "{database}" TEMPLATE "{template}"')  # fmt: skip


def keep_as_template(database: str, template: str) -> None:
    """Keep a copy of the prepared ``database`` as ``template`` (its connections closed first)."""
    from django.db import connections

    connections.close_all()
    _admin_execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)',
                   f'CREATE DATABASE "{template}" TEMPLATE "{database}"')  # fmt: skip


def start_worker(url: str, broker: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": broker}
    command = [sys.executable, "-m", "celery", "-A", "siop", "worker", "-P", "solo", "-Q", "siop",
               "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
               "--without-heartbeat"]  # fmt: skip
    worker = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    time.sleep(6)  # let the worker boot (Django setup, engine imports)
    return worker


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def users() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    return {u.username: u for u in get_user_model().objects.all()}


def prepare(url: str, broker: str, skus: int) -> Any:
    """Seed, open the cycle, sign data inputs off and forecast (setup, not timed)."""
    import datetime as dt

    from django.core.management import call_command

    from cycles.models import PlanningCycle
    from cycles.services import cycle_open, stage_sign_off
    from demand.services import forecast_run_request
    from masterdata.models import Product

    if not Product.objects.exists():
        call_command("seed_demo", skus=skus, no_cycles=True, as_of="2026-11")
    month = dt.date(2026, 11, 1)
    if PlanningCycle.objects.filter(month=month).exists():
        raise SystemExit(f"{month:%Y-%m} already exists in the benchmark database; drop it.")
    who = users()
    cycle = cycle_open(month, who["admin"])
    stage_sign_off(cycle.pk, "data_inputs", who["admin"], "bench")
    worker = start_worker(url, broker)
    try:
        run = forecast_run_request(cycle.pk, who["demand"])
        while run.is_active or run.status == "queued":
            time.sleep(1)
            run.refresh_from_db()
    finally:
        stop_worker(worker)
    print(f"setup: {skus} SKUs, forecast run {run.pk} {run.status} {run.error}".rstrip())
    return cycle


def wait_for_steps(cycle: Any, started: float, after: Any) -> dict[str, float]:
    from cycles.plan_models import PlanStep

    done: dict[str, float] = {}
    while len(done) < len(STEPS):
        finished = PlanStep.objects.filter(cycle=cycle, key__in=STEPS, computed_at__gt=after)
        for key in finished.values_list("key", flat=True):
            done.setdefault(key, time.perf_counter() - started)
        if time.perf_counter() - started > 3600:
            raise SystemExit(f"Pipeline did not finish within an hour (done: {sorted(done)}).")
        time.sleep(0.5)
    return done


def timed(label: str, call: Any) -> float:
    started = time.perf_counter()
    call()
    seconds = time.perf_counter() - started
    print(f"  {label:<34} {seconds:8.1f} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--database", default="siop_bench_plan")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--template", default="", help="keep/reuse the prepared database")
    args = parser.parse_args()
    reuse = bool(args.template) and _database_exists(args.template)
    if reuse:
        clone_from_template(args.database, args.template)
    url = ensure_database(args.database)
    setup_django(url, args.redis)
    from django.utils import timezone

    from cycles.models import PlanningCycle
    from cycles.plan_models import ApprovedPlan
    from cycles.services import approve_plan, stage_sign_off
    from reconciliation.demo_prep import recommend_baseline

    if reuse:
        cycle = PlanningCycle.objects.get(month="2026-11-01")
    else:
        cycle = prepare(url, args.redis, args.skus)
        if args.template:
            keep_as_template(args.database, args.template)
    who = users()
    worker = start_worker(url, args.redis)
    try:
        after, started = timezone.now(), time.perf_counter()
        print(f"plan pipeline of {args.skus} SKUs (real Celery worker, solo):")
        previous = timed("demand sign-off (freeze, queue)", lambda: stage_sign_off(
            cycle.pk, "demand_review", who["demand"], "bench"))  # fmt: skip
        steps = wait_for_steps(cycle, started, after)
        # each step from the end of the previous one (the first from the sign-off's answer)
        for key in STEPS:
            print(f"  step {key:<29} {steps[key] - previous:8.1f} s (at {steps[key]:.1f} s)")
            previous = steps[key]
        for stage, user in (("supply_review", "supply"), ("inventory_review", "inventory"),
                            ("reconciliation", "finance")):  # fmt: skip
            if stage == "reconciliation":  # finance recommends the baseline scenario first
                timed("(baseline scenario + recommendation)",
                      lambda: recommend_baseline(cycle, who["finance"]))  # fmt: skip
            timed(f"{stage} sign-off", lambda s=stage, u=user: stage_sign_off(
                cycle.pk, s, who[u], "bench"))  # fmt: skip
        snapshot = timed("approval (snapshot + SHA-256)",
                         lambda: approve_plan(cycle.pk, who["exec"], "bench approval"))  # fmt: skip
        total = time.perf_counter() - started
        peak = peak_rss_mb(worker.pid)
    finally:
        stop_worker(worker)
    approved = ApprovedPlan.objects.get(cycle=cycle)
    print(f"approved snapshot: {approved.row_count:,} rows, sha256 {approved.sha256[:16]}...")
    print(f"whole pipeline  {total:8.1f} s   (aim < {AIM_PIPELINE_S:.0f} s)")
    print(f"worker peak RSS {peak:8.0f} MB  (aim < {AIM_WORKER_MB:.0f} MB)")
    print(f"snapshot        {snapshot:8.1f} s   (aim < {AIM_SNAPSHOT_S:.0f} s)")


if __name__ == "__main__":
    main()
