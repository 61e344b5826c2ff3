"""Template filters for calculation runs (the shared run progress partial)."""

from __future__ import annotations

from typing import Any

from django import template

from cycles.run_control import may_cancel
from cycles.runs import CalculationRun

register = template.Library()


@register.filter
def run_cancellable_by(run: CalculationRun, user: Any) -> bool:
    """True when ``run`` is still active and ``user`` may cancel it."""
    return run.is_active and may_cancel(user, type(run))
