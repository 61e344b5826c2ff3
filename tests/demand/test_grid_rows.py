"""The grid's rows built in one pass show the numbers the per-measure pivots showed.

``demand.grid_rows`` lays out 200 products x 18 months x 6 measures from one grouping per
frame; the reference below is the pivot-per-measure layout it replaced (``_wide`` and
``_product_rows`` of the earlier ``demand.grid``), kept here verbatim as the definition of
what a planner saw: same values rounded the same way, same lock versions, flags and order.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from accounts.roles import Role
from demand import grid
from demand.events import event_create
from demand.grid_rows import MEASURE_FIELD, MEASURES, consensus_flags, month_key, version_key
from demand.overrides import CellEdit, overrides_apply
from demand.selectors import history_months
from tests.demand.conftest import family_products

pytestmark = pytest.mark.django_db
DEC, JAN = dt.date(2026, 12, 1), dt.date(2027, 1, 1)


def _wide(frame: pd.DataFrame, field: str, key: Any = month_key) -> dict[int, dict[str, Any]]:
    if frame.empty:
        return {}
    table = frame.groupby(["product_id", "month"])[field].sum(min_count=1).unstack()
    columns = [key(m) for m in table.columns]
    values = table.to_numpy(dtype=float)
    if key is month_key:
        values = values.round(2)
    present = ~np.isnan(values)
    return {
        int(pk): {c: v for c, v, here in zip(columns, row, mask, strict=True) if here}
        for pk, row, mask in zip(
            table.index.tolist(), values.tolist(), present.tolist(), strict=True
        )
    }


def reference_rows(family, label, listed, frames, editable):  # type: ignore[no-untyped-def]
    """The earlier layout: one pivot per measure, one dict per row."""
    consensus, actuals, backlog = frames
    values = {m: _wide(consensus, f) for m, f in MEASURE_FIELD.items()}
    values["actual"] = _wide(actuals, "actual_units")
    values["backlog"] = _wide(backlog, "backlog_units")
    versions = _wide(consensus, "version", version_key)
    models = consensus.groupby("product_id")["model"].first().to_dict() if len(consensus) else {}
    flags = consensus_flags(consensus)
    none = {"overridden": [], "carried": [], "statistical_changed": {}}
    rows = []
    for pk, sku, name in listed:
        for measure, measure_label in MEASURES:
            row: dict[str, Any] = {
                "id": f"p{pk}-{measure}", "family": label, "family_id": family.pk,
                "product_id": pk, "sku": sku, "product": f"{sku} {name}", "is_family": False,
                "measure": measure, "measure_label": measure_label,
                "editable": editable and measure == "consensus", **values[measure].get(pk, {}),
            }  # fmt: skip
            if measure == "statistical" and pk in models:
                row["measure_label"] = f"Statistical · {models[pk]}"
            if measure == "consensus":
                row.update({k: int(v) for k, v in versions.get(pk, {}).items()})
                row.update(flags.get(pk, none))
            rows.append(row)
    return rows


def test_a_page_shows_the_numbers_the_per_measure_pivots_showed(forecast_cycle, users):
    # Given a family with a percent event on one product, a unit event spread over the family
    # and typed cells (one of them an odd number of cents)
    bikes = family_products("BIKES")
    planner = users[Role.DEMAND_PLANNER]
    family = bikes[0].family
    for name, scope, kind, value in (
        ("Promo", {"product": bikes[1]}, "percent", Decimal("12.5")),
        ("Fair", {"family": family}, "units", Decimal("91")),
    ):
        event_create(forecast_cycle.pk, {"name": name, **scope, "start_month": DEC,
                     "end_month": JAN, "uplift_kind": kind, "uplift_value": value}, planner)  # fmt: skip
    edits = [
        CellEdit(DEC, Decimal("12.35"), 0, bikes[2].pk),
        CellEdit(JAN, Decimal("7"), 0, bikes[0].pk),
    ]
    overrides_apply(forecast_cycle.pk, edits, planner, reason="customer_intel")
    # When a page of the family is laid out in one pass
    first = history_months(forecast_cycle, grid.HISTORY_COLUMNS)[0]
    ids = [p.pk for p in bikes]
    frames = grid.read_frames(forecast_cycle, ids, first)
    listed = [(p.pk, p.sku, p.name) for p in bikes]
    rows = grid.product_rows(family, "BIKES", listed, frames, True)
    # Then every row, its values, versions, flags and their order are the pivots' ones
    expected = reference_rows(family, "BIKES", listed, frames, True)
    assert [list(row.items()) for row in rows] == [list(row.items()) for row in expected]
    assert any(row.get("overridden") for row in rows)  # the typed cells are there
    assert any(row["measure"] == "events" and row.get("m2026_12") for row in rows)
