"""Database side of an inventory run at scale: result frames and COPY into PostgreSQL.

Complements `inventory_scale.py` (engine only). Inside one transaction that is rolled back at
the end (nothing is left behind) it creates a family, the products and sites and a cycle,
runs the full pipeline on the same seeded synthetic data, builds the result frames and
writes them as a run does (COPY on PostgreSQL), then forces the deferred foreign-key checks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siop .venv/bin/python \\
        benchmarks/inventory_store.py [--skus 10000] [--sites 2] [--months 18]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siop.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from inventory_scale import synthetic_data  # noqa: E402

from cycles.models import PlanningCycle  # noqa: E402
from inventory import storage  # noqa: E402
from inventory.engine.pipeline import ITEM_COLUMNS, PipelineParams, run_pipeline  # noqa: E402
from inventory.models import (  # noqa: E402
    InventoryException,
    InventoryRun,
    PolicyRow,
    ProjectionRow,
)
from masterdata.models import Product, ProductFamily, Site  # noqa: E402


def _master(data: dict, skus: int, sites: int) -> None:
    """Create the products and sites and replace the synthetic codes by their ids."""
    family = ProductFamily.objects.create(code="BENCH-FAM", name="Benchmark")
    codes = sorted(data["master"]["product"].unique())
    products = Product.objects.bulk_create(
        [Product(sku=f"BENCH-{c}", name=c, family=family, unit_cost=Decimal("1"),
                 unit_price=Decimal("2")) for c in codes],
        batch_size=5000,
    )  # fmt: skip
    site_rows = [Site.objects.create(code=f"BENCH-S{j}", name=f"S{j}", kind="warehouse")
                 for j in range(sites)]  # fmt: skip
    product_ids = {c: p.pk for c, p in zip(codes, products, strict=True)}
    site_ids = {f"S{j}": s.pk for j, s in enumerate(site_rows)}
    for name in ("master", "history", "flows"):
        data[name]["product"] = data[name]["product"].map(product_ids)
        data[name]["site"] = data[name]["site"].map(site_ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--sites", type=int, default=2)
    parser.add_argument("--months", type=int, default=18)
    args = parser.parse_args()
    print(f"database: {connection.vendor}")
    data = synthetic_data(args.skus, args.sites, args.months, seed=20260101)
    with transaction.atomic():
        _master(data, args.skus, args.sites)
        cycle = PlanningCycle.objects.create(month=dt.date(1999, 1, 1), state="inventory_review")
        run = InventoryRun.objects.create(cycle=cycle)
        items = data["master"][list(ITEM_COLUMNS)]
        overrides = items[["product", "site"]].iloc[:0].assign(
            service_target=np.nan, safety_stock_units=np.nan, order_quantity_units=np.nan,
            reason="",
        )  # fmt: skip
        start = time.perf_counter()
        result = run_pipeline(items, data["history"], data["flows"], overrides, PipelineParams())
        engine = time.perf_counter()
        frames = [
            (PolicyRow, storage.policy_frame(run.pk, result, overrides)),
            (ProjectionRow, storage.projection_frame(run.pk, result.projection)),
            (InventoryException, storage.exception_frame(run.pk, result.exceptions)),
        ]
        built = time.perf_counter()
        for model, frame in frames:
            storage.insert_frame(model, frame)
        copied = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # pay the deferred FK checks now
        stored = time.perf_counter()
        rows = ProjectionRow.objects.filter(run=run).count()
        transaction.set_rollback(True)
    print(
        f"rows: {len(frames[0][1]):,} policies, {rows:,} projection, {len(frames[2][1]):,} exceptions"
    )
    print(f"{'engine pipeline':<28}{engine - start:8.2f} s")
    print(f"{'result frames':<28}{built - engine:8.2f} s")
    print(f"{'insert (COPY)':<28}{copied - built:8.2f} s")
    print(f"{'deferred FK checks':<28}{stored - copied:8.2f} s")
    print(f"{'total':<28}{stored - start:8.2f} s")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
