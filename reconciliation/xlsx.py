"""XLSX export of a comparison: metrics side by side, levers, bridges, family x month facts.

Written with openpyxl through `siop.cells.xlsx_append`, so user text (a scenario name, a lever)
is always a text cell, never a formula.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from cycles.models import PlanningCycle
from reconciliation import selectors
from reconciliation.compare import Column, metric_rows
from siop.cells import xlsx_append

GOOD, BAD = PatternFill("solid", fgColor="D9F2D9"), PatternFill("solid", fgColor="F8D7DA")
FACT_SHEET_COLUMNS = ("family", "bucket", "demand_units", "served_units", "lost_sales_units",
                      "revenue_eur", "cogs_eur", "gross_margin_eur", "gross_margin_pct",
                      "plan_cost_eur", "revenue_at_risk_eur", "closing_inventory_value_eur",
                      "average_inventory_value_eur", "days_of_inventory", "weeks_of_supply",
                      "planned_fill_rate_pct", "budget_revenue_eur", "budget_revenue_eur_gap",
                      "budget_revenue_eur_gap_pct")  # fmt: skip


def _comparison(book: Workbook, cols: list[Column]) -> None:
    sheet = book.worksheets[0]
    sheet.title = "Comparison"
    names = [c.state.scenario.name for c in cols]
    header = ["Metric", "Unit", *names, *[f"Δ {n} vs baseline" for n in names[1:]]]
    xlsx_append(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(metric_rows(cols), start=2):
        cells = row["cells"]
        xlsx_append(sheet, [row["label"], row["unit"], *[c["value"] for c in cells],
                            *[c["delta"] for c in cells[1:]]])  # fmt: skip
        for offset, cell in enumerate(cells[1:]):
            fill = {"good": GOOD, "bad": BAD}.get(cell["tone"])
            if fill is not None:
                sheet.cell(row=number, column=3 + len(cols) + offset).fill = fill
    sheet.column_dimensions["A"].width = 36


def _levers(book: Workbook, cols: list[Column]) -> None:
    sheet = book.create_sheet("Levers")
    xlsx_append(sheet, ["Scenario", "Stale", "Lever"])
    for c in cols:
        lines = c.state.lever_lines or ["(no levers: the consensus plan)"]
        for line in lines:
            xlsx_append(sheet, [c.state.scenario.name, "yes" if c.state.stale else "no",
                                line])  # fmt: skip


def _bridges(book: Workbook, cols: list[Column]) -> None:
    sheet = book.create_sheet("Bridge")
    xlsx_append(sheet, ["Scenario", "Budget revenue", "Price", "Volume", "Mix", "Scenario revenue"])
    for c in cols:
        if c.bridge is not None:
            b = c.bridge
            xlsx_append(sheet, [c.state.scenario.name, b.budget_eur, b.price_eur, b.volume_eur,
                          b.mix_eur, b.scenario_eur])  # fmt: skip


def _facts(book: Workbook, cycle: PlanningCycle, cols: list[Column]) -> None:
    refs = selectors.references(cycle)
    for index, c in enumerate(cols, start=1):
        if c.state.result is None:
            continue
        sheet = book.create_sheet(f"S{index} by month")
        xlsx_append(sheet, [f"{c.state.scenario.name}: family x month (family * = total)"])
        view = selectors.financial_view(cycle, c.state.result, "month", refs)
        present = [k for k in FACT_SHEET_COLUMNS if k in view.columns]
        xlsx_append(sheet, present)
        for record in view[present].itertuples(index=False):
            xlsx_append(sheet, [None if isinstance(v, float) and v != v else v for v in record])


def comparison_xlsx(cycle: PlanningCycle, cols: list[Column]) -> bytes:
    book = Workbook()
    _comparison(book, cols)
    _levers(book, cols)
    _bridges(book, cols)
    _facts(book, cycle, cols)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
