"""The accuracy report is computed once per data change, in the background, not by the first
visitor: after each demand sign-off (a new snapshot) and each applied sales-history import, the
warmer ``demand.accuracy`` (``siop.warming``) computes the company-wide report into the shared
versioned cache (Redis in production), so the page answers from it. A family-scoped or
single-lag view is computed on its first request.
"""

from __future__ import annotations

from datainputs.services import register_after_import
from demand.accuracy_sql import accuracy_report
from siop import warming

WARMER = "demand.accuracy"
WARMING_INPUTS = frozenset({"sales_history"})


@warming.register(WARMER)
def warm_report() -> int:
    """Compute (or find) the company-wide, all-lags report; returns its scored cell count."""
    return int(accuracy_report(None, None)["cell_count"])


def warm_on_commit() -> None:
    """Send the warming task once the caller's transaction commits (a broker outage only logs:
    the first visitor computes the report instead)."""
    warming.warm_on_commit(WARMER)


@register_after_import
def after_import(data_input: str, batch_id: int) -> None:
    if data_input in WARMING_INPUTS:
        warming.send(WARMER)
