"""Links from the cycle overview to each stage's own workspace.

Stage apps register a page for their stage in their ``AppConfig.ready`` (for example the demand
review registers its forecast workspace) so the overview can link to it without importing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from cycles.models import PlanningCycle

UrlFor = Callable[[PlanningCycle], str]


@dataclass(frozen=True)
class StageLink:
    label: str
    url: str


_LINKS: dict[str, list[tuple[str, UrlFor]]] = {}


def _cycle_page(url_name: str) -> UrlFor:
    return lambda cycle: reverse(url_name, args=[cycle.pk])


def _page(url_name: str) -> UrlFor:
    return lambda cycle: reverse(url_name)


# Every stage card links to its workspace for *this* cycle (a past cycle's results included);
# by URL name only, so the cycle app imports no stage. Stage apps may register more pages.
_LINKS.update(
    {
        "data_inputs": [("Data inputs", _page("datainputs:home"))],
        "demand_review": [("Demand review", _cycle_page("demand:review"))],
        "supply_review": [
            ("Supply review", _cycle_page("supply:review")),
            ("Plan by product and month", _cycle_page("supply:grid")),
        ],
        "inventory_review": [("Inventory review", _cycle_page("inventory:review"))],
        "reconciliation": [("Reconciliation", _cycle_page("reconciliation:review"))],
    }
)


def register_stage_page(stage_key: str, label: str, url_for: UrlFor) -> None:
    """Show a link ``label`` on ``stage_key``'s card; ``url_for(cycle)`` builds its URL."""
    entries = _LINKS.setdefault(stage_key, [])
    if all(existing != label for existing, _ in entries):
        entries.append((label, url_for))


def stage_links(cycle: PlanningCycle, stage_key: str) -> list[StageLink]:
    links = []
    for label, url_for in _LINKS.get(stage_key, []):
        try:
            links.append(StageLink(label, url_for(cycle)))
        except NoReverseMatch:
            continue  # a page that is not routed (yet) is simply not shown
    return links
