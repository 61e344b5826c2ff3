"""The executive decision dashboard at scale: it reads precomputed facts, so its response time
does not depend on the number of SKUs.

Inside one transaction rolled back at the end (nothing is left behind) it writes a consensus plan
of ``--skus`` products x ``--months`` months directly (the plan pipeline is benchmarked by
``plan_pipeline.py``), the previous cycle's approved snapshot of the same size (for the change
waterfall), 11 earlier cycles' facts (the trends) and 200 exceptions. It then times the fact
build (what the Celery task does after a plan build) and the dashboard over ``--requests``
requests, next to a baseline measured in the same run: the cycle list page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siop .venv/bin/python \\
        benchmarks/executive_dashboard.py [--skus 10000] [--months 18] [--requests 50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siop.settings")

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from accounts.models import Profile  # noqa: E402
from accounts.roles import Role  # noqa: E402
from cycles.models import (  # noqa: E402
    ApprovedPlan,
    ApprovedPlanRow,
    ConsensusPlan,
    PlanningCycle,
    PlanRow,
)
from executive import exceptions, tasks  # noqa: E402
from executive.models import FactSource, KpiSnapshot, PlanException  # noqa: E402
from masterdata.models import Product, ProductFamily, Site  # noqa: E402

START = dt.date(1990, 1, 1)


def month_add(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def _catalog(skus: int) -> tuple[list[Product], Site]:
    families = [ProductFamily.objects.create(code=f"BX-F{i}", name=f"F{i}") for i in range(20)]
    rng = np.random.default_rng(20261130)
    prices = rng.uniform(2, 40, skus).round(2)
    products = Product.objects.bulk_create(
        [Product(sku=f"BX-{i:06d}", name=f"P{i}", family=families[i % 20],
                 unit_cost=Decimal(str(round(prices[i] * 0.6, 2))),
                 unit_price=Decimal(str(prices[i]))) for i in range(skus)],
        batch_size=5000,
    )  # fmt: skip
    return products, Site.objects.create(code="BX-DC", name="DC", kind="warehouse")


def _values(product: Product, month: dt.date, demand: float) -> dict[str, object]:
    price, cost = float(product.unit_price), float(product.unit_cost)
    lost = demand * 0.03
    served, stock = demand - lost, demand * 1.5
    return {"month": month, "consensus_demand_units": demand, "served_units": served,
            "lost_sales_units": lost, "projected_inventory_units": stock,
            "unit_price_eur": price, "unit_cost_eur": cost, "revenue_eur": served * price,
            "cogs_eur": served * cost, "gross_margin_eur": served * (price - cost),
            "revenue_at_risk_eur": lost * price, "inventory_value_eur": stock * cost}  # fmt: skip


def _plans(products: list[Product], site: Site, months: int) -> PlanningCycle:
    rng = np.random.default_rng(7)
    demand = rng.gamma(2.0, 50.0, (len(products), months + 1))
    previous = PlanningCycle.objects.create(month=month_add(START, 11), state="approved")
    approved = ApprovedPlan.objects.create(cycle=previous, sha256="0" * 64)
    ApprovedPlanRow.objects.bulk_create(
        (ApprovedPlanRow(approved_plan=approved, product_id_at_approval=p.pk, sku=p.sku,
                         site_code=site.code, family_code=f"BX-F{i % 20}",
                         **_values(p, month_add(previous.month, m), demand[i, m]))
         for i, p in enumerate(products) for m in range(months)),
        batch_size=5000,
    )  # fmt: skip
    cycle = PlanningCycle.objects.create(month=month_add(START, 12), state="executive_review",
                                         previous=previous)  # fmt: skip
    plan = ConsensusPlan.objects.create(cycle=cycle, version=1)
    PlanRow.objects.bulk_create(
        (PlanRow(plan=plan, product=p, site=site,
                 **_values(p, month_add(cycle.month, m), demand[i, m + 1] * 1.02))
         for i, p in enumerate(products) for m in range(months)),
        batch_size=5000,
    )  # fmt: skip
    return cycle


def _history(cycle: PlanningCycle, snap: KpiSnapshot) -> None:
    """11 earlier cycles' facts, so every tile draws its 12-cycle trend."""
    for back in range(1, 12):
        earlier, _ = PlanningCycle.objects.get_or_create(
            month=month_add(cycle.month, -back), defaults={"state": "closed"}
        )
        KpiSnapshot.objects.update_or_create(cycle=earlier, source=FactSource.APPROVED,
                                             defaults={"kpis": snap.kpis})  # fmt: skip


def _exceptions(cycle: PlanningCycle) -> None:
    rule = exceptions.ensure_rules()["shortage_value"]
    PlanException.objects.bulk_create(
        PlanException(cycle=cycle, rule=rule, scope_key=f"bench:{i}", title=f"Bench {i}",
                      value_at_risk_eur=1000.0 * i, tier=3 if i % 10 == 0 else 1 + i % 2)
        for i in range(200)
    )  # fmt: skip


def _p95(client: Client, url: str, requests: int) -> tuple[float, float]:
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    setup_test_environment()
    print(f"database: {connection.vendor}; {args.skus} SKUs x {args.months} months")
    with transaction.atomic():
        started = time.perf_counter()
        products, site = _catalog(args.skus)
        cycle = _plans(products, site, args.months)
        print(f"writing 2 x {args.skus * args.months:,} plan rows: "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        started = time.perf_counter()
        tasks.refresh_cycle(cycle.pk)
        print(f"refresh task after a plan build (facts + plan rules): "
              f"{time.perf_counter() - started:.2f} s")  # fmt: skip
        snap = KpiSnapshot.objects.get(cycle=cycle, source=FactSource.PLAN)
        _history(cycle, snap)
        _exceptions(cycle)
        user = User.objects.create(username="bench-exec")
        Profile.objects.create(user=user, role=Role.EXECUTIVE)
        client = Client()
        client.force_login(user)
        base50, base95 = _p95(client, "/cycles/", args.requests)
        dash50, dash95 = _p95(client, f"/executive/{cycle.pk}/", args.requests)
        print(f"baseline /cycles/ page:  p50 {base50:6.1f} ms  p95 {base95:6.1f} ms")
        print(f"decision dashboard:      p50 {dash50:6.1f} ms  p95 {dash95:6.1f} ms "
              f"over {args.requests} requests (aim: p95 < 300 ms)")  # fmt: skip
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
