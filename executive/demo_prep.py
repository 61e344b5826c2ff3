"""The demo company's walk builds the executive facts and rules before the approval, so the
demo's approved cycle has a dashboard, a trend point and its exceptions from the start."""

from __future__ import annotations

from typing import Any

from cycles.models import PlanningCycle
from demo.hooks import register_stage_prep


@register_stage_prep("executive_review")
def build_executive_facts(cycle: PlanningCycle, user: Any) -> None:
    from executive.tasks import refresh_cycle

    refresh_cycle(cycle.pk)
