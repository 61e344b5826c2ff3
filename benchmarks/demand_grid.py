"""Benchmark: the demand review grid of one 1,000-product family, new paged load vs the old one.

Seeds directly (no demo): one family of ``--products`` products with 6 months of sales, a
succeeded forecast run with 18 horizon months per product and 5 % of the cells overridden, on a
dedicated PostgreSQL database (default ``siop_bench_grid``, created and migrated here). Then, in
the same process and run, it times (best and median of ``--repeat``):

* first paint: ``grid.json?part=family`` (family rows with server totals + the product count),
* a page of rows: ``grid.json?offset=400&limit=200`` (200 products = 1,200 rows),
* the new full-family answer (every row, no parameters),
* the old full-family load: ``demand/grid.py`` as it was at commit fd8c439 (a pandas loop once
  per product), loaded from git so the baseline is the real old code,
* the XLSX export of the family (openpyxl write-only), with the process's peak RSS before/after.

Each figure is the view answering through Django's test client (JSON encoding included).

    .venv/bin/python benchmarks/demand_grid.py [--products 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.forecast_cycle import ROOT, ensure_database, setup_django

OLD_COMMIT = "fd8c439"
MONTH = dt.date(2026, 11, 1)


def seed(products: int) -> Any:
    """The family, its products, history, one forecast run and some overrides (once)."""
    from decimal import Decimal

    from cycles.models import PlanningCycle
    from datainputs.models import SalesHistory
    from demand.models import CurrentForecast, DemandOverride, ForecastRun, StatisticalForecast
    from masterdata.models import Channel, Product, ProductFamily, Site

    family, _ = ProductFamily.objects.get_or_create(code="BENCH", defaults={"name": "Bench"})
    cycle = PlanningCycle.objects.filter(month=MONTH).first()
    if Product.objects.filter(family=family).count() >= products and cycle is not None:
        return family, cycle
    site, _ = Site.objects.get_or_create(code="DC1", defaults={"name": "DC", "kind": "warehouse"})
    channel, _ = Channel.objects.get_or_create(
        code="RETAIL", defaults={"name": "Retail", "service_priority": 1}
    )
    made = Product.objects.bulk_create(
        Product(sku=f"B{i:05d}", name=f"Bench product {i}", family=family,
                unit_cost=Decimal("4"), unit_price=Decimal("7.5"))
        for i in range(products)
    )  # fmt: skip
    history = [(MONTH - dt.timedelta(days=31 * k)).replace(day=1) for k in range(1, 7)]
    SalesHistory.objects.bulk_create(
        (SalesHistory(product=p, site=site, channel=channel, month=m, quantity=Decimal(50),
                      revenue=Decimal(375)) for p in made for m in history),
        batch_size=5000,
    )  # fmt: skip
    cycle = _open_cycle()
    run = ForecastRun.objects.create(cycle=cycle, status="succeeded", series_count=products)
    horizon = [(MONTH + dt.timedelta(days=31 * k + 1)).replace(day=1) for k in range(18)]
    StatisticalForecast.objects.bulk_create(
        (StatisticalForecast(run=run, product=p, month=m, forecast_units=Decimal(50),
                             lower_units=Decimal(40), upper_units=Decimal(60), model="ets")
         for p in made for m in horizon),
        batch_size=5000,
    )  # fmt: skip
    CurrentForecast.objects.update_or_create(cycle=cycle, defaults={"run": run})
    DemandOverride.objects.bulk_create(
        DemandOverride(cycle=cycle, product=p, month=horizon[i % 18], consensus_units=Decimal(70),
                       statistical_at_entry_units=Decimal(50), version=1)
        for i, p in enumerate(made) if i % 20 == 0
    )  # fmt: skip
    return family, cycle


def _open_cycle() -> Any:
    from django.contrib.auth import get_user_model

    from accounts.models import Profile
    from accounts.roles import Role
    from cycles.services import cycle_open

    admin, _ = get_user_model().objects.get_or_create(username="bench_admin")
    Profile.objects.get_or_create(user=admin, defaults={"role": Role.ADMINISTRATOR})
    cycle = cycle_open(MONTH, admin)
    cycle.state = "demand_review"
    cycle.save(update_fields=["state"])
    return cycle


def old_grid_module() -> Any:
    """``demand/grid.py`` at the commit before the set-based rewrite, imported from git."""
    source = subprocess.run(
        ["git", "show", f"{OLD_COMMIT}:demand/grid.py"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    spec = importlib.util.spec_from_loader("old_demand_grid", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_demand_grid"] = module  # dataclasses look their module up there
    exec(compile(source, "old_demand_grid.py", "exec"), module.__dict__)
    return module


def timed(label: str, repeat: int, call: Callable[[], int]) -> None:
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = call()
        times.append(time.perf_counter() - started)
    print(
        f"{label:<44} best {min(times) * 1000:8.0f} ms   median "
        f"{statistics.median(times) * 1000:8.0f} ms   {size / 1e6:6.2f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database", default="siop_bench_grid")
    args = parser.parse_args()
    setup_django(ensure_database(args.database), "memory://")
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.models import Profile
    from accounts.roles import Role

    settings.ALLOWED_HOSTS = ["*"]
    family, cycle = seed(args.products)
    planner, _ = get_user_model().objects.get_or_create(username="bench_planner")
    Profile.objects.get_or_create(user=planner, defaults={"role": Role.DEMAND_PLANNER})
    client = Client()
    client.force_login(planner)
    base = f"/demand/cycles/{cycle.pk}/grid.json?family={family.pk}"

    def get(url: str) -> int:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        return len(response.content)

    old = old_grid_module()

    def old_load() -> int:
        data = old.grid_data(cycle, family, planner)
        return len(json.dumps({"columns": data.columns(), "rows": data.rows}))

    print(f"demand grid, family of {args.products} products x 24 months, {args.repeat} runs")
    timed("first paint (part=family)", args.repeat, lambda: get(base + "&part=family"))
    timed(
        "page of 200 products (offset=400)",
        args.repeat,
        lambda: get(base + "&offset=400&limit=200"),
    )
    timed("new full family (every row)", args.repeat, lambda: get(base))
    timed(f"OLD full family (grid.py @ {OLD_COMMIT})", min(args.repeat, 3), old_load)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    url = f"/demand/cycles/{cycle.pk}/export.xlsx?family={family.pk}"
    timed("XLSX export of the family", 1, lambda: get(url))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS before the export {before:.0f} MB, after {after:.0f} MB")


if __name__ == "__main__":
    main()
