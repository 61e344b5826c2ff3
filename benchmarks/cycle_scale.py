"""Benchmark: the whole November cycle walked as the users do, at 1,000 and 10,000 SKUs.

For each size (``--skus``; 1,000 is always walked too, as the base of the growth ratio):
1. Seeds a PostgreSQL database with ``seed_demo --skus N --as-of 2026-11`` (timed, with the
   seed process's peak RSS; October closed, November open at its demand review), kept as
   ``<database>_seed`` and cloned for the walk (``--reuse-seed`` skips the seed when present).
2. Starts gunicorn (2 sync workers, DEBUG off, ``--timeout 120`` as production) and a real
   Celery worker (prefork ``-c 2 -Q siop``) on Redis, each in its own process group.
3. Walks the cycle over HTTP as the demo users: demand runs the statistical forecast (click ->
   the progress partial polled every 2 s -> the review and grid show the run), loads the
   largest family's grid (first paint + every page of 200), times the cycle overview while
   two more planners page through grids, saves a family cell, exports the XLSX, signs off;
   the worker's pipeline (targets, supply plan, inventory run, roll-up) is waited for;
   supply and inventory sign off; finance creates best / expected / worst, calculates them
   and the baseline, recommends the expected case and signs off; the executive approves; the
   approved plan is fetched as JSON and CSV, then again with ``If-None-Match`` (expect 304).
   Then every role opens every navigation page and data endpoint ``--repeat`` times.
4. Prints one table: each step's wall time and the peak summed RSS of the web (gunicorn
   master + workers) and worker (Celery) process trees during it, side by side per size with
   the ratio of the largest size to the smallest; p50/p95 of every page and endpoint; every
   request over 2 s; the database's growth over the walk.

Bounded: the seed and every wait give up after ``--step-timeout`` s (3600), every request
after 300 s (gunicorn kills a worker after 120 s); the subprocesses are stopped on exit, error,
Ctrl+C or SIGTERM, and what was measured up to then is printed.

    .venv/bin/python benchmarks/cycle_scale.py --skus 10000 [--skus 1000 10000]
        [--database 'siop_bench_cycle_{n}'] [--redis redis://127.0.0.1:6379/4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _cycle_walk as cw
from benchmarks._harness import ROOT, RssSampler, percentile, start_web
from benchmarks.forecast_cycle import PG, ensure_database, start_worker, stop_worker

MONTH = "2026-11"
BASE_SKUS = 1000


def size_label(skus: int) -> str:
    """1000 -> '1k', 10000 -> '10k', 150 -> '150' (database names, column heads)."""
    return f"{skus // 1000}k" if skus % 1000 == 0 else str(skus)


RATIO_FLOOR_S = 0.25  # the walk's poll: a base below it is no base for a ratio


def ratio(base: float, value: float, floor: float = 0.0) -> str:
    """'x9.8' for value / base; blank when either is missing or the base is zero, and '(base
    < floor)' when the base is under ``floor`` (a step the walk's polls cannot time: its run
    record's line gives the ratio)."""
    if not (base and math.isfinite(base) and math.isfinite(value)):
        return ""
    if base < floor:
        return f"(<{floor:g} s)"
    return f"x{value / base:.1f}"


def _admin(statement: str) -> None:
    admin = psycopg2.connect(f"{PG}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(statement)
    admin.close()


def seed(name: str, skus: int, log: Path, timeout: float) -> tuple[float, float]:
    """A fresh database seeded by ``seed_demo``: (seconds, the seed process's peak RSS in MB).

    The seed is killed after ``timeout`` seconds."""
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    url = ensure_database(name)  # creates and migrates
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    env.pop("CELERY_BROKER_URL", None)  # the previous cycle's runs happen in the seed process
    command = [sys.executable, "manage.py", "seed_demo", "--skus", str(skus), "--as-of", MONTH]
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        try:
            status, usage = _wait_with_usage(process.pid, started + timeout)
        except BaseException:
            process.kill()
            process.wait()
            raise
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise cw.WalkError(f"seed_demo failed ({process.returncode}); see {log}")
    return seconds, usage.ru_maxrss / 1024


def _wait_with_usage(pid: int, deadline: float) -> tuple[int, Any]:
    """The child's wait status and resource usage (``ru_maxrss``: its peak RSS in KiB)."""
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage
        if time.perf_counter() > deadline:
            raise cw.WalkError("seed_demo did not finish within the step timeout")
        time.sleep(1)


def prepare(name: str, skus: int, reuse: bool, out: cw.Measured, timeout: float) -> str:
    """The walk's database, a copy of the seeded one (seeded now unless reused)."""
    seeded = f"{name}_seed"
    admin = psycopg2.connect(f"{PG}/postgres")
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [seeded])
        present = cursor.fetchone() is not None
    admin.close()
    if reuse and present:
        out.notes.append(f"seed: reused {seeded} (not timed)")
    else:
        log = Path(f"/tmp/cycle_scale_seed_{size_label(skus)}.log")
        print(f"  seeding {seeded} (log: {log}) ...", flush=True)
        seconds, peak = seed(seeded, skus, log, timeout)
        out.steps.append(cw.Step("seed_demo (RSS: the seed process)", seconds, math.nan, peak))
        out.loads.append(os.getloadavg()[0])
        print(f"  {'seed_demo':<44}{seconds:9.1f} s  seed process {peak:6.0f} MB", flush=True)
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{seeded}"')
    return ensure_database(name)  # migrations added since the seed, if any


