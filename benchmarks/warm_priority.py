"""Benchmark: how long a user's run waits behind background warming, old code next to new code.

Right after a plan build the worker warms every family's demand grid and supply plan grid first
paint and the accuracy report (``siop.warming``); a run clicked meanwhile shares the worker's
two processes and the ``siop`` queue (issue 15: a sign-off's run took 10.2 s at 10,000 SKUs,
mostly waiting). For each side -- the code at ``--base`` (a git worktree made once under /tmp)
and the working tree, alternately, on the same database -- this:

1. empties its Redis database (``--redis``, broker and versioned cache) and starts a real worker
   of that tree (``celery -A siop worker -P prefork -c 2 -Q siop``);
2. for each scenario and ``--after`` offset: drops every cached answer, sends what a plan
   build's end sends (the demand grid warming of the open cycle: every family and the company
   rows; the supply plan grid warming of the latest cycle with a plan) and the accuracy report's
   warming (``build``), with the planned cycle's demand grid as well (``busy``: two long
   warmers, both worker processes warming, as in issue 15), then,
   that many seconds later (both processes busy warming), sends a sign-off run exactly as
   ``request_sign_off`` does (``dispatch``: the ``cycles.sign_off`` task, no priority): the
   open cycle's data inputs sign-off, which the worker refuses at once (the cycle is past that
   stage), so the run's time is its wait; then waits until the warming is done.

Printed per run: when it was sent (s into the warming), how many messages the worker held beyond
the ones its processes were running at that moment, sent -> started (the wait), sent ->
finished, and the warming's end (from its send); then the wait's p50 and max per side.

Run against a copy of ``siop_cs10k_seed`` (10,000 SKUs; created and migrated here):

    .venv/bin/python benchmarks/warm_priority.py [--database siop_warm_10k]
        [--template siop_cs10k_seed] [--base main] [--redis redis://127.0.0.1:6379/5]
        [--after 0.5 4.0 8.0] [--scenarios build busy] [--rounds 2]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmarks.forecast_cycle, in the parent process

WORKER = ["-m", "celery", "-A", "siop", "worker", "-P", "prefork", "-c", "2", "-Q", "siop",
          "--loglevel", "WARNING", "--without-gossip", "--without-mingle"]  # fmt: skip


# the queue's lists, one per priority step (kombu: "siop", then "siop" + "\x06\x16" + step)
SCENARIOS = ("build", "busy")  # see send_warming
Row = dict[str, Any]  # scenario, sent (s into the warming), held, wait, total, warming (s)
QUEUE_LISTS = ["siop", *(f"siop\x06\x16{step}" for step in (3, 6, 9))]


def setup(url: str, redis: str) -> None:
    """Django in this process, on ``url`` and Redis ``redis`` (broker and versioned cache)."""
    os.environ.update(DATABASE_URL=url, CELERY_BROKER_URL=redis, VERSIONED_CACHE_URL=redis)
    os.environ.update(LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="siop.settings")
    import django

    django.setup()


def send_warming(scenario: str) -> None:
    """What the end of a plan build sends (``after_build`` hooks) and a sign-off's snapshot;
    ``busy``: the planned cycle's demand grid as well (two long warmers, as when a build's and
    a forecast's or an import's warming meet)."""
    from cycles.models import ConsensusPlan, PlanningCycle
    from siop import warming

    open_cycle = PlanningCycle.objects.exclude(state__in=("approved", "closed")).latest("month")
    planned = ConsensusPlan.objects.order_by("-cycle__month").values_list("cycle_id", flat=True)
    warming.send("demand.grid", open_cycle.pk)
    warming.send("supply.plan_grid", planned[0])
    if scenario == "busy":
        warming.send("demand.grid", planned[0])
    warming.send("demand.accuracy")


def held_beyond_running() -> int:
    """Messages the worker reserved that none of its processes is running (-1: no answer)."""
    from celery import current_app

    reserved = current_app.control.inspect(timeout=1.0).reserved()
    return sum(len(tasks) for tasks in reserved.values()) if reserved else -1


def timed_sign_off() -> dict[str, float]:
    """Send a sign-off run as ``request_sign_off`` does; seconds sent -> started, -> finished."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from cycles.models import PlanningCycle, SignOffRun
    from cycles.run_tasks import dispatch, task_sender

    cycle = PlanningCycle.objects.exclude(state__in=("approved", "closed")).latest("month")
    admin = get_user_model().objects.filter(is_superuser=True).first()
    with transaction.atomic():
        run = SignOffRun.objects.create(cycle=cycle, requested_by=admin, stage_key="data_inputs",
                                        comment="benchmark", message="Signing off...")  # fmt: skip
        dispatch(run, task_sender(SignOffRun))
    while run.is_active:
        time.sleep(0.05)
        run.refresh_from_db()
    sent, started, done = run.dispatched_at, run.started_at, run.finished_at
    run.delete()  # leaves the cycle as it was: the run only failed its check
    assert sent and started and done, "the run never ran"
    return {"wait": (started - sent).total_seconds(), "total": (done - sent).total_seconds()}


