"""Hooks stage apps use to take part in the demo company's walk through a cycle.

``seed_demo`` opens last month's cycle and signs off every stage as that stage's owner, so the
demo has a completed (approved, closed) cycle to compare with. A stage whose sign-off has
preconditions (a consensus forecast, a supply plan...) registers a preparation with
``register_stage_prep``; it runs just before the demo signs that stage off, as the owner, outside
any enclosing transaction (so Celery tasks sent ``on_commit`` run eagerly in between). It also runs
once for the stage this month's cycle is left at (demand review), so the open cycle has, say, its
statistical forecast ready. A prep raising ``cycles.services.TransitionError`` stops the walk
there with its message instead of failing the seed. Register from ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cycles.models import PlanningCycle

# (cycle, the stage owner's demo user) -> None
StagePrep = Callable[[PlanningCycle, Any], None]
_PREPS: dict[str, list[StagePrep]] = {}


def register_stage_prep(stage_key: str) -> Callable[[StagePrep], StagePrep]:
    def decorator(function: StagePrep) -> StagePrep:
        entries = _PREPS.setdefault(stage_key, [])
        if function not in entries:
            entries.append(function)
        return function

    return decorator


def stage_preps(stage_key: str) -> list[StagePrep]:
    return list(_PREPS.get(stage_key, []))
