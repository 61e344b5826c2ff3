"""Benchmark: a planning team on the demand page and its grid, over loopback, bounded in time.

What it does (on a dedicated PostgreSQL database, default ``siop_bench_pages``):
1. Creates, migrates and seeds it with the demo company (``seed_demo --skus N``) unless seeded.
2. Starts gunicorn (``--workers`` sync workers, DEBUG off) like production.
3. Baseline, same run: one user alone, requests one after the other.
4. Load: ``--users`` signed-in demand planners, each in its own thread, alternating the demand
   review page and the grid JSON of a family, as fast as answers come, for ``--seconds``.
5. The same load revalidating like a browser: each user sends the grid's last ETag back
   (``If-None-Match``), as ``fetch`` does for a ``Cache-Control: no-cache`` answer.

Prints requests/s and p50/p95/max latency per endpoint for each phase, so the cost of
concurrency is visible, and the CPU the gunicorn workers spent per request (user + system,
from /proc): on a shared machine the load of other processes moves the latencies, not that.
Usage:

    .venv/bin/python benchmarks/pages_load.py [--users 20] [--seconds 30] [--skus 150]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._harness import ROOT, signed_in, start_web
from benchmarks.forecast_cycle import ensure_database


def ensure_seeded(name: str, skus: int) -> str:
    url = ensure_database(name)
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("CELERY_BROKER_URL", None)  # seeding runs its cycles in-process
    subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--if-empty", "--skus", str(skus)],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    return url


def targets(base: str, session: requests.Session) -> dict[str, str]:
    """The demand review page of the open cycle and its grid JSON (first family)."""
    page = session.get(f"{base}/demand/")
    match = re.search(r'data-grid-url="([^"]+)"', page.text)
    assert match, f"demand page without a grid ({page.status_code} {page.url})"
    return {"demand page": page.url, "grid JSON": base + match.group(1).replace("&amp;", "&")}


def server_cpu_seconds(master: int) -> float:
    """User + system CPU seconds of the gunicorn master and its live workers (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdecimal():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == master or int(fields[1]) == master:  # fields[1]: the parent pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


REVALIDATE = False  # set per phase: send the last ETag back like a browser


def user_loop(
    session: requests.Session, urls: dict[str, str], until: float, out: dict[str, list[float]]
) -> None:
    etags: dict[str, str] = {}
    while time.monotonic() < until:
        for name, url in urls.items():
            headers = {"Accept-Encoding": "gzip"}
            if REVALIDATE and url in etags:
                headers["If-None-Match"] = etags[url]
            start = time.monotonic()
            response = session.get(url, headers=headers)
            elapsed = time.monotonic() - start
            if response.headers.get("ETag"):
                etags[url] = response.headers["ETag"]
            ok = response.ok or response.status_code == 304
            out[name if ok else f"{name} (HTTP {response.status_code})"].append(elapsed)


def measure(
    sessions: list[requests.Session], urls: dict[str, str], seconds: float
) -> tuple[dict[str, list[float]], float]:
    results: list[dict[str, list[float]]] = [defaultdict(list) for _ in sessions]
    until = time.monotonic() + seconds
    started = time.monotonic()
    threads = [
        threading.Thread(target=user_loop, args=(s, urls, until, r))
        for s, r in zip(sessions, results, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged: dict[str, list[float]] = defaultdict(list)
    for result in results:
        for name, times in result.items():
            merged[name].extend(times)
    return merged, time.monotonic() - started


def report(label: str, merged: dict[str, list[float]], wall: float, cpu: float) -> None:
    total = sum(len(t) for t in merged.values())
    print(f"\n{label}: {total} requests in {wall:.1f} s = {total / wall:.1f} requests/s; "
          f"server CPU {1000 * cpu / max(total, 1):.1f} ms/request; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"  {'endpoint':<28}{'n':>7}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for name, times in sorted(merged.items()):
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        print(f"  {name:<28}{len(ordered):>7}{statistics.median(ordered) * 1000:>10.0f}"
              f"{p95 * 1000:>10.0f}{ordered[-1] * 1000:>10.0f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="siop_bench_pages")
    parser.add_argument("--skus", type=int, default=150)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8793)
    args = parser.parse_args()
    url = ensure_seeded(args.database, args.skus)
    server = start_web(url, args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}"
    try:
        sessions = [signed_in(base, "demand") for _ in range(args.users)]
        urls = targets(base, sessions[0])
        phases = [
            ("Baseline, 1 user", sessions[:1], min(10.0, args.seconds), False),
            (f"Load, {args.users} users", sessions, args.seconds, False),
            (f"Load, {args.users} users revalidating (If-None-Match)", sessions, args.seconds,
             True),
        ]  # fmt: skip
        global REVALIDATE
        for label, users, seconds, revalidate in phases:
            REVALIDATE = revalidate
            before = server_cpu_seconds(server.pid)
            merged, wall = measure(users, urls, seconds)
            report(label, merged, wall, server_cpu_seconds(server.pid) - before)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
