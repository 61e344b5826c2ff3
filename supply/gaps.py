"""Reads of the supply review's shortages ("gaps") and the options to close them, by pages.

A gap is one product-site-month short (its channels summed). The review shows the costliest
first, ``GAPS_PER_PAGE`` to a page: the ranking and the count are grouped queries over the
run's shortages (47,000 rows at 10,000 SKUs), kept for a succeeded run (its rows never change
after it succeeded); only the gaps of the page shown are read row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from accounts.selectors import scope_to_families, user_family_ids
from cycles.models import PlanningCycle
from masterdata.models import Product, Site
from supply.models import GapOption, Shortage, SupplyPlanRun
from supply.selectors import OPTION_TEXT, REASON_TEXT, finished_run_cached

GAPS_PER_PAGE = 10
# In the cache key of a rendered page of gaps: bump it when supply/_gaps.html changes, so a
# shared cache never serves the HTML of an older release.
GAPS_FRAGMENT = "supply-gaps-html-1"


@dataclass
class Gap:
    """A shortage of one product-site-month (all channels) with the options to close it."""

    product: Any
    site: Any
    month: Any
    shortage_units: float
    shortage_cost_eur: float
    reasons: list[str]
    channels: list[str]
    options: list[GapOption] = field(default_factory=list)


def scope_key(user: Any) -> list[int]:
    """The user's family scope as a cache-key part ([] = every family)."""
    return sorted(user_family_ids(user) or [])


def gap_count(run: SupplyPlanRun, user: Any) -> int:
    """How many product-site-months of the run are short, in the user's families."""
    shortages = scope_to_families(Shortage.objects.filter(run=run), user, "product__family_id")
    return finished_run_cached(
        run, ["gap_count", scope_key(user)],
        lambda: shortages.values("product_id", "site_id", "month").distinct().count(),
    )  # fmt: skip


def gaps(run: SupplyPlanRun, user: Any, limit: int = GAPS_PER_PAGE, offset: int = 0) -> list[Gap]:
    """The gaps ranked ``offset`` to ``offset + limit`` (costliest first), each with its
    channels, reasons and closing options (cheapest first)."""
    shortages = scope_to_families(Shortage.objects.filter(run=run), user, "product__family_id")
    top = finished_run_cached(
        run, ["gaps", scope_key(user), offset, limit],
        lambda: list(
            shortages.values("product_id", "site_id", "month")
            .annotate(units=Sum("shortage_units"), cost=Sum("shortage_cost_eur"))
            .order_by("-cost", "product_id", "site_id", "month")[offset : offset + limit]
        ),
    )  # fmt: skip
    if not top:
        return []
    products = Product.objects.in_bulk({t["product_id"] for t in top})
    sites = Site.objects.in_bulk({t["site_id"] for t in top})
    ranked = [Gap(products[t["product_id"]], sites[t["site_id"]], t["month"], float(t["units"]),
                  float(t["cost"]), [], []) for t in top]  # fmt: skip
    wanted = {(g.product.pk, g.site.pk, g.month): g for g in ranked}
    _add_channels(shortages, wanted)
    products_shown = {k[0] for k in wanted}
    months_shown = {k[2] for k in wanted}
    options = GapOption.objects.filter(run=run, product_id__in=products_shown,
                                       month__in=months_shown)  # fmt: skip
    for option in options:
        target = wanted.get((option.product_id, option.site_id, option.month))
        if target is not None:
            target.options.append(option)
    return ranked


def _add_channels(shortages: Any, wanted: dict[tuple[Any, ...], Gap]) -> None:
    """Each gap's channels (by service priority) and the distinct reasons they are short."""
    rows = (
        shortages.filter(product_id__in={k[0] for k in wanted}, month__in={k[2] for k in wanted})
        .values_list("product_id", "site_id", "month", "channel__code", "reason")
        .order_by("channel__service_priority", "channel__code")
    )
    for product_id, site_id, month, channel, reason in rows:
        gap = wanted.get((product_id, site_id, month))
        if gap is None:
            continue
        gap.channels.append(channel)
        text = REASON_TEXT.get(reason, reason)
        if text not in gap.reasons:
            gap.reasons.append(text)


def gaps_fragment(cycle: PlanningCycle, run: SupplyPlanRun, user: Any, offset: int) -> SafeString:
    """One page of the run's gaps as HTML (``supply/_gaps.html``, escaped by the template).

    The HTML depends only on the run, the user's family scope and the page (no CSRF token, no
    per-user action), and a succeeded run never changes: it is rendered once per run, scope and
    page and then served from the ``versioned`` cache, whoever asks."""

    def render_page() -> str:
        count = gap_count(run, user)
        per_page = GAPS_PER_PAGE
        shown = gaps(run, user, per_page, offset)
        return render_to_string("supply/_gaps.html", {
            "cycle": cycle, "gaps": shown, "count": count, "offset": offset,
            "first": offset + 1, "last": offset + len(shown), "per_page": per_page,
            "previous": max(0, offset - per_page) if offset else None,
            "next": offset + per_page if offset + per_page < count else None,
            "option_text": OPTION_TEXT,
        })  # fmt: skip

    key = [GAPS_FRAGMENT, scope_key(user), offset]
    return mark_safe(finished_run_cached(run, key, render_page))
