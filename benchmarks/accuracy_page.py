"""Benchmark: the accuracy page after 1 and after 12 signed-off cycles, at a realistic SKU count.

Seeds a dedicated PostgreSQL database (default ``siop_bench_accuracy``, created and migrated
here) with set-based SQL: ``--skus`` products in 20 families, 24 months of sales history, and
the consensus snapshots a demand sign-off freezes (every product x 18 horizon months, one lag
per month), one cycle at a time (Nov 2025 .. Oct 2026; the sales run to Oct 2026, so every
past month of every snapshot is scored); after each new snapshot the company-wide report is built
once, as the warming task does after each sign-off. After the 1st and the 12th cycle it times:

* ``first``: the accuracy page (the view through Django's test client, template included) right
  after the new snapshot, with nothing warmed: what the warming task (or, with no worker, the
  first visitor) pays after a sign-off. The earlier cycles' scored sums are kept.
* ``p50``/``p95``: ``--repeat`` more answers (the report served from the versioned cache),
* ``all cells``: the report scored from every cell in one query, as it was before the sums were
  kept per cycle (and still is after a sales import, for every cycle at once), in the same run.

The query count is asserted in tests/demand/test_accuracy.py and test_accuracy_cycles.py.

    .venv/bin/python benchmarks/accuracy_page.py [--skus 10000] [--repeat 10] [--database NAME]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.forecast_cycle import ensure_database, setup_django

FIRST_CYCLE = dt.date(2025, 11, 1)


def seed_company(skus: int) -> None:
    """Families, products, one site and channel, and 24 months of sales (once)."""
    from django.db import connection

    from masterdata.models import Product

    if Product.objects.count() >= skus:
        return
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO masterdata_productfamily (created_at, updated_at, code, name)
            SELECT now(), now(), 'F' || g, 'Family ' || g FROM generate_series(1, 20) g;
            INSERT INTO masterdata_site (created_at, updated_at, code, name, kind)
            VALUES (now(), now(), 'DC1', 'DC', 'warehouse');
            INSERT INTO masterdata_channel (created_at, updated_at, code, name, service_priority)
            VALUES (now(), now(), 'RETAIL', 'Retail', 1);
        """)
    from masterdata.models import ProductFamily

    families = list(ProductFamily.objects.values_list("pk", flat=True))
    Product.objects.bulk_create(
        [Product(sku=f"SKU-{n:05d}", name=f"Product {n}", family_id=families[n % len(families)],
                 unit_cost=Decimal("10"), unit_price=Decimal("20"))
         for n in range(skus)],
        batch_size=2000,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO datainputs_saleshistory
                (created_at, updated_at, product_id, site_id, channel_id, month, quantity, revenue)
            SELECT now(), now(), p.id, (SELECT id FROM masterdata_site LIMIT 1),
                   (SELECT id FROM masterdata_channel LIMIT 1),
                   (DATE '2024-11-01' + make_interval(months => g))::date,
                   50 + (p.id * 7 + g * 13) % 40, 1
            FROM masterdata_product p, generate_series(0, 23) g
        """)


def seed_cycles(count: int) -> None:
    """Signed-off cycles ``FIRST_CYCLE`` onwards with their frozen snapshots, up to ``count``."""
    from django.db import connection

    from cycles.models import PlanningCycle

    for n in range(PlanningCycle.objects.count(), count):
        month = dt.date(2025, 11 + n, 1) if n < 2 else dt.date(2026, n - 1, 1)
        cycle = PlanningCycle.objects.create(month=month, state="closed")
        with connection.cursor() as cursor:
            cursor.execute("""
                INSERT INTO demand_consensussnapshot (cycle_id, product_id, month, lag_months,
                    naive_units, statistical_units, consensus_units, frozen_at)
                SELECT %s, p.id, (%s::date + make_interval(months => g))::date, g,
                       60, 55 + (p.id + g) %% 20, 58 + (p.id * 3 + g) %% 25, now()
                FROM masterdata_product p, generate_series(0, 17) g
            """, [cycle.pk, month])  # fmt: skip


def measure(repeat: int) -> dict[str, float]:
    """The accuracy page as an administrator: the first answer after the data changed (the
    report computed) and ``repeat`` more (served from the versioned cache); p50/p95 in s."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from demand.accuracy_sql import accuracy_report

    settings.ALLOWED_HOSTS = ["*"]
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    with connection.cursor() as cursor:  # as autovacuum would after the sign-off's bulk insert
        cursor.execute("ANALYZE demand_consensussnapshot")
    started = time.perf_counter()
    assert client.get("/demand/accuracy/").status_code == 200
    first = time.perf_counter() - started
    all_cells = _all_cells_once()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        assert client.get("/demand/accuracy/").status_code == 200
        times.append(time.perf_counter() - started)
    ordered = sorted(times)
    return {
        "first": first,
        "all": all_cells,
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
        "cells": accuracy_report(None, None)["cell_count"],
    }


def _all_cells_once() -> float:
    """Seconds to score every cell in one query (the report before per-cycle sums), cache
    bypassed; the per-cycle sums already kept are left in the cache."""
    from demand.accuracy_sql import _tables, grouped_sums

    started = time.perf_counter()
    _tables(grouped_sums(["family", "sku"], None, None), grouped_sums(["lag"], None, None))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="siop_bench_accuracy")
    parser.add_argument("--skus", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    setup_django(ensure_database(args.database), "memory://")
    import os

    from django.core.cache import caches

    # Production keeps the versioned cache in Redis for 7 days; the per-process fallback's 10
    # minutes would expire the kept per-cycle sums while the twelve cycles are being seeded.
    caches["versioned"].default_timeout = None

    started = time.perf_counter()
    seed_company(args.skus)
    print(f"{args.skus} SKUs seeded in {time.perf_counter() - started:.1f} s; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{'signed-off cycles':<19}{'scored cells':>13}{'first ms':>10}{'p50 ms':>9}"
          f"{'p95 ms':>9}{'all cells ms':>14}")  # fmt: skip
    from demand.accuracy_warm import warm_report

    for cycles in range(1, 13):
        seed_cycles(cycles)
        if cycles not in (1, 12):
            warm_report()  # what the warming task does after this sign-off
            continue
        m = measure(args.repeat)
        print(f"{cycles:<19}{m['cells']:>13}{m['first'] * 1000:>10.0f}{m['p50'] * 1000:>9.0f}"
              f"{m['p95'] * 1000:>9.0f}{m['all'] * 1000:>14.0f}")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
