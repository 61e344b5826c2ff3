"""Benchmark: the slow navigation pages of issue 15, in-process, old code next to new code.

For each page (the accuracy page, master-data supply terms, new products, the inventory and
supply reviews, the supply review's second page of shortages, the sales-history list and its last
page, the reconciliation, its baseline scenario page, the executive dashboard and the approval
page) the view answers through Django's test client, template included: one untimed warm-up
request as the role that opens it in ``_cycle_walk.py`` (a running server has its templates),
then ``--repeat`` timed rounds in which each of the five roles of the walk's sweep (demand,
supply, inventory, finance, exec) opens it once, each with its own session, as the sweep does;
with the query count. A page the old code does not have (404) is left blank on its side. The code at ``--base`` (a git worktree made once under /tmp) and the
working tree answer alternately, each in its own process, against the same database, so both
see the same load. Printed: p50/p95 of the wall time and of the process CPU time in ms (the
CPU time is what the load of other processes moves least), and queries, old next to new.

Run against a walked company, e.g. a copy of ``siop_cs10k`` (read-only apart from sessions):

    .venv/bin/python benchmarks/nav_pages.py --database siop_pages_10k_new [--base main]
        [--base-database siop_pages_10k] [--repeat 3] [--rounds 4]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks._harness import base_tree
from benchmarks.forecast_cycle import PG, ROOT

ROLES = ("demand", "supply", "inventory", "finance", "exec")


def pages(cycle: int, scenario: int | None) -> dict[str, tuple[str, str]]:
    """Page name -> (demo user of the warm-up, path)."""
    found = {
        "accuracy (cached)": ("demand", "/demand/accuracy/"),
        "master data supply terms": ("supply", "/master/supply-terms/"),
        "new products": ("demand", f"/demand/cycles/{cycle}/new-products/"),
        "inventory review": ("inventory", f"/inventory/{cycle}/"),
        "supply review": ("supply", f"/supply/{cycle}/"),
        "supply shortages, page 2": ("supply", f"/supply/{cycle}/gaps/?offset=10"),
        "sales history": ("demand", "/data/sales-history/"),
        "sales history, last page": ("demand", "/data/sales-history/?page=last"),
        "reconciliation": ("finance", f"/reconciliation/{cycle}/"),
        "executive dashboard": ("exec", f"/executive/{cycle}/"),
        "approval": ("exec", f"/executive/{cycle}/approve/"),
    }
    if scenario is not None:
        found["scenario page"] = ("finance", f"/reconciliation/{cycle}/scenarios/{scenario}/")
    return found


def measure(repeat: int) -> dict[str, dict[str, list[float]]]:
    """In this process (the tree on ``sys.path``): page -> {"ms": [...], "queries": [...]}."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siop.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cycles.models import ConsensusPlan
    from reconciliation.models import ScenarioRun

    settings.ALLOWED_HOSTS = ["*"]
    plan = ConsensusPlan.objects.order_by("-cycle__month").select_related("cycle").first()
    assert plan is not None, "no cycle with a consensus plan: walk one first"
    cycle = plan.cycle
    run = ScenarioRun.objects.filter(cycle=cycle, status="succeeded").order_by("-id").first()
    users = get_user_model().objects
    out: dict[str, dict[str, list[float]]] = {}
    scenario = run.scenario_id if run is not None else None
    for name, (user, path) in pages(cycle.pk, scenario).items():
        client = Client()
        client.force_login(users.get(username=user))
        status = client.get(path).status_code  # warm-up
        if status == 404:
            continue  # a page this code does not have
        assert status == 200, path
        sessions = []
        for role in ROLES:
            sessions.append(Client())
            sessions[-1].force_login(users.get(username=role))
        times, cpu, counts = [], [], []
        for _ in range(repeat):
            for session in sessions:
                with CaptureQueriesContext(connection) as queries:
                    started, used = time.perf_counter(), time.process_time()
                    assert session.get(path).status_code == 200, path
                    times.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - used) * 1000)
                counts.append(float(len(queries.captured_queries)))
        out[name] = {"ms": times, "cpu": cpu, "queries": counts}
    return out


def run_side(tree: Path, url: str, repeat: int) -> dict[str, dict[str, list[float]]]:
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    env.pop("CELERY_BROKER_URL", None)
    env.pop("VERSIONED_CACHE_URL", None)
    answer = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(tree), "--repeat",
         str(repeat)], cwd=tree, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(answer.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="siop_pages_10k")
    parser.add_argument("--base", default="main")
    parser.add_argument(
        "--base-database",
        help="the old code's copy (default: --database); "
        "a copy without the new migrations shows what their indexes bring",
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the five roles")
    parser.add_argument("--rounds", type=int, default=4, help="old/new alternations")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, args.child)
        print(json.dumps(measure(args.repeat)))
        return
    urls = [f"{PG}/{args.base_database or args.database}", f"{PG}/{args.database}"]
    sides = {f"old ({args.base})": base_tree(args.base, "nav"), "new": ROOT}
    results: dict[str, dict[str, dict[str, list[float]]]] = {s: {} for s in sides}
    loads = [os.getloadavg()[0]]
    for _ in range(args.rounds):
        for (side, tree), url in zip(sides.items(), urls, strict=True):
            for page, values in run_side(tree, url, args.repeat).items():
                kept = results[side].setdefault(page, {"ms": [], "cpu": [], "queries": []})
                for measure_name in kept:
                    kept[measure_name] += values[measure_name]
            loads.append(os.getloadavg()[0])
    old, new = sides
    print(f"{args.database}: {args.rounds} x {args.repeat} x {len(ROLES)} roles requests per "
          f"page and side; "
          f"load average {min(loads):.1f}-{max(loads):.1f}")  # fmt: skip
    print(
        "wall ms (p50/p95), the web process's CPU ms (p50/p95: what other processes' load moves "
        "least; the database's own work is not in it) and queries:"
    )
    print(f"{'page':<28}{'old p50':>8}{'p95':>6}{'cpu50':>6}{'cpu95':>6}{'q':>4}  "
          f"{'new p50':>8}{'p95':>6}{'cpu50':>6}{'cpu95':>6}{'q':>4}")  # fmt: skip
    for page in results[new]:
        print(f"{page:<28}{_side(results[old].get(page))}  {_side(results[new][page])}")


def _side(got: dict[str, list[float]] | None) -> str:
    """p50 and p95 of the wall and CPU times, and the most queries, of one side's page."""
    if not got:
        return f"{'-':>8}{'-':>6}{'-':>6}{'-':>6}{'-':>4}"
    ms, cpu = got["ms"], got["cpu"]
    return (f"{percentile(ms, .5):>8.0f}{percentile(ms, .95):>6.0f}{percentile(cpu, .5):>6.0f}"
            f"{percentile(cpu, .95):>6.0f}{max(got['queries']):>4.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
