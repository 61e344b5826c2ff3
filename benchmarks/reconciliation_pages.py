"""Benchmark: the reconciliation's pages and the plan's financial roll-up, base commit vs now.

On a copy of a walked company (default the cycle walk's 10,000-SKU template ``siop_cs10k``:
November approved, with the baseline and best / expected / worst calculated), the code of
``--base`` (extracted with ``git archive`` into a temporary directory) and the working tree are
measured in alternating child processes on the same database, so both see the same load:

* pages, through Django's test client (the full view and template): the reconciliation
  workspace, the compare page (baseline + up to 4 scenarios), its XLSX export, the baseline's
  scenario page and the executive dashboard. The first request of a fresh process (empty
  cache) is shown apart; then p50 / p95 over ``--requests`` requests and the queries per page.
* the financial roll-up (``cycles.plan_build.plan_build``, the plan pipeline's last step)
  rebuilding the cycle's plan record from its pinned runs, ``--repeat`` times, each inside a
  transaction rolled back (the cycle's state is set back to the inventory review inside it);
  the executive's after-build refresh is left out, as it runs after the step's commit.

    .venv/bin/python benchmarks/reconciliation_pages.py [--template siop_cs10k]
        [--database siop_bench_recon_10k] [--base main] [--requests 20] [--repeat 2]
        [--rounds 2] [--only pages|rollup]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("workspace", "compare", "compare xlsx", "scenario page", "executive dashboard")


# --- child: measures one code tree ------------------------------------------------------------
def _setup(url: str) -> None:
    os.environ.update(DATABASE_URL=url, LOG_LEVEL="WARNING", CELERY_BROKER_URL="memory://")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siop.settings")
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]


def _urls() -> dict[str, tuple[str, str]]:
    """page -> (user name, path) on the newest cycle with a calculated scenario."""
    from django.urls import reverse

    from reconciliation.models import Scenario, ScenarioRun

    run = ScenarioRun.objects.filter(status="succeeded").order_by("-cycle__month", "-id").first()
    if run is None:
        raise SystemExit("No calculated scenario in the database.")
    cycle = run.cycle
    scenarios = Scenario.objects.filter(cycle=cycle).order_by("pk")
    baseline = scenarios.filter(kind="baseline").first() or scenarios.first()
    chosen = "&".join(f"s={s.pk}" for s in scenarios.exclude(pk=baseline.pk)[:4])  # type: ignore[union-attr]
    return {
        "workspace": ("finance", reverse("reconciliation:review", args=[cycle.pk])),
        "compare": ("finance", reverse("reconciliation:compare", args=[cycle.pk]) + "?" + chosen),
        "compare xlsx": ("finance",
                         reverse("reconciliation:compare_xlsx", args=[cycle.pk]) + "?" + chosen),
        "scenario page": ("finance", reverse("reconciliation:scenario",
                                             args=[cycle.pk, baseline.pk])),  # type: ignore[union-attr]
        "executive dashboard": ("exec", reverse("executive:dashboard", args=[cycle.pk])),
    }  # fmt: skip


def _pages(requests: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    out: dict[str, Any] = {}
    clients: dict[str, Client] = {}
    for name, (user, path) in _urls().items():
        if user not in clients:
            clients[user] = Client()
            clients[user].force_login(get_user_model().objects.get(username=user))
        client = clients[user]
        started = time.perf_counter()
        answer = client.get(path)
        first = time.perf_counter() - started
        assert answer.status_code == 200, (name, answer.status_code)
        queries: list[str] = []

        def counted(execute: Any, sql: str, *rest: Any, seen: list[str] = queries) -> Any:
            seen.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(counted):
            client.get(path)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - started)
        out[name] = {"first": first, "times": times, "queries": len(queries)}
    return out


def _rollup(repeat: int) -> list[float]:
    from django.db import transaction

    from cycles import plan_build
    from cycles.models import PlanningCycle
    from cycles.plan_models import PlanStep

    class _Undo(Exception):
        pass

    plan_build._AFTER_BUILD.clear()  # the executive's refresh runs after the step's commit
    done = PlanStep.objects.filter(key="finance").values("cycle")
    cycle = PlanningCycle.objects.filter(pk__in=done).order_by("-month").first()
    if cycle is None:
        raise SystemExit("No cycle with a financial roll-up in the database.")
    times = []
    for _ in range(repeat):
        try:
            with transaction.atomic():
                PlanningCycle.objects.filter(pk=cycle.pk).update(state="inventory_review")
                started = time.perf_counter()
                plan_build.plan_build(cycle.pk)
                times.append(time.perf_counter() - started)
                raise _Undo
        except _Undo:
            pass
    return times


def child(args: argparse.Namespace) -> None:
    _setup(args.url)
    result: dict[str, Any] = {}
    if args.child in ("pages", "all"):
        result["pages"] = _pages(args.requests)
    if args.child in ("rollup", "all"):
        result["rollup"] = _rollup(args.repeat)
    print("RESULT " + json.dumps(result))


# --- parent: prepares the database and the two trees, alternates, prints ----------------------
def _clone(database: str, template: str) -> str:
    from benchmarks.forecast_cycle import ensure_database

    return ensure_database(database, template)


def _base_tree(base: str, into: str) -> str:
    archive = subprocess.run(["git", "archive", base], cwd=ROOT, check=True,
                             capture_output=True).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return into


def _measure(tree: Path, url: str, what: str, args: argparse.Namespace) -> dict[str, Any]:
    # This script's child code, importing the project's modules from ``tree`` (its cwd).
    command = [sys.executable, str(Path(__file__).resolve()), "--child", what, "--url", url,
               "--requests", str(args.requests), "--repeat", str(args.repeat)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"measurement in {tree} failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    return dict(json.loads(line[len("RESULT ") :]))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def _report(results: dict[str, list[dict[str, Any]]]) -> None:
    print(f"\n{'page':<22}{'code':<8}{'first':>9}{'p50':>9}{'p95':>9}{'queries':>9}  (ms)")
    for page in PAGES:
        for label, runs in results.items():
            measured = [r["pages"][page] for r in runs if "pages" in r]
            if not measured:
                continue
            times = [t * 1000 for m in measured for t in m["times"]]
            first = min(m["first"] for m in measured) * 1000
            print(f"{page:<22}{label:<8}{first:9.0f}{_percentile(times, 0.5):9.0f}"
                  f"{_percentile(times, 0.95):9.0f}{measured[-1]['queries']:9d}")  # fmt: skip
    for label, runs in results.items():
        rollups = [t for r in runs for t in r.get("rollup", [])]
        if rollups:
            shown = ", ".join(f"{t:.2f}" for t in rollups)
            print(f"financial roll-up {label:<5} min {min(rollups):6.2f} s   (each: {shown})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", default="siop_cs10k")
    parser.add_argument("--database", default="siop_bench_recon_10k")
    parser.add_argument("--base", default="main", help="the commit the old code is read from")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=2, help="roll-ups per measurement")
    parser.add_argument("--rounds", type=int, default=2, help="old/new alternations")
    parser.add_argument("--only", choices=("pages", "rollup"), help="measure only this part")
    parser.add_argument("--child", choices=("pages", "rollup", "all"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    url = _clone(args.database, args.template)
    what = args.only or "all"
    print(f"{args.template} -> {args.database}; base {args.base} vs the working tree; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="recon_base_") as tmp:
        trees = {"old": Path(_base_tree(args.base, tmp)), "new": ROOT}
        results: dict[str, list[dict[str, Any]]] = {label: [] for label in trees}
        for n in range(args.rounds):
            for label, tree in trees.items():
                results[label].append(_measure(tree, url, what, args))
                print(f"  round {n + 1}: {label} measured (load {os.getloadavg()[0]:.1f})",
                      flush=True)  # fmt: skip
    _report(results)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
