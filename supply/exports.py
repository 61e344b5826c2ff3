"""The supply plan grid's XLSX export as a background export (`cycles.exports`).

Parameters: ``{"measure": <measure key>, "q": <SKU/name search>}``. Readable by whoever may view
planning pages (as the grid page); the rows honour the reader's family scope. Keyed by the
cycle's consensus plan record and its version (bumped by every rebuild), the product, family and
site data versions (``plan_grid_pages.ETAG_SOURCES``), the measure and the search (as the grid's
cached JSON, `plan_grid_pages`).
"""

from __future__ import annotations

from typing import IO, Any

from cycles.exports import Exporter, register_exporter, requester, require_action
from cycles.models import ExportRun, PlanningCycle
from datainputs import versions as data_version
from siop.spreadsheet import write_xlsx
from supply.plan_grid import KEY_COLUMNS, measure, plan_grid
from supply.plan_grid_pages import ETAG_SOURCES, plan_of

NAME = "supply.plan_grid"


def export_params(measure_key: str | None, search: str | None) -> dict[str, Any]:
    """The export's parameters from the request (an unknown measure is planned receipts)."""
    return {"measure": measure(measure_key).key, "q": (search or "").replace("\x00", "")[:100]}


def _authorize(cycle: PlanningCycle, user: Any, params: dict[str, Any]) -> None:
    require_action(user, "view_planning")


def _version(cycle: PlanningCycle, user: Any, params: dict[str, Any]) -> list[Any]:
    current = data_version.current()
    return [plan_of(cycle), [current.get(name, 0) for name in ETAG_SOURCES]]


def _filename(cycle: PlanningCycle, user: Any, params: dict[str, Any]) -> str:
    return f"supply-plan-{cycle.month:%Y-%m}-{measure(params.get('measure')).key}.xlsx"


def _title(cycle: PlanningCycle, user: Any, params: dict[str, Any]) -> str:
    search = f", SKU or name containing {params['q']!r}" if params.get("q") else ""
    return f"Supply plan grid, {measure(params.get('measure')).label}{search}"


def _write(run: ExportRun, out: IO[bytes]) -> None:
    params = run.params
    grid = plan_grid(run.cycle, requester(run), params.get("measure"), params.get("q", ""))
    months = [f"{m:%Y-%m}" for m in grid.months]
    header = ["SKU", "Product", "Family", "Site", *months]
    rows = ([row[c] for c in KEY_COLUMNS] + [row[m] for m in months] for row in grid.rows)
    write_xlsx(out, grid.measure.label, header, rows)


register_exporter(Exporter(NAME, _authorize, _version, _filename, _title, _write))