def largest_family(walk: cw.Walk) -> tuple[int, int, int]:
    """(open cycle id, id and product count of the family with the most products)."""
    cycle = walk.sql("SELECT id FROM cycles_planningcycle WHERE month = %s", f"{MONTH}-01")[0][0]
    family, products = walk.sql(
        "SELECT family_id, count(*) FROM masterdata_product GROUP BY family_id "
        "ORDER BY count(*) DESC, family_id LIMIT 1"
    )[0]
    return cycle, family, products


def walk_cycle(walk: cw.Walk, repeat: int) -> None:
    cycle, family, products = largest_family(walk)
    before = walk.sql("SELECT pg_database_size(current_database())")[0][0] / 1e6
    walk.out.notes.append(f"largest family: {products} products")
    walk.expect_state(cycle, "demand_review", "the seed")
    signed_off = cw.demand_steps(walk, cycle, family, products, repeat)
    cw.pipeline_steps(walk, cycle, after=signed_off)
    cw.review_sign_offs(walk, cycle)
    cw.finance_steps(walk, cycle)
    cw.executive_steps(walk, cycle)
    cw.export_steps(walk, cycle, MONTH, repeat)
    cw.sweep(walk, cycle, family, repeat)
    after = walk.sql("SELECT pg_database_size(current_database())")[0][0] / 1e6
    walk.out.notes.append(f"database: {before:,.0f} MB after the seed, {after:,.0f} MB after "
                          f"the walk (+{after - before:,.0f} MB)")  # fmt: skip


def shared_versioned_cache(redis_url: str) -> None:
    """Web and worker share the versioned cache on the benchmark's Redis, as in production
    (``docker-compose.yml``): answers the worker warms serve every gunicorn worker. Answers an
    earlier walk left there are dropped first (a cloned database repeats its data versions)."""
    import redis

    os.environ["VERSIONED_CACHE_URL"] = redis_url
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match="siop-versioned:*", count=1000):
        client.delete(key)


def run_size(out: cw.Measured, args: argparse.Namespace) -> None:
    """Seed, start web + worker, walk, stop them (always); ``out`` keeps what was measured,
    even on an error or an interruption."""
    skus = out.skus
    print(f"\n== {skus:,} SKUs ==", flush=True)
    processes: list[subprocess.Popen[bytes]] = []
    sampler: RssSampler | None = None
    try:
        name = args.database.format(n=size_label(skus))
        url = prepare(name, skus, args.reuse_seed, out, args.step_timeout)
        shared_versioned_cache(args.redis)
        processes.append(start_web(url, args.port, 2, broker=args.redis, timeout=120))
        processes.append(start_worker(url, args.redis, 2))
        sampler = RssSampler({"web": processes[0].pid, "worker": processes[1].pid})
        sampler.start()
        started = time.perf_counter()
        walk = cw.Walk(f"http://127.0.0.1:{args.port}", url, sampler, out, args.step_timeout)
        walk_cycle(walk, args.repeat)
        time.sleep(3)  # what the processes keep once the cycle is done
        kept = sampler.take()
        out.steps.append(cw.Step("whole walk (after the seed)", time.perf_counter() - started,
                                 sampler.overall["web"], sampler.overall["worker"]))  # fmt: skip
        out.steps.append(cw.Step("RSS kept after the cycle", math.nan, kept["web"], kept["worker"]))
    except Exception as exc:  # a benchmark reports what it measured up to the failure
        out.notes.append(f"STOPPED: {type(exc).__name__}: {exc}")
        print(f"  stopped: {exc}", flush=True)
    finally:
        if sampler is not None:
            sampler.stop()
        for process in reversed(processes):
            stop_worker(process)  # SIGTERM to its process group, SIGKILL after 30 s


