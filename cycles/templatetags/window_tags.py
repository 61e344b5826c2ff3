"""``{% kpi_window_label cycle %}`` and ``{% horizon_window_label cycle %}``: the label printed
with every total (see `cycles.windows`)."""

from __future__ import annotations

from django import template

from cycles.models import PlanningCycle
from cycles.windows import horizon_window, kpi_window

register = template.Library()


@register.simple_tag
def kpi_window_label(cycle: PlanningCycle) -> str:
    return kpi_window(cycle).label


@register.simple_tag
def horizon_window_label(cycle: PlanningCycle) -> str:
    return horizon_window(cycle).label
