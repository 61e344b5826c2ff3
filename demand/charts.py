"""Chart series for one product or family: history, statistical with its 80 % interval,
consensus, and the previous cycle's frozen consensus (Plotly draws them in the browser).

A family's interval is the sum of its products' bounds - wider than the true family interval
(errors partly cancel), i.e. a conservative band; it is labelled as the products' interval.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from django.db.models import Sum

from cycles.models import PlanningCycle
from datainputs.models import SalesHistory
from demand.models import ConsensusSnapshot
from demand.selectors import consensus_frame, history_months
from siop.lookups import any_of

CHART_HISTORY_MONTHS = 36


def _xy(series: pd.Series) -> dict[str, list[Any]]:
    series = series.sort_index()
    return {"x": [f"{m:%Y-%m-%d}" for m in series.index], "y": [round(float(v), 2) for v in series]}


def previous_cycle(cycle: PlanningCycle) -> PlanningCycle | None:
    if cycle.previous_id:
        return cycle.previous
    return PlanningCycle.objects.filter(month__lt=cycle.month).order_by("-month").first()


def chart_series(
    cycle: PlanningCycle, product_ids: list[int], consensus: pd.DataFrame | None = None
) -> dict[str, Any]:
    """``{"history", "statistical" (+ "lower", "upper"), "consensus", "previous"}``, each
    ``{"x": [YYYY-MM-DD], "y": [units]}`` summed over the products; ``consensus``: their
    ``consensus_frame`` when the caller has read it already."""
    months = history_months(cycle, CHART_HISTORY_MONTHS)
    history = monthly_actuals(product_ids, months[0], cycle.month)
    consensus = (
        (consensus_frame(cycle, product_ids) if consensus is None else consensus)
        .groupby("month")[["statistical_units", "lower_units", "upper_units", "consensus_units"]]
        .sum()
    )
    statistical = _xy(consensus["statistical_units"])
    statistical["lower"] = _xy(consensus["lower_units"])["y"]
    statistical["upper"] = _xy(consensus["upper_units"])["y"]
    return {
        "history": _xy(history),
        "statistical": statistical,
        "consensus": _xy(consensus["consensus_units"]),
        "previous": _xy(_previous_consensus(cycle, product_ids)),
    }


def monthly_actuals(product_ids: list[int], first: dt.date, before: dt.date) -> pd.Series:
    """Sales history of these products summed by month in the database (month -> units): one
    row per month comes back, not one per product and month (a family of 1,000 products x 36
    months read 36,000 rows to add them up in pandas)."""
    rows = (
        SalesHistory.objects.filter(
            any_of("product_id", product_ids), month__gte=first, month__lt=before
        )
        .order_by()  # the model's ordering (by product, site, channel) would join those tables
        .values("month")
        .annotate(units=Sum("quantity"))
        .values_list("month", "units")
    )
    return pd.Series({month: float(units) for month, units in rows}, dtype=float)


def _previous_consensus(cycle: PlanningCycle, product_ids: list[int]) -> pd.Series:
    previous = previous_cycle(cycle)
    if previous is None:
        return pd.Series(dtype=float)
    rows = (
        ConsensusSnapshot.objects.filter(any_of("product_id", product_ids), cycle=previous)
        .values("month")
        .annotate(units=Sum("consensus_units"))
    )
    if rows:
        return pd.Series({r["month"]: float(r["units"]) for r in rows}, dtype=float)
    frame = consensus_frame(previous, product_ids)
    return frame.groupby("month")["consensus_units"].sum()
