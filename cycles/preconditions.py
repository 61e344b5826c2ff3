"""Checks a stage must pass before it can be signed off (the server refuses otherwise).

Stage apps register their own checks with ``register`` (for example the demand review requires a
consensus demand) so the cycle does not import every stage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from cycles.completeness import sales_history_problems
from cycles.models import PlanningCycle
from datainputs.models import InventoryOnHand

Check = Callable[[PlanningCycle], list[str]]
_CHECKS: dict[str, list[Check]] = {}


def register(stage_key: str) -> Callable[[Check], Check]:
    def decorator(check: Check) -> Check:
        _CHECKS.setdefault(stage_key, []).append(check)
        return check

    return decorator


def unmet(cycle: PlanningCycle, stage_key: str) -> list[str]:
    """Every reason why ``stage_key`` of ``cycle`` cannot be signed off yet (empty when ready)."""
    problems: list[str] = []
    for check in _CHECKS.get(stage_key, []):
        problems.extend(check(cycle))
    return problems


def last_closed_month(cycle_month: dt.date) -> dt.date:
    return (cycle_month - dt.timedelta(days=1)).replace(day=1)


@register("data_inputs")
def sales_history_loaded(cycle: PlanningCycle) -> list[str]:
    """Last closed month loaded for the products that sold the month before (threshold and
    administrator acceptance: `cycles.completeness`)."""
    return sales_history_problems(cycle, last_closed_month(cycle.month))


@register("data_inputs")
def inventory_loaded(cycle: PlanningCycle) -> list[str]:
    if InventoryOnHand.objects.filter(as_of_date__gte=last_closed_month(cycle.month)).exists():
        return []
    return ["Inventory on hand has no position from the last month."]
