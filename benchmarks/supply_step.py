"""Benchmark: the supply plan step of the pipeline at two company sizes, phase by phase.

For each size (default 1,000 and 10,000 SKUs), on its own PostgreSQL database
(``<prefix>_<skus>``, created and migrated here):
1. Setup (once per database, not timed here): ``benchmarks.plan_pipeline.prepare`` seeds the demo
   company, opens the 2026-11 cycle and forecasts; the demand sign-off then runs the pipeline
   once through a real Celery worker (targets -> supply -> projection -> finance), without the
   approval, so the cycle stays open and its supply step can be re-run. That first pipeline's
   supply step time is printed (``pipeline``).
2. Timed, in this process: one supply run of the cycle exactly as the worker executes it
   (``supply.planning.supply_run_execute``), with the wall time of each phase: the staleness
   read (data versions and pins), the input assembly from the database, the validation and
   indexing of the inputs, the rough-cut capacity, the optimisation (model build, solve,
   disaggregation, repair, shortage reasons, gap options) and the writes (result rows by COPY,
   the deferred foreign-key checks at commit, the run's switch to succeeded). The next pipeline
   step that the run queues is not started (the launchers are silenced for the timing).

Prints both sizes side by side with the 10k/1k ratio, so growth is visible; ``--profile`` also
writes a pyinstrument HTML profile of the largest size's run to ``/tmp``.

    .venv/bin/python benchmarks/supply_step.py [--sizes 1000 10000] [--repeat 1] [--profile]
        [--prefix siop_bench_supply] [--redis redis://127.0.0.1:6379/3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.forecast_cycle import ensure_database, setup_django, stop_worker

ROOT = Path(__file__).resolve().parent.parent
AIM_SECONDS = 90.0
PHASES = ("staleness read", "input assembly", "validation + network", "rough-cut capacity",
          "optimisation", "writes")  # fmt: skip


def _prepare(url: str, broker: str, skus: int) -> tuple[Any, float | None]:
    """The open cycle whose pipeline ran once; the first pipeline's supply step time (None when
    the database was prepared by an earlier run)."""
    from django.utils import timezone

    from benchmarks.plan_pipeline import prepare, start_worker, users, wait_for_steps
    from cycles.models import PlanningCycle
    from cycles.plan_models import PlanStep
    from cycles.services import stage_sign_off

    cycle = PlanningCycle.objects.filter(month="2026-11-01").first()
    if cycle is None:
        cycle = prepare(url, broker, skus)
    if PlanStep.objects.filter(cycle=cycle, key="finance", computed_at__isnull=False).exists():
        return cycle, None
    worker = start_worker(url, broker)
    try:
        after, started = timezone.now(), time.perf_counter()
        stage_sign_off(cycle.pk, "demand_review", users()["demand"], "bench")
        done = wait_for_steps(cycle, started, after)
    finally:
        stop_worker(worker)
    return cycle, done["supply"] - done["targets"]


@contextmanager
def _phase_timer(seconds: dict[str, float]) -> Iterator[None]:
    """Wrap the supply run's phases (the functions `supply.planning` calls) with timers."""
    from cycles import plan as cycle_plan
    from supply import planning

    names = {"inputs_read": "staleness read", "cycle_inputs": "input assembly",
             "supply_network": "validation + network", "rough_cut_capacity": "rough-cut capacity",
             "_plan": "optimisation", "_store": "writes"}  # fmt: skip
    originals = {name: getattr(planning, name) for name in names}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[names[name]] = time.perf_counter() - started

        return wrapper

    launchers = dict(cycle_plan._LAUNCHERS)
    cycle_plan._LAUNCHERS.clear()  # the projection step is not part of this measurement
    for name, function in originals.items():
        setattr(planning, name, timed(name, function))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(planning, name, function)
        cycle_plan._LAUNCHERS.update(launchers)


