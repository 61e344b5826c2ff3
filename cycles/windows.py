"""The time windows every total of money or units is shown over, defined once with their labels.

A figure is always printed with its window's label, so the same label means the same number on
every page (the reconciliation's scenario table, the approval's choice of scenario, the executive
dashboard):

* ``kpi_window``: the 12 months from the cycle month (a rolling year: every cycle's KPIs compare
  like with like), e.g. "next 12 months (Nov 2026 to Oct 2027)".
* ``horizon_window``: the cycle's whole planning horizon, e.g. "horizon, 18 months (Nov 2026 to
  Apr 2028)".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from cycles.models import PlanningCycle

KPI_WINDOW_MONTHS = 12


@dataclass(frozen=True)
class FigureWindow:
    first: dt.date  # first day of the first month
    months: int
    name: str

    @property
    def last(self) -> dt.date:
        """First day of the window's last month."""
        return (pd.Timestamp(self.first) + pd.DateOffset(months=self.months - 1)).date()

    @property
    def label(self) -> str:
        return f"{self.name} ({self.first:%b %Y} to {self.last:%b %Y})"

    def mask(self, periods: pd.Series) -> pd.Series:
        """True for the monthly ``pd.Period`` values inside the window."""
        first = pd.Period(self.first, freq="M")
        return (periods >= first) & (periods < first + self.months)


def kpi_window(cycle: PlanningCycle) -> FigureWindow:
    return FigureWindow(cycle.month, KPI_WINDOW_MONTHS, f"next {KPI_WINDOW_MONTHS} months")


def horizon_window(cycle: PlanningCycle) -> FigureWindow:
    return FigureWindow(
        cycle.month, cycle.horizon_months, f"horizon, {cycle.horizon_months} months"
    )
