"""The supply plan grid in parts: family rows with server totals first, product rows by page.

The first paint is one row per product family (the measure summed over the family's products
and sites, per month) and the company total per month, both summed by the database. A
family's product rows (one per product and site) then come 200 products at a time in SKU order
by keyset ("seek") pagination (``siop.keyset``), so every page costs the same, the last one
included. Both parts honour the user's family scope and the SKU/name search, and count only
products that have rows in the plan. Values are units per month, rounded to 2 decimals; month
fields are ``YYYY-MM``.

Answers are cached and conditional (``siop.cached_json``), keyed by the cycle's consensus plan
record and its version (bumped by every rebuild, in the rebuild's transaction), the product,
family and site data versions (names, families, site codes: a rename shows at once), the user's
scope (a family's page: only whether the user sees that family, so it is the same answer for
everyone who does), the measure, search and page. After every plan build the worker builds the
first paint (the family rows of an unrestricted reader and each family's first page, default
measure) under the same keys (``warm_first_paint``; sent as one small task per family,
``pieces``), so its first visitor is served from the cache.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum

from accounts.selectors import scope_to_families, user_family_ids
from cycles.models import ConsensusPlan, PlanningCycle, PlanRow
from cycles.plan_build import register_after_build
from datainputs import versions as data_version
from masterdata.models import Product, ProductFamily
from siop import warming
from siop.cached_json import etag_of, warm
from siop.keyset import keyset_page
from supply.plan_grid import MEASURES, Measure

PAGE_SIZE = 200
WARMER = "supply.plan_grid"
HEAD_WARMER = "supply.plan_grid.families"  # a piece of WARMER: (cycle id)
FAMILY_WARMER = "supply.plan_grid.family"  # a piece of WARMER: (cycle id, family id)
# The data every answer shows besides the plan's numbers: SKUs and names, family codes, site codes.
ETAG_SOURCES = ("products", "families", "sites")


@dataclass(frozen=True)
class GridPart:
    """What one grid request asks for: the family rows (``family_id`` None) or one page of a
    family's products after ``cursor`` (an opaque keyset cursor; None or garbled: the first)."""

    measure: Measure
    search: str = ""
    family_id: int | None = None
    cursor: str | None = None
    limit: int = PAGE_SIZE


def plan_of(cycle: PlanningCycle) -> tuple[int, int] | None:
    """(id, version) of the cycle's consensus plan record, or None before the first build."""
    return ConsensusPlan.objects.filter(cycle=cycle).values_list("pk", "version").first()


Plan = tuple[int, int] | None  # (id, version) of the cycle's consensus plan record


def part_etag(cycle: PlanningCycle, plan: Plan, user: Any, part: GridPart) -> str:
    """The ETag of ``part`` for ``user`` at ``plan``'s version and the current data versions."""
    scope = user_family_ids(user)
    if part.family_id is None:  # the family rows: which families, and their sums, are the user's
        return _etag(cycle, plan, sorted(scope or []), part)
    return _etag(cycle, plan, scope is None or part.family_id in scope, part)


def _etag(cycle: PlanningCycle, plan: Plan, scope: Any, part: GridPart) -> str:
    current = data_version.current()
    key = [
        "supply-plan-grid", cycle.pk, plan, scope,
        part.measure.key, part.search, part.family_id, part.cursor, part.limit,
        [current.get(name, 0) for name in ETAG_SOURCES],
    ]  # fmt: skip
    return etag_of(key)


@warming.register(WARMER)
def warm_first_paint(cycle_id: int) -> int:
    """Build the plan grid's first paint of the cycle that is not cached yet: the family rows
    of an unrestricted reader and each family's first page, default measure; returns how many
    answers were built. In one call: what is sent is its ``pieces``."""
    return sum(warming.run(name, *ids) for name, ids in pieces(cycle_id))


@warming.register_split(WARMER)
def pieces(cycle_id: int) -> list[warming.Piece]:
    """The family rows' piece, then one piece per family's first page, in code order."""
    families = ProductFamily.objects.order_by("code").values_list("pk", flat=True)
    return [(HEAD_WARMER, (cycle_id,)), *((FAMILY_WARMER, (cycle_id, pk)) for pk in families)]


@warming.register(HEAD_WARMER)
def warm_family_rows(cycle_id: int) -> int:
    """The family rows of an unrestricted reader, default measure, if not cached yet."""
    cycle, plan = _with_plan(cycle_id)
    if cycle is None or plan is None:
        return 0
    head = GridPart(measure=MEASURES[0])
    return int(warm(_etag(cycle, plan, [], head), lambda: family_rows(plan, None, head)))


@warming.register(FAMILY_WARMER)
def warm_family_page(cycle_id: int, family_id: int) -> int:
    """The family's first page of products, default measure, if not cached yet."""
    cycle, plan = _with_plan(cycle_id)
    if cycle is None or plan is None:
        return 0
    page = GridPart(measure=MEASURES[0], family_id=family_id)
    return int(warm(_etag(cycle, plan, True, page), lambda: product_page(plan, None, page)))


def _with_plan(cycle_id: int) -> tuple[PlanningCycle | None, Plan]:
    """The cycle (None: gone) and its plan's (id, version) (None: gone or never built)."""
    cycle = PlanningCycle.objects.filter(pk=cycle_id).first()
    return cycle, plan_of(cycle) if cycle is not None else None


