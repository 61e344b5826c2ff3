"""Is last month's sales history complete enough to forecast from?

A month counts as loaded only when it covers the products that sold in the month before it:
of the products with a sales row in month M - 1, at least `coverage_threshold_pct()` % (the
setting ``SIOP_SALES_COVERAGE_PCT``, default 90) must have a row in month M. A product without
a row is read by the forecast as a month of zero demand, so a partial upload silently cuts
demand: a 3-row upload of last month once let a family's forecast drop 12 %. The previous
month is the reference because it is the best available list of what normally sells; products
that really stopped selling are why the threshold is below 100 %.

An administrator who knows the month is right (a product range was delisted, a channel
closed) accepts it with a reason; the acceptance is an audit entry (table
``data_completeness``), which is both the record the gate reads and the audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef

from accounts.roles import Role
from accounts.selectors import user_role
from cycles.audit import audit_record
from cycles.models import AuditEntry, PlanningCycle
from datainputs.models import SalesHistory

AUDIT_TABLE = "data_completeness"
AUDIT_FIELD = "sales_history_accepted"
DEFAULT_COVERAGE_PCT = 90.0


def coverage_threshold_pct() -> float:
    return float(getattr(settings, "SIOP_SALES_COVERAGE_PCT", DEFAULT_COVERAGE_PCT))


@dataclass(frozen=True)
class SalesCoverage:
    """How much of month `month` is loaded: of the `expected` products that sold in the month
    before, `covered` have a row in `month`. `any_rows`: the month has at least one row."""

    month: dt.date
    expected: int
    covered: int
    any_rows: bool

    @property
    def coverage_pct(self) -> float:
        return 100.0 * self.covered / self.expected if self.expected else 100.0

    @property
    def complete(self) -> bool:
        if not self.any_rows:
            return False
        return self.coverage_pct >= coverage_threshold_pct()


def previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def sales_coverage(month: dt.date) -> SalesCoverage:
    """Coverage of `month` (a month start), set-based: two counts whatever the catalogue size."""
    before = SalesHistory.objects.filter(month=previous_month(month))
    expected_ids = before.values("product_id").distinct()
    this_month = SalesHistory.objects.filter(month=month, product_id=OuterRef("product_id"))
    covered = before.filter(Exists(this_month)).values("product_id").distinct().count()
    return SalesCoverage(
        month=month,
        expected=expected_ids.count(),
        covered=covered,
        any_rows=SalesHistory.objects.filter(month=month).exists(),
    )


def acceptance(cycle: PlanningCycle, month: dt.date) -> AuditEntry | None:
    """The administrator's acceptance of an incomplete `month` for `cycle`, if any."""
    return (
        AuditEntry.objects.filter(
            cycle=cycle, table=AUDIT_TABLE, field=AUDIT_FIELD, record_key=f"{month:%Y-%m}"
        )
        .order_by("-created_at", "-id")
        .first()
    )


def accept_incomplete_month(
    cycle: PlanningCycle, month: dt.date, user: Any, reason: str
) -> AuditEntry:
    """Record that an administrator accepts `month` as loaded despite its coverage.

    Raises PermissionDenied for anyone but an administrator, ValueError without a reason.
    """
    if user_role(user) != Role.ADMINISTRATOR:
        raise PermissionDenied("Only an administrator may accept an incomplete month.")
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("reason: say why the month is complete enough to forecast from.")
    coverage = sales_coverage(month)
    return audit_record(
        cycle=cycle,
        table=AUDIT_TABLE,
        record_key=f"{month:%Y-%m}",
        field=AUDIT_FIELD,
        before=f"{coverage.covered} of {coverage.expected} products ({coverage.coverage_pct:.1f} %)",
        after=f"accepted below {coverage_threshold_pct():g} %",
        user=user,
        source="admin",
        reason="incomplete month accepted",
        comment=reason,
    )


def sales_history_problems(cycle: PlanningCycle, month: dt.date) -> list[str]:
    """Why `month` does not count as loaded for `cycle` (empty when it does)."""
    coverage = sales_coverage(month)
    if coverage.complete or acceptance(cycle, month) is not None:
        return []
    if not coverage.any_rows:
        return [f"Sales history for {month:%B %Y} is not loaded yet."]
    return [
        f"Sales history for {month:%B %Y} looks partial: it covers {coverage.covered} of the "
        f"{coverage.expected} products that sold in {previous_month(month):%B %Y} "
        f"({coverage.coverage_pct:.0f} %; at least {coverage_threshold_pct():g} % needed). "
        "Load the missing rows, or an administrator can accept the month with a reason."
    ]
