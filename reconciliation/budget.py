"""The budget (annual operating plan) as a data input of the one import service.

Lines are imported by natural key (budget version code, family code, month) as CSV / XLSX from
the data-inputs page or pushed by the ERP through ``/api/v1/tables/budget-lines/``: every row
is validated (row, column, message) and nothing is written when any row is wrong. A version
(code, year) is created first on the reconciliation page or in admin.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from accounts.selectors import user_may
from datainputs.importers.specs import Column, ImportSpec, register_spec
from datainputs.importers.validation import register_fk
from reconciliation.models import BudgetLine, BudgetVersion

BUDGET_LINES = ImportSpec(
    name="budget_lines",
    label="Budget (annual operating plan)",
    model=BudgetLine,
    description="Budgeted units, revenue and COGS per product family and month, per budget "
    "version (e.g. AOP-2027). Create the version on the reconciliation page first.",
    columns=(
        Column("budget", "fk", "version", fk="budget", example="AOP-2027",
               help="Budget version code"),
        Column("family", "fk", "family", fk="family", example="BEV", help="Product family code"),
        Column("month", "month", "month", example="2027-01", help="YYYY-MM"),
        Column("units", "decimal", "units", example="12000", non_negative=True),
        Column("revenue_eur", "decimal", "revenue_eur", example="96000.00", non_negative=True),
        Column("cogs_eur", "decimal", "cogs_eur", example="55000.00", non_negative=True),
    ),
    key_fields=("version", "family", "month"),
)  # fmt: skip


def register() -> None:
    register_fk("budget", BudgetVersion, "code")
    register_spec(BUDGET_LINES)


class BudgetError(Exception):
    """A budget write the server refuses, with a message meant for the user."""


def budget_version_create(user: Any, code: str, year: int, name: str = "") -> BudgetVersion:
    """A new budget version; it becomes the year's active one (the previous one is kept)."""
    if not user_may(user, "upload_budget_lines"):
        raise BudgetError("Only finance may create a budget version.")
    code = code.strip()
    if not code or not 2000 <= year <= 2100:
        raise BudgetError("A budget version needs a code and a year between 2000 and 2100.")
    with transaction.atomic():
        BudgetVersion.objects.filter(year=year, is_active=True).update(is_active=False)
        try:
            with transaction.atomic():
                return BudgetVersion.objects.create(code=code, year=year, name=name)
        except IntegrityError:
            raise BudgetError(f"A budget version '{code}' already exists.") from None
