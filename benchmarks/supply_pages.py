"""Benchmark: the supply review page and the supply plan grid at scale, in-process.

Runs against an existing walked database (a cycle with a succeeded supply run and a consensus
plan, e.g. a copy of the 10,000-SKU company after ``cycle_scale.py``), read-only apart from the
sessions table. Each figure is the view answering through Django's test client as the demo
supply planner (template rendering and JSON encoding included), ``--repeat`` times, printed as
p50/p95/max in ms:

* the supply review page (``/supply/<cycle>/``),
* the grid's first paint: ``grid/data/?part=family`` (family rows + server totals), cold (the
  ``versioned`` cache emptied before each request) and warm (answered from the cache),
* one page of 200 products of the largest family (``family=<id>&limit=200``), cold and warm,
* a revalidation of the first paint with its ETag (304),
* the first paint and the largest family's first page after the warming task a plan build
  sends (``supply.plan_grid_pages.warm_first_paint``), and that task's time on the worker,
* the grid before paging, in the same run: every product row in one answer (no parameters).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siop_d_10k \\
        .venv/bin/python benchmarks/supply_pages.py [--repeat 15] [--cycle ID]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._harness import percentile  # noqa: E402


def timed(label: str, repeat: int, call: Callable[[], Any], before: Callable[[], Any]) -> None:
    """Print p50/p95/max (ms) of ``repeat`` calls of ``call`` after one untimed warm-up call,
    ``before`` run untimed before each."""
    times = []
    before()
    size = call()  # warm-up, untimed: templates and connections, as a running server has them
    for _ in range(repeat):
        before()
        started = time.perf_counter()
        size = call()
        times.append((time.perf_counter() - started) * 1000)
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    print(
        f"{label:<52} p50 {p50:7.0f} ms  p95 {p95:7.0f} ms  max {max(times):7.0f} ms"
        f"  ({size / 1024:,.0f} KB)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--cycle", type=int, help="cycle id (default: the latest with a plan)")
    parser.add_argument("--user", default="supply_planner", help="demo user to sign in as")
    parser.add_argument("--skip-old", action="store_true", help="skip the unpaged grid")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siop.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.db.models import Count, Exists, OuterRef
    from django.test import Client

    from cycles.models import ConsensusPlan, PlanRow
    from masterdata.models import Product

    settings.ALLOWED_HOSTS = ["*"]
    plans = ConsensusPlan.objects.filter(Exists(PlanRow.objects.filter(plan=OuterRef("pk"))))
    if args.cycle:
        plans = plans.filter(cycle_id=args.cycle)
    plan = plans.order_by("-cycle__month").first()
    if plan is None:
        raise SystemExit("No cycle with a consensus plan in this database: walk it first.")
    cycle = plan.cycle
    client = Client()
    client.force_login(get_user_model().objects.get(username=args.user))
    largest = (
        Product.objects.filter(pk__in=PlanRow.objects.filter(plan=plan).values("product_id"))
        .values("family_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert largest is not None
    cache = caches["versioned"]

    def get(url: str, status: int = 200, etag: str = "") -> int:
        response = client.get(url, headers={"If-None-Match": etag} if etag else None)
        assert response.status_code == status, (url, response.status_code, response.content[:300])
        return len(response.content)

    def nothing() -> None:
        return None

    skus = Product.objects.count()
    print(f"cycle {cycle} (id {cycle.pk}), {skus:,} products, plan v{plan.version}, "
          f"largest family {largest['n']} products; {args.repeat} requests each")  # fmt: skip
    review = f"/supply/{cycle.pk}/"
    grid = f"/supply/{cycle.pk}/grid/data/"
    timed("supply review page", args.repeat, lambda: get(review), nothing)
    if "part" in _grid_params():
        family_page = f"{grid}?family={largest['family_id']}&limit=200"
        timed("grid first paint (part=family), cold", args.repeat,
              lambda: get(grid + "?part=family"), cache.clear)  # fmt: skip
        timed("grid first paint (part=family), cached", args.repeat,
              lambda: get(grid + "?part=family"), nothing)  # fmt: skip
        etag = client.get(grid + "?part=family")["ETag"]
        timed("grid first paint revalidated (If-None-Match: 304)", args.repeat,
              lambda: get(grid + "?part=family", 304, etag), nothing)  # fmt: skip
        timed("grid page of 200 products (largest family), cold", args.repeat,
              lambda: get(family_page), cache.clear)  # fmt: skip
        timed("grid page of 200 products (largest family), cached", args.repeat,
              lambda: get(family_page), nothing)  # fmt: skip
        _warmed(cycle.pk, args.repeat, lambda: get(grid + "?part=family") + get(family_page))
    if not args.skip_old:
        timed("grid before paging: every product row (no params)", min(args.repeat, 5),
              lambda: get(grid), nothing)  # fmt: skip


def _warmed(cycle_id: int, repeat: int, first_paint: Callable[[], int]) -> None:
    """The first paint (family rows + the largest family's first page) after the warming task
    a plan build sends, and the task's own time (the worker's), when the code has one."""
    from django.core.cache import caches

    from supply import plan_grid_pages

    warmer = getattr(plan_grid_pages, "warm_first_paint", None)
    if warmer is None:
        return

    def cold_warm() -> int:
        caches["versioned"].clear()
        return int(warmer(cycle_id))

    timed("grid first paint + first page after the warming task", repeat, first_paint, cold_warm)
    timed("the warming task (family rows + every family's first page)", repeat, cold_warm,
          lambda: None)  # fmt: skip


def _grid_params() -> set[str]:
    """The grid data view's part parameters (empty before the paged grid existed)."""
    from supply import views_grid

    return set(getattr(views_grid, "PART_PARAMS", set()))


if __name__ == "__main__":
    main()