def _row(cells: list[str], widths: list[int]) -> str:
    return "".join(
        c.ljust(w) if i == 0 else " " + c.rjust(w - 1)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


def _num(value: float, digits: int = 1) -> str:
    return "-" if not math.isfinite(value) else f"{value:,.{digits}f}"


def format_table(results: list[cw.Measured]) -> str:
    """Steps (s, web MB, worker MB per size, time ratio), then requests (p50/p95 ms per size,
    p95 ratio; '!' marks a p95 over 2 s), then slow requests and notes. Pure."""
    labels = [size_label(r.skus) for r in results]
    names = list(dict.fromkeys(s.name for r in results for s in r.steps))
    steps = [{s.name: s for s in r.steps} for r in results]
    missing = cw.Step("", math.nan, math.nan, math.nan)
    head = ["step", *[f"s {x}" for x in labels], "ratio", *[f"web MB {x}" for x in labels],
            *[f"worker MB {x}" for x in labels]]  # fmt: skip
    widths = [46] + [13] * (len(head) - 1)
    lines = [_row(head, widths)]
    for name in names:
        got = [by.get(name, missing) for by in steps]
        lines.append(_row([name[:45], *[_num(s.seconds) for s in got],
                           ratio(got[0].seconds, got[-1].seconds, RATIO_FLOOR_S),
                           *[_num(s.web_mb, 0) for s in got],
                           *[_num(s.worker_mb, 0) for s in got]], widths))  # fmt: skip
    lines += ["", *request_lines(results, labels)]
    for label, result in zip(labels, results, strict=True):
        loads = f"{min(result.loads):.1f}-{max(result.loads):.1f}" if result.loads else "-"
        lines.append(f"\n{label}: load average (1 min) {loads} during the steps")
        lines += [f"  over {cw.SLOW_S:.0f} s: {n} {t:.2f} s (HTTP {c})" for n, t, c in result.slow]
        lines += [f"  {note}" for note in result.notes]
    return "\n".join(lines)


def request_lines(results: list[cw.Measured], labels: list[str]) -> list[str]:
    names = sorted({name for r in results for name in r.requests})
    head = ["page or endpoint", *[f"n {x}" for x in labels], *[f"p50 ms {x}" for x in labels],
            *[f"p95 ms {x}" for x in labels], "p95 ratio"]  # fmt: skip
    widths = [56] + [12] * (len(head) - 1)
    lines = [_row(head, widths)]
    for name in names:
        times = [r.requests.get(name, []) for r in results]
        p50 = [percentile(t, 0.5) * 1000 for t in times]
        p95 = [percentile(t, 0.95) * 1000 for t in times]
        flag = "!" if any(p > cw.SLOW_S * 1000 for p in p95) else ""
        lines.append(_row([f"{flag}{name}"[:55], *[str(len(t)) for t in times],
                           *[_num(p, 0) for p in p50], *[_num(p, 0) for p in p95],
                           ratio(p95[0], p95[-1])], widths))  # fmt: skip
    return lines


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through run_size's finally: subprocesses stopped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, nargs="+", default=[10_000])
    parser.add_argument("--database", default="siop_bench_cycle_{n}",
                        help="name per size; {n} becomes 1k, 10k ...")  # fmt: skip
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--port", type=int, default=8794)
    parser.add_argument("--repeat", type=int, default=3, help="requests per page and role")
    parser.add_argument("--step-timeout", type=float, default=3600.0,
                        help="seconds any one step (the seed, a wait) may take")  # fmt: skip
    parser.add_argument("--reuse-seed", action="store_true",
                        help="walk a copy of an earlier seed (seed not timed)")  # fmt: skip
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in background
    results: list[cw.Measured] = []
    code = 0
    try:
        for skus in sorted({BASE_SKUS, *args.skus}):
            results.append(cw.Measured(skus))
            run_size(results[-1], args)
    except (KeyboardInterrupt, SystemExit) as exc:  # subprocesses already stopped
        results[-1].notes.append("STOPPED: interrupted")
        status = 130 if isinstance(exc, KeyboardInterrupt) else exc.code
        code = status if isinstance(status, int) else 1
    print(f"\nThe {MONTH} cycle walked over HTTP; times in s, RSS in MB (summed over the tree):")
    print(format_table(results))
    if code or any(note.startswith("STOPPED") for r in results for note in r.notes):
        sys.exit(code or 1)


if __name__ == "__main__":
    main()