def measure(cycle: Any, profile: Path | None) -> dict[str, Any]:
    """One supply run of ``cycle`` in this process: phase -> seconds, total, run, rows."""
    from benchmarks.plan_pipeline import users
    from supply.models import PlannedOrder, Shortage, SupplyPlanRun
    from supply.planning import supply_run_execute

    run = SupplyPlanRun.objects.create(cycle=cycle, requested_by=users()["supply"])
    seconds: dict[str, float] = {}
    profiler = None
    if profile is not None:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    started = time.perf_counter()
    with _phase_timer(seconds):
        status = supply_run_execute(run.pk)
    total = time.perf_counter() - started
    if profiler is not None and profile is not None:
        profiler.stop()
        profile.write_text(profiler.output_html())
    run.refresh_from_db()
    if status != "succeeded":
        raise SystemExit(f"supply run {run.pk} {status}: {run.error}")
    return {
        **seconds, "total": total, "run": run,
        "orders": PlannedOrder.objects.filter(run=run).count(),
        "shortages": Shortage.objects.filter(run=run).count(),
    }  # fmt: skip


def _size(args: argparse.Namespace, skus: int, profile: bool) -> dict[str, Any]:
    """Prepare and measure one size in a child process (one Django database per process)."""
    import json

    command = [sys.executable, __file__, "--child", str(skus), "--prefix", args.prefix,
               "--redis", args.redis, "--repeat", str(args.repeat)]  # fmt: skip
    if profile:
        command.append("--profile")
    out = subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    *lines, last = out.stdout.strip().splitlines()
    print("\n".join(f"[{skus}] {line}" for line in lines if line.strip()))
    result: dict[str, Any] = json.loads(last)
    return result


def child(args: argparse.Namespace) -> None:
    import json

    skus = args.child
    url = ensure_database(f"{args.prefix}_{skus}")
    setup_django(url, args.redis)
    cycle, pipeline = _prepare(url, args.redis, skus)
    best: dict[str, Any] = {}
    for attempt in range(args.repeat):
        path = Path(f"/tmp/supply_step_{skus}.html") if args.profile and attempt == 0 else None
        result = measure(cycle, path)
        if not best or result["total"] < best["total"]:
            best = result
    run = best.pop("run")
    best.update(pipeline=pipeline, method=run.method, objective=run.objective_eur,
                solve=run.solve_seconds, load=os.getloadavg())  # fmt: skip
    print(json.dumps(best, default=float))


def _row(label: str, values: list[Any], fmt: str, ratio: bool = True) -> str:
    cells = "".join(f"{v:>14{fmt}}" if v is not None else f"{'-':>14}" for v in values)
    growth = ""
    if ratio and len(values) > 1 and values[0] and values[-1] is not None:
        growth = f"{values[-1] / values[0]:>10.1f}x"
    return f"{label:<26}{cells}{growth}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the fastest counts")
    parser.add_argument("--prefix", default="siop_bench_supply")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--profile", action="store_true", help="pyinstrument, largest size")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    sizes = sorted(args.sizes)
    results = [_size(args, skus, args.profile and skus == sizes[-1]) for skus in sizes]
    print(f"supply plan step, in-process run (same code as the worker); load {os.getloadavg()}")
    print(_row("SKUs", sizes, "d", ratio=False) + f"{'ratio':>11}")
    print(_row("first pipeline (worker) s", [r["pipeline"] for r in results], ".1f"))
    for phase in (*PHASES, "total"):
        print(_row(f"{phase} s", [r.get(phase) for r in results], ".1f"))
    print(_row("engine solve_seconds", [r["solve"] for r in results], ".1f"))
    print(_row("planned orders", [r["orders"] for r in results], ",d"))
    print(_row("shortage rows", [r["shortages"] for r in results], ",d"))
    print(_row("objective EUR", [r["objective"] for r in results], ",.0f"))
    print(f"{'method':<26}" + "".join(f"{r['method']:>14}" for r in results))
    print(f"{'load average at the end':<26}" + "".join(
        f"{r['load'][0]:>14.1f}" for r in results))  # fmt: skip
    verdict = "OK" if results[-1]["total"] < AIM_SECONDS else "OVER"
    print(f"aim: supply step at {sizes[-1]:,} SKUs < {AIM_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
