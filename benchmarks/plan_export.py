"""Benchmark: building the approved plan's stored JSON and CSV documents, old way vs new way.

On an existing PostgreSQL database holding an APPROVED (or closed) cycle -- e.g. a copy of the
lead's walked 10,000-SKU company (``CREATE DATABASE "siop_c_10k" TEMPLATE "siop_cs10k"``); it is
only read (migrated first, no-op if current). For each format, in the same run:

* reference: the document built a dict per row (``api.renditions.reference_document_bytes``,
  the renderer before issue 15) and ``gzip.compress`` at level 6, as it was stored;
* new: ``api.renditions.compressed_document`` (column-wise text, ``api.plan_text``, streamed
  into gzip at ``COMPRESS_LEVEL``), what the approval's task and the first call now run.

Prints each build's seconds, the raw and gzip sizes, whether both decompress to the same bytes,
and the machine's load average (the cores are shared), next to the issue's aim (< 3 s each).

    .venv/bin/python benchmarks/plan_export.py --database siop_c_10k [--month 2026-11]
        [--repeat 1] [--skip-reference]
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.forecast_cycle import PG, setup_django

ROOT = Path(__file__).resolve().parent.parent
AIM_S = 3.0


def _load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def _best(repeat: int, build: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = build()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a database with an approved cycle")
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--repeat", type=int, default=1, help="best of N builds per way")
    parser.add_argument("--skip-reference", action="store_true")
    args = parser.parse_args()
    url = f"{PG}/{args.database}"
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT,
                   env={**os.environ, "DATABASE_URL": url}, check=True)  # fmt: skip
    setup_django(url, "memory://")
    from api import exports, renditions
    from cycles.models import PlanningCycle
    from cycles.plan_models import ApprovedPlan

    cycle = PlanningCycle.objects.get(month=f"{args.month}-01")
    source = exports.plan_source(cycle)
    if source is None or source.approved is None:
        sys.exit(f"The {args.month} cycle of {args.database} has no approved plan ({cycle.state}).")
    rows = ApprovedPlan.objects.get(cycle=cycle).rows.count()
    print(f"{args.database}: {args.month} cycle ({cycle.state}), {rows} approved plan rows")
    for fmt in renditions.FORMATS:
        print(f"[{fmt}] load {_load()}")
        new_s, (body, size) = _best(args.repeat, lambda f=fmt: renditions.compressed_document(
            cycle, source, f))  # fmt: skip
        print(f"  new       {new_s:6.2f} s  raw {size / 1e6:6.1f} MB  gzip {len(body) / 1e6:5.1f} MB"
              f"  (aim < {AIM_S:.0f} s)")  # fmt: skip
        if args.skip_reference:
            continue

        def reference(f: str = fmt) -> bytes:
            content = renditions.reference_document_bytes(cycle, source, f)
            return gzip.compress(content, compresslevel=6, mtime=0)

        old_s, old_body = _best(args.repeat, reference)
        same = gzip.decompress(old_body) == gzip.decompress(body)
        print(f"  reference {old_s:6.2f} s  gzip {len(old_body) / 1e6:5.1f} MB (level 6)"
              f"  -> {old_s / new_s:4.1f}x; same document bytes: {same}")  # fmt: skip
        print(f"  load after {_load()}")


if __name__ == "__main__":
    main()
