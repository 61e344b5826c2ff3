"""Is every shortage of a plan explained? Used by the demo check and its test.

A shortage is explained when its reason says no supply could reach it (capacity, lead_time,
no_supply_source), or, for an "economic" shortage, when every option to close it costs more
than the lost sales it avoids (its net saving is not positive) -- the optimiser chose the
cheaper outcome. Anything else (an unknown reason, an economic shortage some option would close
at a profit) is listed as unexplained.

    .venv/bin/python manage.py shell -c "from supply.checks import report; report()"
"""

from __future__ import annotations

from collections import defaultdict

from cycles.models import PlanningCycle
from supply.models import GapOption, Shortage, SupplyPlanRun
from supply.selectors import REASON_TEXT, latest_succeeded_run

TOLERANCE_EUR = 0.01


def unexplained_shortages(run: SupplyPlanRun) -> list[str]:
    best: dict[tuple[int, int, object], float] = defaultdict(lambda: float("-inf"))
    for option in GapOption.objects.filter(run=run):
        key = (option.product_id, option.site_id, option.month)
        best[key] = max(best[key], option.net_saving_eur)
    problems = []
    for s in Shortage.objects.filter(run=run).select_related("product", "site", "channel"):
        where = f"{s.product.sku}@{s.site.code} {s.channel.code} {s.month:%Y-%m}"
        if s.reason not in REASON_TEXT:
            problems.append(f"{where}: unknown reason {s.reason!r}")
        elif s.reason == "economic" and best[(s.product_id, s.site_id, s.month)] > TOLERANCE_EUR:
            saving = best[(s.product_id, s.site_id, s.month)]
            problems.append(f"{where}: economic, yet an option would save {saving:.2f} EUR")
    return problems


def report() -> None:
    """Print, per cycle with a plan, its shortages by reason and any unexplained one."""
    for cycle in PlanningCycle.objects.order_by("month"):
        run = latest_succeeded_run(cycle)
        if run is None:
            print(f"{cycle}: no supply plan")
            continue
        reasons: dict[str, int] = defaultdict(int)
        for reason in Shortage.objects.filter(run=run).values_list("reason", flat=True):
            reasons[reason] += 1
        problems = unexplained_shortages(run)
        print(f"{cycle}: run {run.pk}, shortages by reason {dict(reasons)}, "
              f"unexplained {len(problems)}")  # fmt: skip
        for problem in problems[:20]:
            print(f"  {problem}")
