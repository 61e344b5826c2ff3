"""What planners type, paste or upload into the demand grid is read exactly or refused clearly.

One parser (siop/numbers.py) serves grid edits, Excel pastes and the XLSX round trip: German
``1.234,5`` is 1234.5 with a German setting; ``1,5`` or ``1_000`` in English are refused, never
saved as 15 or 1000; huge numbers are a message, not a server error. A new product without
history or like-item takes the planner's number instead of "run the forecast first".
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from accounts.roles import Role
from demand.models import DemandOverride
from demand.selectors import consensus_frame
from masterdata.models import Product
from tests.demand.conftest import family_products
from tests.factories import PASSWORD, ProductFactory

pytestmark = pytest.mark.django_db
DEC = dt.date(2026, 12, 1)


@pytest.fixture
def planner(client, users):  # type: ignore[no-untyped-def]
    client.login(username=users[Role.DEMAND_PLANNER].username, password=PASSWORD)
    return client


def save(planner, cycle, product, units):  # type: ignore[no-untyped-def]
    edit = {"product_id": product.pk, "month": "2026-12", "consensus_units": units, "version": 0}
    body = {"reason": "customer_intel", "comment": "", "edits": [edit]}
    return planner.post(
        f"/demand/cycles/{cycle.pk}/overrides/", json.dumps(body), content_type="application/json"
    )


def consensus(cycle, product) -> float:  # type: ignore[no-untyped-def]
    frame = consensus_frame(cycle, [product.pk])
    return float(frame[frame["month"] == DEC]["consensus_units"].iloc[0])


@pytest.mark.parametrize(("pasted", "expected"), [("1.234,5", 1234.5), ("12,5", 12.5)])
def test_given_a_german_setting_when_a_german_paste_is_saved_then_the_value_is_exact(
    planner, forecast_cycle, settings, pasted, expected
) -> None:
    settings.NUMBER_LOCALE = "de"
    helmet = family_products("HELMETS")[0]
    response = save(planner, forecast_cycle, helmet, pasted)
    assert response.status_code == 200, response.content
    assert consensus(forecast_cycle, helmet) == expected


@pytest.mark.parametrize(
    ("typed", "cause"),
    [
        ("1,5", "ambiguous or malformed in the en number format"),
        ("1_000", "underscores are not digit separators"),
        ("1e20", "too large"),
        (1e20, "too large"),
        (1e300, "too large"),
        ("1.234,5", "ambiguous or malformed"),
    ],
)
def test_given_an_english_setting_when_ambiguous_or_huge_numbers_are_saved_then_400(
    planner, forecast_cycle, typed, cause
) -> None:
    helmet = family_products("HELMETS")[0]
    before = consensus(forecast_cycle, helmet)
    response = save(planner, forecast_cycle, helmet, typed)
    assert response.status_code == 400
    assert cause in response.json()["error"]
    assert consensus(forecast_cycle, helmet) == before
    assert not DemandOverride.objects.exists()


def test_given_a_new_product_without_history_when_the_planner_types_a_value_then_it_is_kept(
    planner, forecast_cycle
) -> None:
    bikes = family_products("BIKES")
    newcomer: Product = ProductFactory(sku="BIKE-NEW", family=bikes[0].family)  # type: ignore[assignment]
    grid = planner.get(f"/demand/cycles/{forecast_cycle.pk}/grid.json?family={newcomer.family_id}")
    row = next(r for r in grid.json()["rows"] if r["id"] == f"p{newcomer.pk}-consensus")
    assert row["editable"] and row["v2026_12"] == 0  # the grid will send the typed cell
    response = save(planner, forecast_cycle, newcomer, 120)
    assert response.status_code == 200, response.content
    assert consensus(forecast_cycle, newcomer) == 120.0
    grid = planner.get(f"/demand/cycles/{forecast_cycle.pk}/grid.json?family={newcomer.family_id}")
    row = next(r for r in grid.json()["rows"] if r["id"] == f"p{newcomer.pk}-consensus")
    assert row["m2026_12"] == 120.0 and row["v2026_12"] == 1


def _book(planner, cycle, family):  # type: ignore[no-untyped-def]
    response = planner.get(f"/demand/cycles/{cycle.pk}/export.xlsx?family={family.pk}")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _upload(planner, cycle, family, book):  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "grid.xlsx"
    data = {"file": out, "family": family.pk, "reason": "customer_intel"}
    return planner.post(f"/demand/cycles/{cycle.pk}/upload/", data)


def _consensus_cell(sheet, sku: str, month: str):  # type: ignore[no-untyped-def]
    index = [c.value for c in sheet[1]].index(month)
    row = next(
        r for r in sheet.iter_rows(min_row=2) if r[1].value == sku and r[3].value == "Consensus"
    )
    return row[index]


def test_given_text_in_the_version_column_when_uploaded_then_400_naming_it(
    planner, forecast_cycle
) -> None:
    family = family_products("HELMETS")[0].family
    book = _book(planner, forecast_cycle, family)
    book["_versions"]["C2"].value = "seven"
    response = _upload(planner, forecast_cycle, family, book)
    assert response.status_code == 400
    assert (
        "_versions sheet, row 2: &#x27;seven&#x27; is not a version number"
        in response.content.decode()
    )


def test_given_an_extra_column_when_uploaded_then_the_edits_still_apply(
    planner, forecast_cycle
) -> None:
    family = family_products("HELMETS")[0].family
    book = _book(planner, forecast_cycle, family)
    sheet = book["Demand review"]
    _consensus_cell(sheet, "HELM-1", "2026-12").value = 77
    sheet.cell(1, sheet.max_column + 1).value = "Notes"
    sheet.cell(2, sheet.max_column).value = "=1+1"
    response = _upload(planner, forecast_cycle, family, book)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert consensus(forecast_cycle, family_products("HELMETS")[0]) == 77.0


def test_given_1e20_in_an_uploaded_cell_then_400_naming_row_and_month(
    planner, forecast_cycle
) -> None:
    family = family_products("HELMETS")[0].family
    book = _book(planner, forecast_cycle, family)
    cell = _consensus_cell(book["Demand review"], "HELM-1", "2026-12")
    cell.value = 1e20
    response = _upload(planner, forecast_cycle, family, book)
    assert response.status_code == 400
    assert f"Row {cell.row}, 2026-12: &#x27;1e+20&#x27; is too large" in response.content.decode()
    assert not DemandOverride.objects.exists()


def test_given_a_product_named_as_a_formula_when_the_grid_is_exported_then_it_is_text(
    planner, forecast_cycle
) -> None:
    helmet = family_products("HELMETS")[0]
    Product.objects.filter(pk=helmet.pk).update(name='=HYPERLINK("http://evil.example/","x")')
    sheet = _book(planner, forecast_cycle, helmet.family)["Demand review"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == helmet.sku)
    assert row[2].value == '=HYPERLINK("http://evil.example/","x")'
    assert row[2].data_type == "s"  # a text cell, not a live formula
    assert all(c.data_type == "n" for c in row[4:] if c.value is not None)  # numbers stay numbers
