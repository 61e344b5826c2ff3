"""Benchmark: the cycle walk's export steps alone, over HTTP with a real worker, on a copy of an
already walked company (no 30-minute walk first).

On ``--database`` (a copy of ``--template``, default ``siop_cs10k``: November approved; made
once and migrated) it starts gunicorn (2 workers) and a Celery worker (``-c 2``) as
``cycle_scale.py`` does, then runs ``_cycle_walk``'s steps as the demo users:

* the demand XLSX of the largest family and the supply plan grid XLSX: click -> file
  downloaded (queue, poll the export's progress as htmx does, download), the click's request
  time apart; then the click again for unchanged data (the stored file);
* the approved plan JSON and CSV: time to the last compressed byte, the client's gunzip apart,
  next to the old measurement (``requests`` decoding the body while reading it) in the same run.

    .venv/bin/python benchmarks/export_walk.py [--database siop_bench_export_walk_10k]
        [--template siop_cs10k] [--redis redis://127.0.0.1:6379/4] [--port 8795]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _cycle_walk as cw
from benchmarks._harness import RssSampler, percentile, start_web
from benchmarks.demand_grid_scale import clone
from benchmarks.forecast_cycle import start_worker, stop_worker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="siop_bench_export_walk_10k")
    parser.add_argument("--template", default="siop_cs10k")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--port", type=int, default=8795)
    args = parser.parse_args()
    url = clone(args.database, args.template)
    out = cw.Measured(0)
    processes = [start_web(url, args.port, 2, broker=args.redis, timeout=120),
                 start_worker(url, args.redis, 2)]  # fmt: skip
    sampler = RssSampler({"web": processes[0].pid, "worker": processes[1].pid})
    sampler.start()
    try:
        walk = cw.Walk(f"http://127.0.0.1:{args.port}", url, sampler, out, 1800.0)
        walk.sql("DELETE FROM cycles_exportrun RETURNING id")  # every export built anew
        cycle, month = walk.sql(
            "SELECT id, to_char(month, 'YYYY-MM') FROM cycles_planningcycle "
            "WHERE state = 'approved' ORDER BY month DESC LIMIT 1"
        )[0]
        family, products = walk.sql(
            "SELECT family_id, count(*) FROM masterdata_product GROUP BY family_id "
            "ORDER BY 2 DESC, 1 LIMIT 1"
        )[0]
        print(f"cycle {month} ({cycle}); largest family {products} products; "
              f"load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
        review = f"/demand/cycles/{cycle}/export.xlsx?family={family}"
        for attempt in ("", ", again (stored file)"):
            with walk.step(f"demand XLSX, largest family (click -> file){attempt}"):
                cw.download_export(walk, "demand", f"export: demand XLSX{attempt}", review)
        for kind, query in (("JSON", ""), ("CSV", "?format=csv")):
            path = f"/api/v1/cycles/{month}/plan/{query}"
            with walk.step(f"approved plan {kind}, old measure (incl. client gunzip)"):
                walk.get("exec", f"api: approved plan {kind}, old measure", path)
        cw.export_steps(walk, cycle, month, 0)
        time.sleep(1)
    finally:
        sampler.stop()
        for process in reversed(processes):
            stop_worker(process)
    print("\nrequests (s): p50 / max")
    for label, times in out.requests.items():
        if "poll" not in label:
            print(f"  {label:<56}{percentile(times, 0.5):8.2f}{max(times):8.2f}")
    print("\n".join(f"  {note}" for note in out.notes))
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