def drained(redis: str) -> bool:
    """No message left in the queue's priority lists and no task running or reserved."""
    import redis as redis_py
    from celery import current_app

    client = redis_py.Redis.from_url(redis)
    if any(client.llen(key) for key in QUEUE_LISTS):
        return False
    inspect = current_app.control.inspect(timeout=1.0)
    active, reserved = inspect.active() or {}, inspect.reserved() or {}
    return bool(active) and not any(active.values()) and not any(reserved.values())


def clear_answers(redis: str) -> None:
    """Drop every cached answer (the versioned cache's keys), so the warming starts cold; the
    broker's keys stay (the running worker's bindings)."""
    import redis as redis_py

    client = redis_py.Redis.from_url(redis)
    for key in client.scan_iter(match="siop-versioned*", count=1000):
        client.delete(key)


def measure(url: str, redis: str, after: list[float], scenarios: list[str]) -> list[Row]:
    """In this process (the tree on ``sys.path``, its worker running), per scenario and
    ``after`` offset: a cold warming, a sign-off run sent that many seconds into it, and the
    warming's end."""
    setup(url, redis)
    rows: list[Row] = []
    for scenario, offset in itertools.product(scenarios, after):
        clear_answers(redis)
        started = time.perf_counter()
        send_warming(scenario)
        time.sleep(max(0.0, started + offset - time.perf_counter()))
        held = held_beyond_running()
        sent = time.perf_counter() - started
        run = timed_sign_off()
        while not drained(redis):
            time.sleep(0.2)
        warmed = time.perf_counter() - started
        rows.append({"scenario": scenario, "sent": sent, "held": held, **run, "warming": warmed})
    return rows


def run_side(tree: Path, url: str, redis: str, after: list[float], scenarios: list[str]
             ) -> list[Row]:  # fmt: skip
    """Empty Redis, start ``tree``'s worker, measure in a child process of ``tree``, stop."""
    import redis as redis_py

    redis_py.Redis.from_url(redis).flushdb()  # our own database only: broker and answers
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": redis,
           "VERSIONED_CACHE_URL": redis, "LOG_LEVEL": "WARNING"}  # fmt: skip
    log = open(f"/tmp/warm_priority_worker_{tree.name}.log", "ab")  # noqa: SIM115
    worker = subprocess.Popen([sys.executable, *WORKER], cwd=tree, env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        time.sleep(8)  # the worker's processes boot (Django setup, engine imports)
        child = [sys.executable, str(Path(__file__).resolve()), "--child", str(tree), "--url",
                 url, "--redis", redis, "--scenarios", *scenarios,
                 "--after", *map(str, after)]  # fmt: skip
        answer = subprocess.run(child, cwd=tree, env=env, check=True, capture_output=True,
                                text=True)  # fmt: skip
        return json.loads(answer.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        log.close()


def report(results: dict[str, list[Row]]) -> None:
    print(f"{'side':<14}{'scenario':>9}{'sent at s':>10}{'held':>6}{'wait s':>9}{'run s':>8}"
          f"{'warming s':>11}")  # fmt: skip
    for side, rows in results.items():
        for row in rows:
            print(f"{side:<14}{row['scenario']:>9}{row['sent']:>10.1f}{row['held']:>6.0f}"
                  f"{row['wait']:>9.2f}{row['total']:>8.2f}{row['warming']:>11.1f}")  # fmt: skip
    for side, rows in results.items():
        for scenario in sorted({row["scenario"] for row in rows}):
            waits = sorted(row["wait"] for row in rows if row["scenario"] == scenario)
            print(f"{side}, {scenario}: wait p50 {waits[len(waits) // 2]:.2f} s, "
                  f"max {waits[-1]:.2f} s over {len(waits)} runs")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="siop_warm_10k")
    parser.add_argument("--template", default="siop_cs10k_seed")
    parser.add_argument("--base", default="main")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--after", type=float, nargs="+", default=[0.5, 4.0, 8.0])
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--rounds", type=int, default=2, help="old/new alternations")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, args.child)
        print(json.dumps(measure(args.url, args.redis, args.after, args.scenarios)))
        return
    from benchmarks._harness import base_tree
    from benchmarks.forecast_cycle import ensure_database

    url = ensure_database(args.database, args.template)
    sides = {f"old ({args.base})": base_tree(args.base, "warm"), "new": ROOT}
    results: dict[str, list[Row]] = {side: [] for side in sides}
    loads = [os.getloadavg()[0]]
    for _ in range(args.rounds):
        for side, tree in sides.items():
            results[side] += run_side(tree, url, args.redis, args.after, args.scenarios)
            loads.append(os.getloadavg()[0])
    print(f"{args.database}: worker -c 2, sign-off runs sent {args.after} s into the warming; "
          f"load average {min(loads):.1f}-{max(loads):.1f}")  # fmt: skip
    report(results)


if __name__ == "__main__":
    main()
