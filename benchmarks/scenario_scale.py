"""Benchmark: reconciliation scenarios at scale through real Celery workers, and the compare page.

What it does (on a dedicated PostgreSQL database, default ``siop_bench_scenario``, created and
migrated here):
1. Seeds the demo company once (``seed_demo --skus N --no-cycles``) and opens the cycle after the
   last sales month. Builds the cycle's consensus plan record (``PlanRow`` per product x site x
   month, ``PlanResourceRow``) from one supply-engine plan of the cycle's inputs, as the plan
   pipeline would (setup, timed separately).
2. Times one scenario end to end (demand +10 % on one family): request -> run succeeded on a real
   worker (prefork ``-c 2``), i.e. reading inputs, levers, the supply engine, the roll-up and the
   stored facts.
3. Times three scenarios requested together (capacity -20 % on the busiest resource, air freight
   allowed, service target 98 %) on the same two worker processes.
4. Times the compare page (baseline + the 4 scenarios) over 20 requests through Django's test
   client (the full view, template and JSON) and prints p50 / p95, next to the workspace page.
   ``--pages-only`` skips 2 and 3 (scenarios calculated by an earlier run).

    .venv/bin/python benchmarks/scenario_scale.py [--skus 10000] [--concurrency 2]
        [--database siop_bench_scenario] [--redis redis://127.0.0.1:6379/2] [--pages-only]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.forecast_cycle import (  # the script runs with the repository root first
    ensure_database,
    seed,
    setup_django,
    start_worker,
    stop_worker,
)


class _SkipRuns(Exception):
    """--pages-only: the scenarios were calculated by an earlier run of this script."""


def _users() -> Any:
    from django.contrib.auth import get_user_model

    from accounts.models import Profile
    from accounts.roles import Role

    users = get_user_model().objects
    finance, _ = users.get_or_create(username="bench_finance")
    Profile.objects.get_or_create(user=finance, defaults={"role": Role.FINANCE})
    admin, _ = users.get_or_create(username="bench_admin")
    Profile.objects.get_or_create(user=admin, defaults={"role": Role.ADMINISTRATOR})
    return finance, admin


def build_consensus_plan(cycle: Any) -> tuple[float, int]:
    """The plan record from one supply plan of the cycle's inputs (stand-in for the pipeline)."""
    from django.db import transaction

    from cycles.plan_models import ConsensusPlan, PlanRow
    from reconciliation.calculation import CONFIG
    from reconciliation.engine import ScenarioBase
    from reconciliation.engine.scenario import run_scenario
    from reconciliation.snapshot import price_frame
    from supply.selectors import cycle_supply_inputs

    plan = ConsensusPlan.objects.filter(cycle=cycle).first()
    if plan is not None and plan.resource_rows.exists():
        return 0.0, PlanRow.objects.filter(plan=plan).count()
    started = time.perf_counter()
    prices = price_frame(cycle)
    result = run_scenario(ScenarioBase(cycle_supply_inputs(cycle), prices), [], CONFIG)
    print(f"consensus plan stand-in solved in {time.perf_counter() - started:.1f} s", flush=True)
    keys = ["product", "site", "period"]
    orders = result.plan.orders.rename(columns={"receipt_period": "period"})
    received = orders.pivot_table(index=keys, columns="source_type", values="quantity_units",
                                  aggfunc="sum", fill_value=0.0)  # fmt: skip
    inv = result.plan.inventory.merge(received.reset_index(), on=keys, how="left")
    inv = inv.merge(prices[["product", "unit_price_eur", "unit_cost_eur"]], on="product")
    for column in ("make", "buy"):
        inv[column] = inv[column].astype(float).fillna(0.0) if column in inv else 0.0
    with transaction.atomic():  # all or nothing: an interrupted setup leaves no partial plan
        rows = _write_plan(cycle, inv, result.plan.resource_utilisation)
    return time.perf_counter() - started, rows


def _write_plan(cycle: Any, inv: Any, resource_utilisation: Any) -> int:
    from cycles.plan_models import ConsensusPlan, PlanResourceRow, PlanRow
    from masterdata.models import Product, Resource, Site

    plan, _ = ConsensusPlan.objects.update_or_create(cycle=cycle, defaults={"version": 1})
    PlanRow.objects.filter(plan=plan).delete()
    products = dict(Product.objects.values_list("sku", "pk"))
    sites = dict(Site.objects.values_list("code", "pk"))
    rows = [
        PlanRow(
            plan=plan, product_id=products[r.product], site_id=sites[r.site],
            month=r.period.to_timestamp().date(), consensus_demand_units=r.demand_units,
            served_units=r.served_units, lost_sales_units=r.lost_sales_units,
            production_units=r.make, purchase_units=r.buy,
            opening_inventory_units=r.opening_units, projected_inventory_units=r.closing_units,
            safety_stock_units=r.safety_stock_units, unit_price_eur=r.unit_price_eur,
            unit_cost_eur=r.unit_cost_eur,
        )
        for r in inv.itertuples(index=False)
    ]  # fmt: skip
    PlanRow.objects.bulk_create(rows, batch_size=5000)
    resources = dict(Resource.objects.values_list("code", "pk"))
    PlanResourceRow.objects.bulk_create(
        PlanResourceRow(plan=plan, resource_id=resources[r.resource],
                        month=r.period.to_timestamp().date(), load_hours=r.load_hours,
                        capacity_hours=r.capacity_hours, overtime_hours=r.overtime_hours)
        for r in resource_utilisation.itertuples(index=False)
    )  # fmt: skip
    return len(rows)