@register_after_build
def after_build(cycle_id: int) -> None:
    warming.warm_on_commit(WARMER, cycle_id)


def _value(chosen: Measure) -> Any:
    return sum((F(column) for column in chosen.columns[1:]), F(chosen.columns[0]))


def _matching(queryset: QuerySet[Any], search: str, prefix: str) -> QuerySet[Any]:
    if not search:
        return queryset
    return queryset.filter(
        Q(**{f"{prefix}sku__icontains": search}) | Q(**{f"{prefix}name__icontains": search})
    )


def _listed_products(plan_id: int, user: Any, search: str) -> QuerySet[Product]:
    """The products the user sees that have rows in the plan, matching the search."""
    in_plan = PlanRow.objects.filter(plan_id=plan_id, product_id=OuterRef("pk"))
    products = scope_to_families(Product.objects.filter(Exists(in_plan)), user, "family_id")
    return _matching(products, search, "")


def _family_sums(plan_id: int, user: Any, part: GridPart) -> dict[int, dict[str, float]]:
    """family id -> {YYYY-MM: the measure summed over the family's matching products}."""
    rows = scope_to_families(PlanRow.objects.filter(plan_id=plan_id), user, "product__family_id")
    sums = (
        _matching(rows, part.search, "product__")
        .values("product__family_id", "month")
        .annotate(units=Sum(_value(part.measure)))
        .values_list("product__family_id", "month", "units")
    )
    by_family: dict[int, dict[str, float]] = defaultdict(dict)
    for family_id, month, units in sums:
        by_family[family_id][f"{month:%Y-%m}"] = round(float(units or 0.0), 2)
    return by_family


def family_rows(plan: Plan, user: Any, part: GridPart) -> dict[str, Any]:
    """``{"months": [YYYY-MM], "rows": [family row], "totals": {YYYY-MM: units},
    "product_count": n}``; a family row has id ``f<id>``, family_id, family (code), name, the
    family's product_count and one field per month. Three queries, whatever the plan's size."""
    if plan is None:
        return {"months": [], "rows": [], "totals": {}, "product_count": 0}
    by_family = _family_sums(plan[0], user, part)
    months = sorted({m for values in by_family.values() for m in values})
    counts = dict(
        _listed_products(plan[0], user, part.search)
        .values("family_id")
        .annotate(n=Count("pk"))
        .values_list("family_id", "n")
    )
    families = ProductFamily.objects.filter(pk__in=list(by_family)).order_by("code")
    rows = [
        {"id": f"f{family.pk}", "is_family": True, "family_id": family.pk,
         "family": family.code, "name": family.name, "product_count": counts.get(family.pk, 0),
         **{m: by_family[family.pk].get(m, 0.0) for m in months}}
        for family in families
    ]  # fmt: skip
    totals = {m: round(sum(f.get(m, 0.0) for f in by_family.values()), 2) for m in months}
    return {"months": months, "rows": rows, "totals": totals, "product_count": sum(counts.values())}


def product_page(plan: Plan, user: Any, part: GridPart) -> dict[str, Any]:
    """``{"months", "rows": [product row], "next_cursor": str | None}`` for ``part.limit``
    products of family ``part.family_id`` after ``part.cursor``, in SKU order; a product row has
    id ``p<product>-s<site>``, family_id, sku, name, family, site and one field per month. Three
    queries, whatever the plan's or the family's size."""
    if plan is None:
        return {"months": [], "rows": [], "next_cursor": None}
    products = _listed_products(plan[0], user, part.search).filter(family_id=part.family_id)
    page = keyset_page(
        products.select_related("family").only("pk", "sku", "name", "family__code"),
        part.cursor, "next" if part.cursor else "first", part.limit,
    )  # fmt: skip
    by_id = {product.pk: product for product in page.rows}
    months, rows = _product_rows(plan[0], by_id, part)
    return {"months": months, "rows": rows, "next_cursor": page.next_cursor}


def _product_rows(
    plan_id: int, by_id: dict[int, Product], part: GridPart
) -> tuple[list[str], list[dict[str, Any]]]:
    """The months and one row per product and site of the products ``by_id`` (SKU, site order)."""
    values = (
        PlanRow.objects.filter(plan_id=plan_id, product_id__in=list(by_id))
        .annotate(site_code=F("site__code"), units=_value(part.measure))
        .values_list("product_id", "site_id", "site_code", "month", "units")
    )
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    months: set[str] = set()
    for product_id, site_id, site_code, month, units in values:
        label = f"{month:%Y-%m}"
        months.add(label)
        row = cells.setdefault((product_id, site_id), {"site": site_code})
        row[label] = row.get(label, 0.0) + float(units or 0.0)
    ordered = sorted(months)
    rows = []
    for (product_id, site_id), row in sorted(
        cells.items(), key=lambda item: (by_id[item[0][0]].sku, item[1]["site"])
    ):
        product = by_id[product_id]
        rows.append({
            "id": f"p{product_id}-s{site_id}", "is_family": False, "family_id": part.family_id,
            "sku": product.sku, "name": product.name, "family": product.family.code,
            "site": row["site"], **{m: round(row.get(m, 0.0), 2) for m in ordered},
        })  # fmt: skip
    return ordered, rows
