"""Downloadable templates for each data input (CSV and XLSX with the exact column headers)."""

from __future__ import annotations

import csv
import io

import openpyxl
from openpyxl.styles import Font

from datainputs.importers import ImportSpec


def template_csv(spec: ImportSpec) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(spec.column_names)
    writer.writerow([c.example for c in spec.columns])
    return buffer.getvalue().encode("utf-8")


def template_xlsx(spec: ImportSpec) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = spec.name[:31]  # labels may hold characters Excel forbids in sheet titles
    sheet.append(spec.column_names)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([c.example for c in spec.columns])
    notes = workbook.create_sheet("Columns")
    notes.append(["column", "required", "help"])
    for column in spec.columns:
        notes.append([column.name, "yes" if column.required else "no", column.help or column.kind])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