def scenario(cycle: Any, finance: Any, name: str, levers: list[tuple[str, dict[str, Any]]]) -> Any:
    from reconciliation import services
    from reconciliation.models import Scenario

    existing = Scenario.objects.filter(cycle=cycle, name=name).first()
    if existing is not None:
        return existing
    created = services.scenario_create(cycle.pk, finance, name)
    for kind, params in levers:
        services.lever_add(created.pk, finance, kind, params)
    return created


def run_all(scenarios: list[Any], finance: Any) -> tuple[float, list[Any]]:
    from django.db import transaction

    from reconciliation import services

    started = time.perf_counter()
    with transaction.atomic():
        runs = [services.scenario_run_request(s.pk, finance) for s in scenarios]
    while True:
        for run in runs:
            run.refresh_from_db()
        if not any(run.is_active for run in runs):
            return time.perf_counter() - started, runs
        time.sleep(0.25)


def page_times(url: str, user: Any, count: int) -> list[float]:
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.get(url)  # warm-up (imports, template compilation)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def _describe(label: str, runs: list[Any], seconds: float) -> None:
    states = ", ".join(f"{r.scenario.name}: {r.status} {r.error}".strip() for r in runs)
    print(f"{label}: {seconds:.1f} s ({states})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--database", default="siop_bench_scenario")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--pages-only", action="store_true",
                        help="only time the pages, on scenarios calculated by an earlier run")  # fmt: skip
    args = parser.parse_args()
    url = ensure_database(args.database)
    setup_django(url, args.redis)
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from cycles.models import PlanningCycle
    from cycles.services import cycle_open
    from masterdata.models import ProductFamily, Resource
    from reconciliation import services

    setup_test_environment()  # the test client's ALLOWED_HOSTS for the page timings
    month = seed(args.skus, fast=False)  # the whole demo company: scenarios plan supply too
    finance, admin = _users()
    cycle = PlanningCycle.objects.filter(month=month).first() or cycle_open(month, admin)
    seconds, rows = build_consensus_plan(cycle)
    print(f"cycle {cycle.month:%Y-%m}: consensus plan record {rows:,} rows (setup {seconds:.1f} s)")
    family = ProductFamily.objects.order_by("code").values_list("code", flat=True).first()
    busiest = Resource.objects.order_by("-capacity_hours_per_month").values_list("code", flat=True)[
        0
    ]
    baseline = services.baseline_ensure(cycle.pk, finance)
    one = scenario(
        cycle, finance, "Demand +10 %", [("demand_change", {"family": family, "pct": 10})]
    )
    three = [
        scenario(cycle, finance, "Capacity -20 %", [("capacity_change", {"resource": busiest, "pct": -20})]),
        scenario(cycle, finance, "Air allowed", [("air_freight", {"allow": True})]),
        scenario(cycle, finance, "Service 98 %", [("service_target", {"pct": 98})]),
    ]  # fmt: skip
    worker = None if args.pages_only else start_worker(url, args.redis, args.concurrency)
    try:
        if worker is None:
            raise _SkipRuns
        seconds, runs = run_all([baseline], finance)
        _describe("baseline (consensus plan roll-up)", runs, seconds)
        seconds, runs = run_all([one], finance)
        _describe(f"one scenario end to end (worker prefork -c {args.concurrency})", runs, seconds)
        seconds, runs = run_all(three, finance)
        _describe(f"three scenarios together on {args.concurrency} worker processes", runs, seconds)
    except _SkipRuns:
        pass
    finally:
        if worker is not None:
            stop_worker(worker)
    ids = "&".join(f"s={s.pk}" for s in [one, *three])
    for label, path in (("compare page (baseline + 4)", reverse("reconciliation:compare", args=[cycle.pk]) + "?" + ids),
                        ("workspace page", reverse("reconciliation:review", args=[cycle.pk]))):  # fmt: skip
        times = sorted(page_times(path, finance, 20))
        p95 = times[round(0.95 * len(times)) - 1]
        print(f"{label}: p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms over 20 requests")


if __name__ == "__main__":
    main()
