"""The demand planner's "Download XLSX" in Chromium: the click still ends in a downloaded file,
directly without a worker (`make run`), through the export's page with a real worker."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import browser_login


def _skus(path) -> set[str]:  # type: ignore[no-untyped-def]
    sheet = load_workbook(path)["Demand review"]
    return {str(row[1]) for row in sheet.iter_rows(min_row=2, values_only=True) if row[1]}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_a_worker_the_button_downloads_the_file(
    browser_page, forecast_cycle, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    # Given the demand planner on the BIKES grid
    browser_login(page, "demand_planner")
    page.goto(f"/demand/cycles/{forecast_cycle.pk}/")
    # When they click "Download XLSX"
    with page.expect_download() as download:
        page.click("#demand-export")
    # Then the browser saves the family's grid
    path = tmp_path / "grid.xlsx"
    download.value.save_as(path)
    assert download.value.suggested_filename == "demand-2026-11-BIKES.xlsx"
    assert _skus(path) == {"BIKE-1", "BIKE-2", "BIKE-3"}


@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_with_a_worker_the_button_leads_to_the_export_page_then_the_file(  # type: ignore[no-untyped-def]
    browser_page, celery_worker_redis, forecast_cycle, tmp_path
) -> None:
    page = browser_page
    # Given the demand planner on the BIKES grid, with the export built by a worker
    browser_login(page, "demand_planner")
    page.goto(f"/demand/cycles/{forecast_cycle.pk}/")
    # When they click "Download XLSX"
    page.click("#demand-export")
    # Then the export's page shows the run, and once the worker is done the download link
    expect(page.locator("h1")).to_contain_text("Export · Demand review grid, BIKES")
    link = page.locator("#export-download")
    expect(link).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        link.click()
    path = tmp_path / "grid.xlsx"
    download.value.save_as(path)
    assert download.value.suggested_filename == "demand-2026-11-BIKES.xlsx"
    assert _skus(path) == {"BIKE-1", "BIKE-2", "BIKE-3"}
