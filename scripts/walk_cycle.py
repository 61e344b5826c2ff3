"""Walk one SIOP cycle in real Chromium as its users do, checking every hand-over's numbers.

Not run in CI: at the default demo size the walk takes several minutes (the supply plan alone
is about a minute on a 2-core machine), so it is a manual acceptance script, not a test.

Needs a served app (runserver or gunicorn) and a Celery worker on the same database, a seeded
demo company (``manage.py seed_demo [--skus N]``) whose current cycle is in demand review, and
Chromium at ``/usr/bin/chromium``::

    export DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://...
    python manage.py runserver 127.0.0.1:8107 &  celery -A siop worker -Q siop -c 2 &
    python scripts/walk_cycle.py --base http://127.0.0.1:8107 --month 2026-11 --token TOKEN

Steps (each role signs in with its demo login, password ``siop-demo``): demand runs the forecast,
types one consensus cell, signs off; supply waits for the pipeline's plan, compares its consensus
demand per family x month with the demand grid at sign-off, signs off; inventory compares its
projection's planned supply with the supply grid's receipts, signs off; finance calculates the
baseline, recommends it and signs off; the executive approves; the approved plan served by
``/api/v1/cycles/<month>/plan/`` (``--token``: an ERP client's token, ``manage.py api_client
create``) is compared with the demand, supply and finance figures. Prints timings and every
mismatch; exits 1 when a hand-over differs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from collections import defaultdict
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip
PASSWORD = "siop-demo"
# The grids show each product x site cell rounded to cents, so a family x month total may differ
# from the plan's unrounded rows by up to half a cent per cell summed.
CELL_ROUNDING = 0.005
Grid = dict[str, dict[str, float]]  # family code -> "YYYY-MM" -> units
CELLS: dict[tuple[str, str], int] = defaultdict(int)  # rounded grid cells per family x month


class Walk:
    def __init__(self, browser: Browser, base: str, cycle_id: int) -> None:
        self.browser, self.base, self.cycle = browser, base, cycle_id
        self.faults: list[str] = []
        self.timings: dict[str, float] = {}

    def page(self, user: str) -> Page:
        context = self.browser.new_context(base_url=self.base)
        context.set_default_timeout(120_000)
        page = context.new_page()
        page.on("dialog", lambda d: d.accept())
        page.goto("/login/")
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    def compare(self, label: str, left: Grid, right: Grid) -> None:
        keys = {(f, m) for f, ms in left.items() for m in ms}
        keys |= {(f, m) for f, ms in right.items() for m in ms}
        bad = [(f, m, left.get(f, {}).get(m), right.get(f, {}).get(m)) for f, m in sorted(keys)
               if abs((left.get(f, {}).get(m) or 0.0) - (right.get(f, {}).get(m) or 0.0))
               > CELL_ROUNDING * max(2, CELLS.get((f, m), 0)) + 1e-9]  # fmt: skip
        total_l = sum(sum(v.values()) for v in left.values())
        total_r = sum(sum(v.values()) for v in right.values())
        print(f"  {label}: {len(keys)} family-months, {len(bad)} differ; "
              f"totals {total_l:,.2f} vs {total_r:,.2f}")  # fmt: skip
        for row in bad[:10]:
            print("    DIFF", row)
        if bad:
            self.faults.append(f"{label}: {len(bad)} family-months differ")


def wait_run(page: Page, timeout: float = 1800) -> str:
    started = time.time()
    while time.time() - started < timeout:
        progress = page.locator(".run-progress")
        status = progress.last.get_attribute("data-status") if progress.count() else None
        if status in ("succeeded", "failed"):
            return status
        time.sleep(2)
    return "timeout"


def demand_grid(page: Page, cycle: int) -> Grid:
    """Consensus + backlog per family x month, as the demand grid's family rows show them."""
    families = page.eval_on_selector_all(
        "select[name=family] option", "os => os.map(o => [o.value, o.textContent])"
    )
    out: Grid = defaultdict(lambda: defaultdict(float))
    for family_id, label in families:
        url = f"/demand/cycles/{cycle}/grid.json?family={family_id}&part=family"
        for row in page.request.get(url).json()["rows"]:
            if row.get("measure") not in ("consensus", "backlog"):
                continue
            for key, value in row.items():
                if key.startswith("m2") and value not in (None, ""):
                    out[label.split()[0]][f"{key[1:5]}-{key[6:8]}"] += float(value)
    return out


