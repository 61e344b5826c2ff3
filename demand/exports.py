"""The demand grid's XLSX download as a background export (`cycles.exports`).

Parameters: ``{"family": <product family id>}``. Readable by whoever may view planning pages and
sees the family (as the review page); keyed like the grid's cached JSON (`grid_cache.grid_etag`:
the cycle, edit right, family scope and the data versions of every table the grid reads), so
the file is rebuilt only after a plan number, a forecast, an import or the product list changed.
"""

from __future__ import annotations

from typing import IO, Any

from django.http import Http404

from accounts.selectors import user_family_ids
from cycles.exports import Exporter, register_exporter, requester, require_action
from cycles.models import ExportRun, PlanningCycle
from demand.grid import may_edit, visible_families
from demand.grid_cache import grid_etag
from demand.xlsx import write_grid_workbook
from masterdata.models import ProductFamily

NAME = "demand.grid"


def _family(user: Any, params: dict[str, Any]) -> ProductFamily:
    family = visible_families(user).filter(pk=int(params.get("family") or 0)).first()
    if family is None:
        raise Http404("No such product family is visible to you.")
    return family


def _authorize(cycle: PlanningCycle, user: Any, params: dict[str, Any]) -> None:
    require_action(user, "view_planning")
    _family(user, params)


def _version(cycle: PlanningCycle, user: Any, params: dict[str, Any]) -> list[Any]:
    scope = sorted(user_family_ids(user) or [])
    return [grid_etag(cycle, f"xlsx:{params['family']}", editor=may_edit(cycle, user), scope=scope)]


def _filename(cycle: PlanningCycle, user: Any, params: dict[str, Any]) -> str:
    return f"demand-{cycle.month:%Y-%m}-{_family(user, params).code}.xlsx"


def _title(cycle: PlanningCycle, user: Any, params: dict[str, Any]) -> str:
    family = _family(user, params)
    return f"Demand review grid, {family.code} {family.name}"


def _write(run: ExportRun, out: IO[bytes]) -> None:
    user = requester(run)
    write_grid_workbook(run.cycle, _family(user, run.params), user, out)


register_exporter(Exporter(NAME, _authorize, _version, _filename, _title, _write))
