"""The November cycle walked over HTTP by the demo users, for ``cycle_scale.py``.

Every click is the request the browser sends (form posts with the CSRF token, htmx polls of a
run's progress partial every 2 s); waits that no page shows exactly (the plan pipeline's steps
after the demand sign-off, a cycle's state after a sign-off) read the database with one query.
Each request is timed under a name (p50/p95 later), each step's wall time is kept with the peak
summed RSS of the web and worker process trees during it.
"""

from __future__ import annotations

import functools
import gzip
import html
import math
import os
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg2
import requests

from benchmarks._harness import RssSampler, signed_in

SLOW_S = 2.0  # a request over this is flagged (issue 15: no request over 2 s in the walk)
ROLES = ("demand", "supply", "inventory", "finance", "exec")
PIPELINE = (("targets", "inventory targets"), ("supply", "supply plan"),
            ("projection", "inventory run (projection)"), ("finance", "financial roll-up"))  # fmt: skip
ACTIVE = {"queued", "running", "pending", "started"}


class WalkError(RuntimeError):
    """A step did not end as the user expects (wrong answer, wrong state, timeout)."""


@dataclass
class Step:
    name: str
    seconds: float
    web_mb: float
    worker_mb: float


@dataclass
class Measured:
    """What one walk measured: steps in order, request times by name (s), slow requests."""

    skus: int
    steps: list[Step] = field(default_factory=list)
    requests: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    sizes: dict[str, int] = field(default_factory=dict)
    slow: list[tuple[str, float, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)


class Walk:
    """Signed-in sessions of the demo users on ``base`` and the bookkeeping of one walk."""

    def __init__(self, base: str, db_url: str, sampler: RssSampler, out: Measured,
                 step_timeout: float) -> None:  # fmt: skip
        self.base, self.db_url, self.sampler, self.out = base, db_url, sampler, out
        self.step_timeout = step_timeout
        self.who = {role: signed_in(base, role) for role in ROLES}

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg2.connect(self.db_url) as conn, conn.cursor() as cursor:
            cursor.execute(query, params)
            rows = cursor.fetchall()
        conn.close()
        return rows

    def request(self, role: str, name: str, method: str, path: str,
                **kwargs: Any) -> requests.Response:  # fmt: skip
        """One timed request as ``role``; non-2xx/3xx answers are kept under their status."""
        session = self.who[role]
        headers = {"Accept-Encoding": "gzip", **kwargs.pop("headers", {})}
        if method == "POST":
            headers |= {"X-CSRFToken": session.cookies.get("csrftoken", ""),
                        "Referer": self.base + path}  # fmt: skip
        started = time.perf_counter()
        answer = session.request(method, self.base + path, headers=headers, timeout=300, **kwargs)
        if kwargs.get("stream"):  # the body as sent (gzip), not decoded: time to the last byte
            answer.wire = answer.raw.read(decode_content=False)  # type: ignore[attr-defined]
        seconds = time.perf_counter() - started
        label = name if answer.status_code < 400 else f"{name} (HTTP {answer.status_code})"
        self.out.requests[label].append(seconds)
        self.out.sizes[label] = len(getattr(answer, "wire", None) or answer.content)
        if seconds > SLOW_S:
            self.out.slow.append((label, seconds, answer.status_code))
        return answer

    def get(self, role: str, name: str, path: str, **kwargs: Any) -> requests.Response:
        return self.request(role, name, "GET", path, **kwargs)

    def post(self, role: str, name: str, path: str, data: dict[str, str] | None = None,
             **kwargs: Any) -> requests.Response:  # fmt: skip
        """A form post (``data``), or a JSON one (``json=...``, ``data=None``)."""
        if data is None and "json" not in kwargs:
            data = {}
        return self.request(role, name, "POST", path, data=data, **kwargs)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Times the block as one step with the peak web/worker RSS during it."""
        self.sampler.reset()
        self.sampler.take()
        started = time.perf_counter()
        yield
        seconds = time.perf_counter() - started
        self.sampler.take()
        peaks = self.sampler.reset()
        self.out.steps.append(Step(name, seconds, peaks["web"], peaks["worker"]))
        self.out.loads.append(os.getloadavg()[0])
        print(f"  {name:<44}{seconds:9.1f} s  web {peaks['web']:6.0f} MB  "
              f"worker {peaks['worker']:6.0f} MB", flush=True)  # fmt: skip

    def wait(self, what: str, done: Callable[[], bool], every: float = 2.0) -> None:
        """Polls ``done`` every ``every`` s until it is true or the step timeout passes."""
        until = time.monotonic() + self.step_timeout
        while not done():
            if time.monotonic() > until:
                raise WalkError(f"{what}: not done after {self.step_timeout:.0f} s")
            time.sleep(every)

    def state(self, cycle: int) -> str:
        return self.sql("SELECT state FROM cycles_planningcycle WHERE id = %s", cycle)[0][0]

    def expect_state(self, cycle: int, state: str, after: str) -> None:
        if (now := self.state(cycle)) != state:
            raise WalkError(f"after {after} the cycle is in {now}, not {state}")


def progress_status(text: str) -> tuple[int, str]:
    """(run id, status) of the first run-progress partial in ``text``."""
    match = re.search(r'id="run-progress-(\d+)" data-status="(\w+)"', text)
    if match is None:
        raise WalkError("no run progress in the answer")
    return int(match.group(1)), match.group(2)


def poll_run(walk: Walk, role: str, name: str, poll_path: str) -> str:
    """Polls a run's progress partial (as htmx does, every 2 s) until the run has ended."""
    final = ""

    def ended() -> bool:
        nonlocal final
        answer = walk.get(role, name, poll_path, headers={"HX-Request": "true"})
        final = progress_status(answer.text)[1]
        return final not in ACTIVE

    walk.wait(name, ended)
    return final


def sign_off(walk: Walk, cycle: int, name: str, role: str, path: str,
             data: dict[str, str]) -> None:  # fmt: skip
    """A sign-off (or the approval): the click's request, then the wait until its sign-off run
    has finished, polled as the page's ribbon does (two steps: the request, the run after it)."""
    with walk.step(f"{name} (request)"):
        walk.post(role, f"click: {name}", path, data)
    with walk.step(f"{name} (run finished, after the request)"):
        rows = walk.sql("SELECT id, status, error FROM cycles_signoffrun WHERE cycle_id = %s "
                        "ORDER BY id DESC LIMIT 1", cycle)  # fmt: skip
        if not rows:
            raise WalkError(f"{name}: no sign-off run was recorded")
        run, status, error = rows[0]
        if status in ACTIVE:
            status = poll_run(walk, role, "poll: sign-off progress", f"/sign-offs/{run}/")
            error = walk.sql("SELECT error FROM cycles_signoffrun WHERE id = %s", run)[0][0]
        if status != "succeeded":
            raise WalkError(f"{name}: sign-off run {run} {status}: {error}")
    # the ribbon polls every 2 s: the run's own span (sent -> finished) is its true time
    span = walk.sql("SELECT extract(epoch FROM finished_at - created_at) FROM cycles_signoffrun "
                    "WHERE id = %s", run)[0][0]  # fmt: skip
    walk.out.steps.append(Step(f"{name} (run record)", float(span), math.nan, math.nan))


def scenario_rows(page: str) -> dict[str, int]:
    """Scenario name -> id from the reconciliation page's table."""
    rows = {}
    for chunk in page.split('<tr data-scenario="')[1:]:
        name = html.unescape(chunk.split('"', 1)[0])
        match = re.search(r"/scenarios/(\d+)/", chunk)
        if match:
            rows[name] = int(match.group(1))
    return rows


def demand_steps(walk: Walk, cycle: int, family: int, products: int, repeat: int) -> Any:
    """Forecast (click -> grid shows it), the largest family's grid, its XLSX, the sign-off.

    Returns the database's clock just before the sign-off (the pipeline's steps come after)."""
    review, grid = f"/demand/cycles/{cycle}/", f"/demand/cycles/{cycle}/grid.json?family={family}"
    with walk.step("statistical forecast (click -> grid shows it)"):
        walk.get("demand", "page: demand review", f"{review}?family={family}")
        answer = walk.post("demand", "click: run forecast", f"{review}runs/",
                           headers={"HX-Request": "true"})  # fmt: skip
        run, status = progress_status(answer.text)
        if status in ACTIVE:
            status = poll_run(walk, "demand", "poll: forecast progress", f"/demand/runs/{run}/")
        page = walk.get("demand", "page: demand review", f"{review}?family={family}")
        if status != "succeeded" or f"Showing run {run} of" not in page.text:
            raise WalkError(f"forecast run {run} {status}; the review does not show it")
        first_paint(walk, grid)
    with walk.step("demand grid, largest family: all pages of 200"):
        for offset in range(0, products, 200):
            walk.get(
                "demand", "data: grid page of 200 products", f"{grid}&offset={offset}&limit=200"
            )
    for _ in range(repeat):
        first_paint(walk, grid)
        walk.get("demand", "data: demand chart (family)",
                 f"/demand/cycles/{cycle}/chart.json?family={family}")  # fmt: skip
    with walk.step("2 planners load grids; overview timed (10 s)"):
        grids_while_overview(walk, cycle, grid, products, seconds=10.0)
    with walk.step("save a family cell (spread) -> grid reloaded"):
        save_family_cell(walk, cycle, grid)
    with walk.step("demand XLSX export, largest family (click -> file)"):
        download_export(walk, "demand", "export: demand XLSX, largest family",
                        f"{review}export.xlsx?family={family}")  # fmt: skip
    before = walk.sql("SELECT now()")[0][0]
    sign_off(walk, cycle, "demand sign-off", "demand", f"{review}sign-off/", {"comment": "bench"})
    walk.expect_state(cycle, "supply_review", "the demand sign-off")
    return before


def download_export(walk: Walk, role: str, name: str, path: str) -> None:
    """Click an XLSX export until the file is downloaded: the click answers with the file (an
    export of the same data is stored, or it was built within a second) or redirects to the
    export's page; then its progress is polled as htmx does and the file downloaded. The click's
    own request time is noted apart from the whole wait."""
    started = time.perf_counter()
    answer = walk.get(role, f"{name} (click)", path, allow_redirects=False)
    clicked = time.perf_counter() - started
    if answer.status_code == 302:
        page = answer.headers["Location"]
        walk.get(role, "page: export progress", page)
        run = int(re.findall(r"/exports/(\d+)/", page)[0])
        status = poll_run(walk, role, "poll: export progress", f"/exports/{run}/progress/")
        if status != "succeeded":
            raise WalkError(f"export run {run} {status}")
        answer = walk.get(role, f"{name} (download)", f"/exports/{run}/download/")
    if answer.status_code != 200 or not answer.content.startswith(b"PK"):
        raise WalkError(f"the XLSX export answered HTTP {answer.status_code}")
    total = time.perf_counter() - started
    walk.out.notes.append(
        f"{name}: click request {clicked:.2f} s, click -> file downloaded {total:.2f} s, "
        f"{len(answer.content):,} bytes"
    )


def first_paint(walk: Walk, grid: str) -> None:
    """What the grid loads first: the family rows (server totals) and the first 200 products."""
    walk.get("demand", "data: grid family rows (first paint)", f"{grid}&part=family")
    walk.get("demand", "data: grid first 200 products (first paint)", f"{grid}&offset=0&limit=200")


def save_family_cell(walk: Walk, cycle: int, grid: str) -> None:
    """The planner raises the family's consensus of its second month by 10 % (spread over its
    products by the server) and saves; the grid then reloads its first paint, as the page does."""
    head = walk.get("demand", "data: grid family rows (first paint)", f"{grid}&part=family")
    row = next(r for r in head.json()["rows"] if r["is_family"] and r["editable"])
    field = sorted(k for k in row if re.fullmatch(r"m\d{4}_\d{2}", k))[1]
    edit = {"family_id": row["family_id"], "product_id": None,
            "month": f"{field[1:5]}-{field[6:8]}", "consensus_units": round(row[field] * 1.1, 2),
            "version": row["v" + field[1:]]}  # fmt: skip
    answer = walk.post("demand", "click: save overrides (family cell)",
                       f"/demand/cycles/{cycle}/overrides/",
                       json={"reason": "customer_intel", "comment": "bench", "edits": [edit]},
                       data=None)  # fmt: skip
    if answer.status_code != 200:
        raise WalkError(f"the save answered HTTP {answer.status_code}: {answer.text[:200]}")
    first_paint(walk, grid)


def grids_while_overview(walk: Walk, cycle: int, grid: str, products: int,
                         seconds: float) -> None:  # fmt: skip
    """Two more demand planners load the largest family's grid page after page for ``seconds``
    while the executive reloads the cycle overview (does one planner's grid stall the rest?)."""
    name = "data: grid page of 200, 2 planners at once"
    walk.out.requests[name] = times = []
    stop = threading.Event()

    def planner() -> None:
        session = signed_in(walk.base, "demand")
        while not stop.is_set():
            for offset in range(0, products, 200):
                started = time.perf_counter()
                session.get(f"{walk.base}{grid}&offset={offset}&limit=200", timeout=300,
                            headers={"Accept-Encoding": "gzip"})  # fmt: skip
                times.append(time.perf_counter() - started)

    threads = [threading.Thread(target=planner, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        walk.get("exec", "page: cycle overview, 2 planners loading grids", f"/cycles/{cycle}/")
    stop.set()
    for thread in threads:
        thread.join(timeout=300)


_RUN_SPAN = {  # a run step: its run record, queued -> finished
    key: f"SELECT extract(epoch FROM r.finished_at - r.created_at) FROM {table} r JOIN "
    "cycles_planstep s ON s.run_id = r.id WHERE s.cycle_id = %s AND s.key = %s"
    for key, table in (("targets", "inventory_inventoryrun"), ("supply", "supply_supplyplanrun"),
                       ("projection", "inventory_inventoryrun"))
}  # fmt: skip
# the roll-up (no run record): the projection run's end (it queues the roll-up) -> the plan's
# built_at, stamped as the build's last write
_ROLL_UP_SPAN = (
    "SELECT extract(epoch FROM p.built_at - r.finished_at) FROM cycles_consensusplan p "
    "JOIN cycles_planstep s ON s.cycle_id = p.cycle_id AND s.key = 'projection' "
    "JOIN inventory_inventoryrun r ON r.id = s.run_id WHERE p.cycle_id = %s"
)


def pipeline_steps(walk: Walk, cycle: int, after: Any) -> None:
    """The worker's plan pipeline after the demand sign-off, step by step (database polls).

    Each step is timed by the walk's polls (every quarter second), and, where the step is a
    run, by its run record too (queued -> finished; the roll-up: by the plan's ``built_at``
    after the projection run's end): the printout's growth ratio of a step of about a second
    at 1,000 SKUs is read from the second, which no poll rounds. (A step's
    ``computed_at`` is no clock for this: it is stamped inside the run's transaction, before
    the results are written.)"""
    for key, label in PIPELINE:
        with walk.step(label):
            walk.wait(label, functools.partial(_step_done, walk, cycle, key, after), every=0.25)
    for key, label in PIPELINE:
        query, params = (
            (_RUN_SPAN[key], (cycle, key)) if key in _RUN_SPAN else (_ROLL_UP_SPAN, (cycle,))
        )
        span = walk.sql(query, *params)[0][0]
        walk.out.steps.append(Step(f"{label} (run record)", float(span), math.nan, math.nan))
        print(f"  {label + ' (run record)':<44}{float(span):9.2f} s", flush=True)


def _step_done(walk: Walk, cycle: int, key: str, after: Any) -> bool:
    failed = walk.sql(
        "SELECT 'supply' FROM supply_supplyplanrun WHERE cycle_id = %s AND status = 'failed' "
        "AND created_at > %s UNION ALL SELECT 'inventory' FROM inventory_inventoryrun "
        "WHERE cycle_id = %s AND status = 'failed' AND created_at > %s", cycle, after, cycle, after
    )  # fmt: skip
    if failed:
        raise WalkError(f"a {failed[0][0]} run of the pipeline failed")
    return bool(walk.sql("SELECT 1 FROM cycles_planstep WHERE cycle_id = %s AND key = %s "
                         "AND computed_at > %s", cycle, key, after))  # fmt: skip


def review_sign_offs(walk: Walk, cycle: int) -> None:
    """Supply and inventory planners open their review and sign it off."""
    for stage, role, path, then in (
        ("supply review", "supply", f"/supply/{cycle}/", "inventory_review"),
        ("inventory review", "inventory", f"/inventory/{cycle}/", "reconciliation"),
    ):
        walk.get(role, f"page: {stage}", path)
        sign_off(walk, cycle, f"{stage} sign-off", role, f"{path}sign-off/", {"comment": "bench"})
        walk.expect_state(cycle, then, f"the {stage} sign-off")


def finance_steps(walk: Walk, cycle: int) -> None:
    """Best / expected / worst scenarios, calculated on the worker; recommend; sign off."""
    review = f"/reconciliation/{cycle}/"
    with walk.step("scenarios: best / expected / worst (request)"):
        walk.post("finance", "click: best / expected / worst", f"{review}scenarios/intervals/")
    rows = scenario_rows(walk.get("finance", "page: reconciliation", review).text)
    if "Expected case" not in rows:
        raise WalkError(f"no expected case among the scenarios {sorted(rows)}")
    with walk.step(f"scenarios: calculate {len(rows)} (clicks -> all done)"):
        for scenario in rows.values():
            walk.post("finance", "click: calculate scenario",
                      f"{review}scenarios/{scenario}/run/")  # fmt: skip
        page = walk.get("finance", "page: reconciliation", review).text
        for run, status in re.findall(r'id="run-progress-(\d+)" data-status="(\w+)"', page):
            if status in ACTIVE:
                status = poll_run(walk, "finance", "poll: scenario progress",
                                  f"/reconciliation/runs/{run}/progress/")  # fmt: skip
            if status != "succeeded":
                raise WalkError(f"scenario run {run} {status}")
    with walk.step("recommend the expected case (request)"):
        walk.post("finance", "click: recommend", f"{review}recommend/",
                  {"scenario": str(rows["Expected case"]), "comment": "bench"})  # fmt: skip
    sign_off(walk, cycle, "reconciliation sign-off", "finance", f"{review}sign-off/",
             {"comment": "bench"})  # fmt: skip
    walk.expect_state(cycle, "executive_review", "the reconciliation sign-off")


def executive_steps(walk: Walk, cycle: int) -> None:
    """The executive reviews the recommended scenario and approves the plan."""
    approve = f"/executive/{cycle}/approve/"
    walk.get("exec", "page: executive dashboard", f"/executive/{cycle}/")
    page = walk.get("exec", "page: approval", approve).text
    chosen = re.search(r'name="scenario" value="([^"]+)"[^>]*checked', page)
    if chosen is None:
        raise WalkError("the approval page preselects no scenario")
    form = {"scenario": chosen.group(1), "reason": ""}
    with walk.step("approval: confirmation page (request)"):
        walk.post("exec", "click: review before approving", approve, form)
    sign_off(walk, cycle, "approval: approve the plan", "exec", approve,
             {**form, "confirm": "on", "comment": "bench approval"})  # fmt: skip
    walk.expect_state(cycle, "approved", "the approval")


def export_steps(walk: Walk, cycle: int, month: str, repeat: int) -> None:
    """The supply plan grid's XLSX (every product), then the approved plan over the API, JSON
    and CSV -- timed to the last compressed byte, the client's gunzip timed apart -- then again
    with the ETag (expect 304)."""
    with walk.step("supply plan grid XLSX export, all products (click -> file)"):
        download_export(walk, "supply", "export: supply plan grid XLSX, all products",
                        f"/supply/{cycle}/grid/export/?measure=receipts")  # fmt: skip
    for kind, query in (("JSON", ""), ("CSV", "?format=csv")):
        path = f"/api/v1/cycles/{month}/plan/{query}"
        with walk.step(f"approved plan export, {kind} (request, to last compressed byte)"):
            answer = walk.get("exec", f"api: approved plan {kind}", path, stream=True)
            wire: bytes = answer.wire  # type: ignore[attr-defined]
        if answer.status_code != 200 or "ETag" not in answer.headers:
            raise WalkError(f"the plan {kind} answered HTTP {answer.status_code} without an ETag")
        with walk.step(f"approved plan export, {kind} (client-side gunzip, not server)"):
            gzipped = answer.headers.get("Content-Encoding") == "gzip"
            body = gzip.decompress(wire) if gzipped else wire
        walk.out.notes.append(f"plan {kind}: {len(body):,} bytes, {len(wire):,} on the wire")
        for _ in range(repeat):
            again = walk.get("exec", f"api: approved plan {kind}, If-None-Match", path,
                             headers={"If-None-Match": answer.headers["ETag"]})  # fmt: skip
            if again.status_code != 304:
                walk.out.notes.append(f"plan {kind} with If-None-Match: HTTP {again.status_code}")


def pages(cycle: int, family: int) -> dict[str, str]:
    """Every navigation page (HTML) and data endpoint (JSON) of the cycle, by name."""
    c, fam = cycle, f"?family={family}"
    return {
        "page: cycle overview": f"/cycles/{c}/", "page: cycles list": "/cycles/",
        "page: audit log": "/cycles/audit/", "page: data inputs": "/data/",
        "page: sales history": "/data/sales-history/",
        "page: sales history, last page": "/data/sales-history/?page=last",
        "page: open orders": "/data/open-orders/", "page: inventory on hand": "/data/inventory/",
        "page: open receipts": "/data/receipts/", "page: import batches": "/data/batches/",
        "page: demand review": f"/demand/cycles/{c}/{fam}", "page: accuracy": "/demand/accuracy/",
        "page: demand events": f"/demand/cycles/{c}/events/",
        "page: demand carried over": f"/demand/cycles/{c}/carried/",
        "page: new products": f"/demand/cycles/{c}/new-products/",
        "page: supply review": f"/supply/{c}/", "page: supply plan grid": f"/supply/{c}/grid/",
        "page: inventory review": f"/inventory/{c}/", "page: reconciliation": f"/reconciliation/{c}/",
        "page: executive dashboard": f"/executive/{c}/",
        "page: executive exceptions": f"/executive/{c}/exceptions/",
        "page: execution performance": "/executive/performance/",
        "page: approval": f"/executive/{c}/approve/", "page: meeting pack": f"/executive/{c}/pack/",
        **{f"page: master data {n}": f"/master/{n}/" for n in (
            "products", "families", "sites", "channels", "suppliers", "resources",
            "resource-loads", "resource-capacity", "supply-terms")},
        "data: grid family rows (first paint)": f"/demand/cycles/{c}/grid.json{fam}&part=family",
        "data: grid first 200 products (first paint)":
            f"/demand/cycles/{c}/grid.json{fam}&offset=0&limit=200",
        "data: demand chart (family)": f"/demand/cycles/{c}/chart.json{fam}",
        "data: supply plan grid family rows (first paint)": f"/supply/{c}/grid/data/?part=family",
        "data: supply plan grid first 200 products": f"/supply/{c}/grid/data/{fam}&limit=200",
        "api: cycles": "/api/v1/cycles/",
    }  # fmt: skip


def sweep(walk: Walk, cycle: int, family: int, repeat: int) -> None:
    """Each role opens every page and data endpoint ``repeat`` times."""
    with walk.step(f"every page and endpoint, {len(ROLES)} roles x {repeat}"):
        for role in ROLES:
            for _ in range(repeat):
                for name, path in pages(cycle, family).items():
                    walk.get(role, name, path)