def supply_grid(page: Page, cycle: int, measure: str) -> Grid:
    answer = page.request.get(f"/supply/{cycle}/grid/data/?measure={measure}").json()
    out: Grid = defaultdict(lambda: defaultdict(float))
    for row in answer["rows"]:
        for month in answer["months"]:
            out[row["family"]][month] += float(row[month])
            CELLS[(row["family"], month)] = max(CELLS[(row["family"], month)], 0) + (
                measure == "receipts"
            )
    return out


def sign_off(page: Page, url: str) -> str:
    page.goto(url)
    form = page.locator("form[action$='/sign-off/']")
    form.locator("button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    said = " | ".join(m.inner_text()[:200] for m in page.locator(".messages li").all())
    return f"{said} -> {wait_signed(page, url)}"


def wait_signed(page: Page, url: str, timeout: float = 1800) -> str:
    """With a worker a sign-off (and the approval) is a run: the page shows the "signing off"
    ribbon, polls it and reloads once the run has ended. Waits for that, then reads the page."""
    started = time.time()
    while page.locator('[data-testid="signing-off"]').count():
        if time.time() - started > timeout:
            return "still signing off after the timeout"
        time.sleep(2)
        if page.locator('[data-testid="signing-off"] .run-progress[data-status=failed]').count():
            return "the sign-off run failed"
    page.goto(url)
    ribbon = page.locator(".stage-ribbon, .stale-ribbon, .messages li")
    return f"finished after {time.time() - started:.1f} s; " + " | ".join(
        r.inner_text()[:120].replace("\n", " ") for r in ribbon.all()[:3]
    )


def step_demand(walk: Walk) -> Grid:
    page = walk.page("demand")
    page.goto(f"/demand/cycles/{walk.cycle}/")
    page.wait_for_selector("#demand-grid[data-loaded]")
    started = time.time()
    page.click("#run-forecast")
    page.wait_for_selector("#run-slot .run-progress")
    print(f"  forecast run: {wait_run(page)} in {time.time() - started:.1f} s")
    walk.timings["forecast"] = time.time() - started
    page.goto(f"/demand/cycles/{walk.cycle}/")
    page.wait_for_selector("#demand-grid[data-loaded]")
    field = page.eval_on_selector(  # the third month of the horizon
        ".tabulator-row.consensus-row:not(.family-row)",
        "r => r.querySelectorAll('.tabulator-editable')[2].getAttribute('tabulator-field')",
    )
    cell = page.locator(".tabulator-row.consensus-row:not(.family-row)").first.locator(
        f"[tabulator-field={field}]"
    )
    cell.dblclick()
    cell.locator("input").fill("1357.5")
    cell.locator("input").press("Enter")
    page.select_option("#override-reason", index=1)
    patched = page.get_attribute("#demand-grid", "data-patched")
    page.click("#save-overrides")
    # A save patches the saved cells in place (no reload); the CSP refuses eval, so poll.
    while page.get_attribute("#demand-grid", "data-patched") == patched:
        time.sleep(0.5)
    print(f"  typed 1357.5 in {field}:", page.inner_text("#grid-status"))
    grid = demand_grid(page, walk.cycle)
    print("  sign-off:", sign_off(page, f"/demand/cycles/{walk.cycle}/"))
    walk.compare("demand grid before vs after sign-off", grid, demand_grid(page, walk.cycle))
    return grid


def step_supply(walk: Walk, demand: Grid) -> dict[str, Grid]:
    page = walk.page("supply")
    started = time.time()
    page.goto(f"/supply/{walk.cycle}/")
    status = wait_run(page)
    # The pipeline continues with the projection and the plan build after the supply run.
    while page.request.get(f"/supply/{walk.cycle}/grid/data/?measure=demand").json()["rows"] == []:
        time.sleep(2)
    walk.timings["supply pipeline"] = time.time() - started
    print(f"  supply run (from the demand sign-off's pipeline): {status}, plan built after "
          f"{time.time() - started:.1f} s")  # fmt: skip
    grids = {m: supply_grid(page, walk.cycle, m)
             for m in ("demand", "receipts", "served", "lost", "inventory")}  # fmt: skip
    walk.compare("demand at sign-off vs supply's consensus demand", demand, grids["demand"])
    wanted = {f: {m: grids["served"][f][m] + grids["lost"][f][m] for m in ms}
              for f, ms in grids["demand"].items()}  # fmt: skip
    walk.compare("supply demand vs served + lost", grids["demand"], wanted)
    print("  sign-off:", sign_off(page, f"/supply/{walk.cycle}/"))
    return grids


def step_inventory(walk: Walk) -> None:
    page = walk.page("inventory")
    page.goto(f"/inventory/{walk.cycle}/")
    print("  ", page.inner_text("main").split("\n")[6][:120])
    print("  sign-off:", sign_off(page, f"/inventory/{walk.cycle}/"))


def step_finance(walk: Walk) -> str:
    page = walk.page("finance")
    page.goto(f"/reconciliation/{walk.cycle}/")
    started = time.time()
    page.fill("form#new-scenario input[name$=name]", "Walk check")
    page.click("#create-scenario")
    page.wait_for_load_state("networkidle")
    page.goto(f"/reconciliation/{walk.cycle}/")
    page.locator("tr:has-text('Baseline (consensus plan)') button.run").first.click()
    page.wait_for_load_state("networkidle")
    for _ in range(600):
        page.goto(f"/reconciliation/{walk.cycle}/")
        text = page.inner_text("main")
        if "Queued" not in text and "Running" not in text and "Baseline" in text:
            break
        time.sleep(2)
    walk.timings["finance baseline"] = time.time() - started
    row = page.locator("tr:has-text('Baseline (consensus plan)')").first.inner_text()
    print(f"  baseline row ({time.time() - started:.1f} s): {' '.join(row.split())[:160]}")
    page.fill("#recommend-comment", "Baseline is balanced")
    page.click("#recommend-button")
    page.wait_for_load_state("networkidle")
    print("  sign-off:", sign_off(page, f"/reconciliation/{walk.cycle}/"))
    return row


def step_executive(walk: Walk) -> str:
    page = walk.page("exec")
    page.goto(f"/executive/{walk.cycle}/approve/")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("networkidle")
    totals = page.inner_text("main")
    page.fill("textarea[name=comment]", "Approved in the walk")
    page.click("button:has-text('Approve the plan')")
    page.wait_for_load_state("networkidle")
    print("  approve:", page.url, "->", wait_signed(page, page.url))
    return totals


def step_api(walk: Walk, base: str, month: str, token: str, grids: dict[str, Grid],
             demand: Grid, finance_row: str, exec_text: str) -> None:  # fmt: skip
    request = urllib.request.Request(f"{base}/api/v1/cycles/{month}/plan/",
                                     headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    plan: dict[str, Any] = {}
    for _ in range(300):  # 202 while the approval's run renders the document
        with urllib.request.urlopen(request) as answer:
            if answer.status == 200:
                plan = json.loads(answer.read())
                if plan.get("state") == "approved":
                    break
        time.sleep(2)
    rows: list[dict[str, Any]] = plan["rows"]
    print(f"  API: state {plan['state']}, {len(rows)} rows")
    by: dict[str, Grid] = {k: defaultdict(lambda: defaultdict(float)) for k in ("d", "r", "i")}
    for r in rows:
        by["d"][r["family"]][r["month"]] += r["consensus_demand_units"]
        by["r"][r["family"]][r["month"]] += r["production_units"] + r["purchase_units"]
        by["i"][r["family"]][r["month"]] += r["projected_inventory_units"]
    walk.compare("API demand vs demand grid at sign-off", demand, by["d"])
    walk.compare("API receipts vs supply grid at sign-off", grids["receipts"], by["r"])
    walk.compare("API projected inventory vs supply grid", grids["inventory"], by["i"])
    revenue = sum(r["revenue_eur"] for r in rows)
    months = sorted({r["month"] for r in rows})[:12]
    revenue_12 = sum(r["revenue_eur"] for r in rows if r["month"] in months)
    shown = f"{round(revenue):,}"
    print(f"  API revenue {revenue:,.2f} (finance row shows {shown}: {shown in finance_row}); "
          f"next 12 months {revenue_12:,.2f} (approval page: {f'{round(revenue_12):,}' in exec_text})")  # fmt: skip
    if shown not in finance_row or f"{round(revenue_12):,}" not in exec_text:
        walk.faults.append("API revenue differs from finance or the approval page")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--cycle", type=int, required=True, help="id of the cycle in demand review")
    parser.add_argument("--month", required=True, help="the cycle's month, YYYY-MM")
    parser.add_argument("--token", required=True, help="an ERP API client's token")
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        walk = Walk(browser, args.base, args.cycle)
        started = time.time()
        print("demand")
        demand = step_demand(walk)
        print("supply")
        grids = step_supply(walk, demand)
        print("inventory")
        step_inventory(walk)
        print("finance")
        finance_row = step_finance(walk)
        print("executive")
        exec_text = step_executive(walk)
        print("api")
        step_api(walk, args.base, args.month, args.token, grids, demand, finance_row, exec_text)
        print(f"walk took {time.time() - started:.0f} s; timings {walk.timings}")
        print("FAULTS:", walk.faults or "none")
        return 1 if walk.faults else 0


if __name__ == "__main__":
    sys.exit(main())
