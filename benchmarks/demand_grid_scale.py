"""Benchmark: the demand grid's largest family at 10,000 SKUs, first paint, chart, pages of rows
and a family save, the code at ``--base`` (loaded from git) against the working tree, in the
same run.

On a copy of a seeded company (``--template``, default ``siop_cs10k_seed``: November open at its
demand review; copied to ``--database`` once and migrated; a statistical forecast is run in
this process first when the cycle has none), as the largest family's demand planner would:

* the first paint (``part=family`` then ``offset=0&limit=200``) and the family chart
  (``chart.json``), cold, old and new alternating; then the new code's answers after its
  warming task (``demand.grid_warm``) ran, and that task's time (every family, on the worker);
* a page of 200 products (``grid.json?offset=N&limit=200``) for every page of the family, cold
  (the versioned cache emptied before each request: what a worker that never built the page
  does) and warm (the answer cached); p50 / p95 over every page x ``--repeat``;
* a family-cell save (``POST overrides/``: the family total of one month spread over every
  product, audited, answered with the changed cells), first on months nobody overrode yet
  (every product inserted) and again on the same months (every product updated in place),
  the old and the new code alternating on different months.

Every request goes through Django's test client with the production middleware (the browser's
``Accept-Encoding: gzip``, so GZip compresses the answers as it does behind gunicorn). The old
code is the base commit's ``demand`` grid, chart, cache, save and view modules, loaded from git.

    .venv/bin/python benchmarks/demand_grid_scale.py [--database siop_bench_grid_10k]
        [--template siop_cs10k_seed] [--base main] [--repeat 3] [--first-paint-only]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import importlib.util
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._harness import percentile
from benchmarks.forecast_cycle import ROOT, ensure_database, setup_django

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate"}


def clone(database: str, template: str) -> str:
    """``database`` as a copy of ``template`` (made once), migrated."""
    return ensure_database(database, template)


def old_module(name: str, path: str, base: str) -> Any:
    """``path`` as it is at commit ``base``, imported from git as module ``name``."""
    source = subprocess.run(
        ["git", "show", f"{base}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    exec(compile(source, f"{name}.py", "exec"), module.__dict__)
    return module


OLD_MODULES = ("grid", "charts", "grid_cache", "overrides", "views", "pages")


@contextlib.contextmanager
def old_code(base: str) -> Iterator[None]:
    """The demand grid, chart and save views answering with commit ``base``'s code.

    The base's modules are executed in dependency order, each seeing the base's versions of
    the ones before it (``sys.modules`` swapped while they load); the grid, chart and save
    views' handlers are then the base's."""
    import demand.pages as pages
    import demand.views as views

    loaded: dict[str, Any] = {}
    saved = {name: sys.modules[f"demand.{name}"] for name in OLD_MODULES}
    try:
        for name in OLD_MODULES:
            try:
                loaded[name] = old_module(f"old_demand_{name}", f"demand/{name}.py", base)
            except subprocess.CalledProcessError:  # not in the base: the new one serves
                loaded[name] = saved[name]
            sys.modules[f"demand.{name}"] = loaded[name]
    finally:
        sys.modules.update({f"demand.{name}": module for name, module in saved.items()})
    old_views, old_pages = loaded["views"], loaded["pages"]
    with (
        mock.patch.object(views.GridDataView, "get", old_views.GridDataView.get),
        mock.patch.object(views.OverridesSaveView, "post", old_views.OverridesSaveView.post),
        mock.patch.object(pages.ChartDataView, "get", old_pages.ChartDataView.get),
    ):
        yield


def prepare(cycle: Any) -> tuple[Any, Any, int]:
    """(planner, largest family, its product count); runs the forecast when there is none."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from accounts.models import Profile
    from accounts.roles import Role
    from demand.selectors import current_run
    from demand.services import forecast_run_now
    from masterdata.models import ProductFamily

    planner, _ = get_user_model().objects.get_or_create(username="bench_grid_planner")
    Profile.objects.get_or_create(user=planner, defaults={"role": Role.DEMAND_PLANNER})
    if current_run(cycle) is None:
        started = time.perf_counter()
        run = forecast_run_now(cycle.pk, planner)
        print(f"statistical forecast run {run.pk}: {run.status} in "
              f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    family = ProductFamily.objects.annotate(n=Count("products")).order_by("-n", "pk").first()
    assert family is not None
    return planner, family, family.n  # type: ignore[attr-defined]


def line(label: str, times: list[float]) -> str:
    p50, p95 = percentile(times, 0.5) * 1000, percentile(times, 0.95) * 1000
    return f"{label:<52} p50 {p50:7.0f} ms   p95 {p95:7.0f} ms   max {max(times) * 1000:7.0f} ms"


def pages(client: Any, grid: str, count: int, repeat: int, cold: bool) -> list[float]:
    from django.core.cache import caches

    offsets = range(0, count, 200)
    if not cold:  # every page cached first: only hits are timed
        for offset in offsets:
            client.get(f"{grid}&offset={offset}&limit=200", **GZIP)
    times = []
    for _ in range(repeat):
        for offset in offsets:
            if cold:
                caches["versioned"].clear()
            started = time.perf_counter()
            answer = client.get(f"{grid}&offset={offset}&limit=200", **GZIP)
            times.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.content[:300]
    return times


def get_timed(client: Any, urls: list[str], cold: bool) -> float:
    """Seconds to answer ``urls`` one after the other (the cache emptied first when ``cold``)."""
    from django.core.cache import caches

    if cold:
        caches["versioned"].clear()
    started = time.perf_counter()
    for url in urls:
        answer = client.get(url, **GZIP)
        assert answer.status_code == 200, answer.content[:300]
    return time.perf_counter() - started


def alternating(
    variants: dict[str, Callable[[], Any]], repeat: int, measure: Callable[[], float]
) -> dict[str, list[float]]:
    """``measure()`` under each variant in turn, ``repeat`` rounds (old and new share the load)."""
    times: dict[str, list[float]] = {label: [] for label in variants}
    for _ in range(repeat):
        for label, context in variants.items():
            with context():
                times[label].append(measure())
    return times


def first_paint(
    client: Any, cycle: Any, grid: str, chart: str, variants: dict[str, Callable[[], Any]],
    repeat: int,
) -> None:  # fmt: skip
    """Cold first paint (family rows + first page) and family chart, old and new alternating;
    then the new code's after its warming task ran (what the first visitor after a change
    gets) and the task's own time on the worker."""
    from django.core.cache import caches

    from demand.grid_warm import warm_first_paint

    paint = [f"{grid}&part=family", f"{grid}&offset=0&limit=200"]
    for what, urls in (
        ("first paint (family rows + first page)", paint),
        ("family chart", [chart]),
    ):
        times = alternating(variants, repeat, functools.partial(get_timed, client, urls, True))
        for label in variants:
            print(line(f"{label}: {what}, cold", times[label]), flush=True)
    worker, warm = [], []
    for _ in range(repeat):
        caches["versioned"].clear()
        started = time.perf_counter()
        warm_first_paint(cycle.pk)
        worker.append(time.perf_counter() - started)
        warm.append(get_timed(client, [*paint, chart], False))
    print(line("new: first paint + chart after the warming task", warm))
    print(line("new: the warming task (every family, worker)", worker), flush=True)


def save(client: Any, cycle: Any, grid: str, month: dt.date, factor: float) -> float:
    """One family-cell save of ``month`` (the total times ``factor``), timed; 200 or raise."""
    import json

    head = client.get(f"{grid}&part=family").json()
    row = next(r for r in head["rows"] if r["is_family"] and r["measure"] == "consensus")
    key = f"{month:%Y_%m}"
    edit = {"family_id": row["family_id"], "month": f"{month:%Y-%m}",
            "consensus_units": str(round(row["m" + key] * factor, 2)), "version": row["v" + key]}  # fmt: skip
    body = json.dumps({"reason": "customer_intel", "comment": "bench", "edits": [edit]})
    started = time.perf_counter()
    answer = client.post(f"/demand/cycles/{cycle.pk}/overrides/", body,
                         content_type="application/json", **GZIP)  # fmt: skip
    seconds = time.perf_counter() - started
    assert answer.status_code == 200, answer.content[:300]
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="siop_bench_grid_10k")
    parser.add_argument("--template", default="siop_cs10k_seed")
    parser.add_argument("--base", default="main", help="the commit the old code is read from")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--first-paint-only", action="store_true",
                        help="only the first paint, the chart and the warming task")  # fmt: skip
    args = parser.parse_args()
    setup_django(clone(args.database, args.template), "memory://")
    from django.conf import settings
    from django.test import Client

    from cycles.models import PlanningCycle
    from demand.selectors import horizon_months

    settings.ALLOWED_HOSTS = ["*"]
    cycle = PlanningCycle.objects.get(state="demand_review")
    planner, family, count = prepare(cycle)
    client = Client()
    client.force_login(planner)
    grid = f"/demand/cycles/{cycle.pk}/grid.json?family={family.pk}"
    client.get(f"{grid}&part=family")  # the process's first request imports every URL module
    variants: dict[str, Callable[[], Any]] = {
        f"old ({args.base})": lambda: old_code(args.base),
        "new (working tree)": contextlib.nullcontext,
    }
    print(f"family {family.code}: {count} products, {args.repeat} x every page of 200", flush=True)
    chart = f"/demand/cycles/{cycle.pk}/chart.json?family={family.pk}"
    first_paint(client, cycle, grid, chart, variants, args.repeat)
    if args.first_paint_only:
        return
    for label, context in variants.items():
        with context():
            print(
                line(f"{label}: page of 200, cold", pages(client, grid, count, args.repeat, True))
            )
            print(
                line(
                    f"{label}: page of 200, cached", pages(client, grid, count, args.repeat, False)
                )
            )
    months = horizon_months(cycle)[1:]
    for again, factor in ((False, 1.1), (True, 1.05)):
        times: dict[str, list[float]] = {label: [] for label in variants}
        for n in range(args.repeat):
            for k, (label, context) in enumerate(variants.items()):
                with context():
                    month = months[(n * len(variants) + k) % len(months)]
                    times[label].append(save(client, cycle, grid, month, factor))
        what = "re-save (every product updated)" if again else "first save (every product new)"
        for label in variants:
            print(line(f"{label}: family save, {what}", times[label]), flush=True)


if __name__ == "__main__":
    main()
