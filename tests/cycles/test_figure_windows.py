"""One window per label: a revenue labelled "next 12 months (...)" is the same figure on the
reconciliation's scenario table, the approval's choice of scenario and the executive dashboard."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from django.urls import reverse

from cycles.windows import horizon_window, kpi_window
from demo.services import walk_stages
from executive.tasks import refresh_cycle

pytestmark = pytest.mark.django_db
CELL = re.compile(r'<td class="num revenue-window" data-window="([^"]+)">([^<]*)</td>')


def _figures(html: str) -> dict[str, list[int]]:
    """label -> the revenue figures shown under it (whole euros), in page order."""
    found: dict[str, list[int]] = defaultdict(list)
    for label, text in CELL.findall(html):
        digits = text.replace("€", "").replace(",", "").strip()
        if digits and digits != "n/a":
            found[label].append(int(digits))
    return dict(found)


def test_the_same_window_label_shows_the_same_revenue_on_all_three_pages(
    demo_company, client
) -> None:  # type: ignore[no-untyped-def]
    # Given the demo's open cycle walked to the executive review (scenarios calculated)
    november = demo_company["november"]
    assert walk_stages(november, ["demand_review", "supply_review", "inventory_review",
                                  "reconciliation"]) == []  # fmt: skip
    november.refresh_from_db()
    assert november.state == "executive_review"
    refresh_cycle(november.pk)  # what the worker does after the plan build (on commit)
    client.force_login(demo_company["exec"])
    # When the three pages are opened
    pages = {
        name: _figures(client.get(reverse(url, args=[november.pk])).content.decode())
        for name, url in (("reconciliation", "reconciliation:review"),
                          ("approval", "executive:approve"), ("dashboard", "executive:dashboard"))
    }  # fmt: skip
    # Then each shows its scenarios' revenue under the one KPI-window label, with equal figures
    label = kpi_window(november).label
    assert label != horizon_window(november).label
    assert all(set(figures) == {label} for figures in pages.values()), pages
    revenue = {name: sorted(figures[label]) for name, figures in pages.items()}
    assert revenue["reconciliation"] and revenue["reconciliation"] == revenue["approval"]
    assert revenue["approval"] == revenue["dashboard"]
    # And the dashboard's revenue tile (the consensus plan, the same window) is the baseline's
    dashboard = client.get(reverse("executive:dashboard", args=[november.pk])).content.decode()
    assert label in dashboard
    baseline = _figures(client.get(reverse("executive:approve", args=[november.pk])).content
                        .decode())[label][0]  # fmt: skip
    assert _tile(dashboard, "revenue_eur") == baseline


def _tile(html: str, key: str) -> int:
    match = re.search(rf'data-kpi="{key}".*?<p class="kpi-value">([^<]*)</p>', html, re.S)
    assert match is not None
    return int(match.group(1).replace("€", "").replace(",", ""))
