"""The PostgreSQL fast path and the row-by-row validator agree on every tricky value: same
accepted value stored, or the same row error (the fast path defers anything it is unsure of)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.roles import Role
from datainputs.importers import get_spec
from datainputs.importers.payload import TablePayload
from datainputs.models import SalesHistory
from datainputs.services import table_import

pytestmark = pytest.mark.django_db
SALES = get_spec("sales_history")
QUANTITIES = [
    "12",
    " 12 ",
    "+5",
    "1e3",
    "1.005",
    "1.5",
    "NaN",
    "Infinity",
    "-3",
    '""',
    "1_000",
    "12.",
    ".5",
    "0x10",
    "99999999999999",
    "1,5",
    "",
    "\uff19",  # fullwidth nine: Python Decimal accepts it, COPY does not
]
MONTHS = [
    "2026-10",
    "2026-10-01",
    "2026-10-15",
    "2026/10",
    "26-10",
    " 2026-10 ",
    "2026-13",
    "0000-01",
]


def _outcome(body: bytes, user, fast: bool, monkeypatch) -> tuple:  # type: ignore[no-untyped-def,type-arg]
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr("datainputs.importers.staged.supports", lambda spec: False)
        outcome = table_import(SALES, TablePayload.from_csv(body), user)
    stored = sorted(SalesHistory.objects.values_list("month", "quantity"))
    SalesHistory.objects.all().delete()
    return [e.as_dict() for e in outcome.errors], stored


@pytest.mark.parametrize("quantity", QUANTITIES)
def test_quantities(master, users, quantity, monkeypatch) -> None:
    body = f"sku,site,channel,month,quantity,revenue\nBEV-001,DC1,RETAIL,2026-10,{quantity},1\n"
    admin = users[Role.ADMINISTRATOR]
    fast = _outcome(body.encode(), admin, True, monkeypatch)
    slow = _outcome(body.encode(), admin, False, monkeypatch)
    assert fast == slow
    if not fast[0]:
        assert isinstance(fast[1][0][1], Decimal)


@pytest.mark.parametrize("month", MONTHS)
def test_months(master, users, month, monkeypatch) -> None:
    body = f"sku,site,channel,month,quantity,revenue\nBEV-001,DC1,RETAIL,{month},1,1\n"
    admin = users[Role.ADMINISTRATOR]
    assert _outcome(body.encode(), admin, True, monkeypatch) == _outcome(
        body.encode(), admin, False, monkeypatch
    )
