"""Benchmark: the XLSX exports at 10,000 SKUs, the base commit's synchronous export (loaded from
git) next to the background export of the working tree, alternating in the same run.

On a copy of a walked company (``--template``, default ``siop_cs10k``: November approved, so the
demand grid, the consensus plan and finance's scenarios all exist; the newest cycle
with a consensus plan is exported; copied to ``--database`` once
and migrated), through Django's test client with the production middleware:

* demand grid XLSX of the largest family (``/demand/cycles/<id>/export.xlsx?family=N``): old =
  the whole workbook built inside the request; new = the click's request (the run queued, the
  task handed to a held queue as a worker setup would), the worker's build (``execute_export``
  in this process) and the download of the stored file; the click for unchanged data again
  (the stored file is served, nothing rebuilt);
* supply plan grid XLSX of every product (``/supply/<id>/grid/export/``), the same way;
* the reconciliation comparison XLSX (baseline + up to four scenarios), left synchronous: timed.

Both workbooks are compared cell by cell. ``--repeat`` rounds; the times are wall seconds.

    .venv/bin/python benchmarks/export_scale.py [--database siop_bench_exports_10k]
        [--template siop_cs10k] [--base main] [--repeat 2]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._harness import percentile
from benchmarks.demand_grid_scale import clone, old_module
from benchmarks.forecast_cycle import setup_django

GZIP: dict[str, Any] = {"HTTP_ACCEPT_ENCODING": "gzip, deflate"}


def body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def cells(content: bytes) -> list[Any]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return [[list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    out = call()
    return time.perf_counter() - started, out


def new_export(client: Any, url: str) -> dict[str, Any]:
    """The click (queued), the worker's build, the download, then the click again (reused)."""
    from cycles.exports import execute_export
    from cycles.models import ExportRun

    ExportRun.objects.all().delete()  # a cold build every round
    click, answer = timed(lambda: client.get(url, **GZIP))
    assert answer.status_code == 302, answer.status_code
    run = int(answer["Location"].strip("/").split("/")[-1])
    build, status = timed(lambda: execute_export(run))
    assert status == "succeeded", ExportRun.objects.get(pk=run).error
    fetch, got = timed(lambda: body(client.get(f"/exports/{run}/download/")))
    again, reused = timed(lambda: client.get(url, **GZIP))
    assert reused.status_code == 200 and ExportRun.objects.count() == 1
    return {"click": click, "build": build, "download": fetch, "again": again, "bytes": got}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="siop_bench_exports_10k")
    parser.add_argument("--template", default="siop_cs10k")
    parser.add_argument("--base", default="main", help="the commit the old code is read from")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    setup_django(clone(args.database, args.template), "memory://")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from unittest import mock

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client, RequestFactory

    from cycles import exports
    from cycles.models import PlanningCycle
    from masterdata.models import ProductFamily

    settings.ALLOWED_HOSTS = ["*"]
    settings.MEDIA_ROOT = f"/tmp/{args.database}_media"
    held: list[int] = []
    mock.patch.object(exports, "task_sender", lambda model: held.append).start()
    users = get_user_model().objects
    cycle = PlanningCycle.objects.filter(consensus_plan__isnull=False).order_by("-month").first()
    assert cycle is not None, "the template holds no cycle with a consensus plan"
    family = ProductFamily.objects.annotate(n=Count("products")).order_by("-n", "pk").first()
    assert family is not None
    old_demand = old_module("old_demand_xlsx", "demand/xlsx.py", args.base)
    old_spreadsheet = old_module("old_spreadsheet", "siop/spreadsheet.py", args.base)
    with mock.patch.dict(sys.modules, {"siop.spreadsheet": old_spreadsheet}):
        old_supply = old_module("old_supply_views_grid", "supply/views_grid.py", args.base)
    demand_user, supply_user = users.get(username="demand"), users.get(username="supply")
    clients = {}
    for name, user in (("demand", demand_user), ("supply", supply_user)):
        clients[name] = Client()
        clients[name].force_login(user)
    print(f"cycle {cycle} ({cycle.pk}); largest family {family.code}: "
          f"{family.n} products; load {os.getloadavg()[0]:.1f}", flush=True)  # type: ignore[attr-defined]  # fmt: skip
    rf = RequestFactory()
    demand_url = f"/demand/cycles/{cycle.pk}/export.xlsx?family={family.pk}"
    supply_url = f"/supply/{cycle.pk}/grid/export/?measure=receipts"
    results: dict[str, list[float]] = {}

    def keep(label: str, seconds: float) -> None:
        results.setdefault(label, []).append(seconds)

    for round_ in range(args.repeat):
        took, old = timed(lambda: old_demand.grid_workbook(cycle, family, demand_user))
        keep("demand grid XLSX: old, in the request", took)
        new = new_export(clients["demand"], demand_url)
        for part in ("click", "build", "download", "again"):
            keep(f"demand grid XLSX: new, {part}", new[part])
        same_demand = cells(old) == cells(new["bytes"])
        request = rf.get(supply_url)
        request.user = supply_user
        view = old_supply.PlanGridExportView()
        took, old = timed(lambda: body(view.get(request, cycle.pk)))  # noqa: B023 -- called now
        keep("supply plan grid XLSX: old, in the request", took)
        new = new_export(clients["supply"], supply_url)
        for part in ("click", "build", "download", "again"):
            keep(f"supply plan grid XLSX: new, {part}", new[part])
        same_supply = cells(old) == cells(new["bytes"])
        took, answer = timed(lambda: clients["supply"].get(
            f"/reconciliation/{cycle.pk}/compare.xlsx", **GZIP))  # fmt: skip
        keep("reconciliation comparison XLSX (synchronous)", took)
        print(f"round {round_ + 1}: same cells demand {same_demand}, supply {same_supply}; "
              f"comparison HTTP {answer.status_code}, {len(body(answer)):,} bytes; "
              f"load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    for label, times in results.items():
        print(f"  {label:<52} p50 {percentile(times, 0.5):7.2f} s   max {max(times):7.2f} s")


if __name__ == "__main__":
    main()
