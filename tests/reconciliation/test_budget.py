"""The budget through the one import service: browser upload (CSV / XLSX) and the ERP API."""

from __future__ import annotations

import io

import openpyxl
import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from api.tokens import client_create
from datainputs.importers import get_spec
from datainputs.services import upload_apply, upload_preview
from reconciliation.budget import BudgetError, budget_version_create
from reconciliation.models import BudgetLine, BudgetVersion
from tests.factories import FamilyFactory

pytestmark = pytest.mark.django_db
HEADER = "budget,family,month,units,revenue_eur,cogs_eur"


@pytest.fixture
def version(users):  # type: ignore[no-untyped-def]
    FamilyFactory(code="BEV")
    FamilyFactory(code="SNK")
    return budget_version_create(users[Role.FINANCE], "AOP-2027", 2027, "Plan 2027")


def test_a_csv_with_one_bad_row_writes_nothing_and_names_row_field_and_cause(
    version, users
) -> None:  # type: ignore[no-untyped-def]
    body = "\n".join([HEADER, "AOP-2027,BEV,2027-01,1000,8000.00,4500.00",
                      "AOP-2027,XXX,2027-01,10,80.00,45.00",
                      "AOP-2027,SNK,2027-13,10,80.00,45.00"]).encode()  # fmt: skip
    outcome = upload_preview(get_spec("budget_lines"), body, "budget.csv", users[Role.FINANCE])
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "family"), (4, "month")]
    assert "Unknown family 'XXX'" in outcome.errors[0].message
    assert BudgetLine.objects.count() == 0


def test_an_xlsx_budget_is_previewed_then_applied(version, users) -> None:  # type: ignore[no-untyped-def]
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.append(HEADER.split(","))
    sheet.append(["AOP-2027", "BEV", "2027-01", 1000, 8000, 4500])
    sheet.append(["AOP-2027", "SNK", "2027-01", 500, 2500.5, 1200])
    buffer = io.BytesIO()
    book.save(buffer)
    spec, finance = get_spec("budget_lines"), users[Role.FINANCE]
    preview = upload_preview(spec, buffer.getvalue(), "budget.xlsx", finance)
    assert preview.ok, preview.errors
    applied = upload_apply(spec, preview.batch, finance)
    assert applied.counts is not None and applied.counts.created == 2
    line = BudgetLine.objects.get(family__code="SNK")
    assert (line.version, str(line.revenue_eur)) == (version, "2500.50")


def test_other_roles_may_not_upload_a_budget(version, users) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        upload_preview(get_spec("budget_lines"), HEADER.encode(), "b.csv", users[Role.SALES])
    with pytest.raises(BudgetError):
        budget_version_create(users[Role.SALES], "AOP-2028", 2028)


def test_the_erp_pushes_and_reads_back_budget_lines(version, settings) -> None:  # type: ignore[no-untyped-def]
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000
    _client, token = client_create("erp-budget")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = f"{HEADER}\nAOP-2027,BEV,2027-02,10,80.00,45.00\n"
    pushed = api.post("/api/v1/budget-lines/", data=body, content_type="text/csv")
    assert pushed.status_code == 200, pushed.content
    assert pushed.json()["created"] == 1
    read = api.get("/api/v1/budget-lines/").json()
    rows = read["results"] if isinstance(read, dict) else read
    assert rows[0]["budget"] == "AOP-2027" and rows[0]["family"] == "BEV"


def test_a_new_version_becomes_the_years_active_one(version, users) -> None:  # type: ignore[no-untyped-def]
    second = budget_version_create(users[Role.FINANCE], "AOP-2027-R1", 2027, "Reforecast")
    assert list(BudgetVersion.objects.filter(is_active=True)) == [second]


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("budget,family,month,units,revenue_eur,cogs_eur\nNOPE,BEV,2027-01,1,1,1\n", "text/csv"),
        ("budget,family,month,units,revenue_eur,cogs_eur\nAOP-2027,BEV,2027-01,-1,x,1e99\n",
         "text/csv"),
        ('[{"budget": 5, "family": null, "month": "2027-99", "units": "1"}]', "application/json"),
        ("not json", "application/json"),
    ],
)  # fmt: skip
def test_bad_budget_pushes_are_refused_with_the_reason(
    version, settings, body, content_type
) -> None:  # type: ignore[no-untyped-def]
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000
    _client, token = client_create("erp-budget-bad")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api.post("/api/v1/budget-lines/", data=body, content_type=content_type)
    # 400 for an unreadable body, 422 with every row error for rows that fail validation
    assert response.status_code in (400, 422), response.content
    assert response.json().get("errors") or response.json().get("detail")
    assert BudgetLine.objects.count() == 0
