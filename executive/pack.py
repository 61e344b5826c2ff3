"""The meeting pack: its content frozen at approval (JSON) and the XLSX written from it once.

The printable page and the workbook both render the frozen content, never live tables, so the
pack of an approved cycle reads the same however the registers or the plan move later.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from cycles.models import PlanningCycle
from executive.engine.definitions import KPI_DEFS
from executive.models import PlanException, RegisterEntry, RegisterKind
from executive.scenarios import ScenarioOption


def _exception_row(e: PlanException) -> dict[str, Any]:
    return {
        "id": e.pk,
        "tier": e.tier,
        "rule": e.rule.get_code_display(),
        "title": e.title,
        "value_at_risk_eur": round(e.value_at_risk_eur, 2),
        "status": e.get_status_display(),
        "owner": str(e.owner or ""),
        "due_date": e.due_date.isoformat() if e.due_date else "",
    }


def _entry_row(e: RegisterEntry) -> dict[str, Any]:
    return {
        "kind": e.get_kind_display(),
        "title": e.title,
        "owner": str(e.owner or ""),
        "due_date": e.due_date.isoformat() if e.due_date else "",
        "status": e.get_status_display(),
        "expected_impact_eur": e.expected_impact_eur,
        "downside_eur": e.downside_eur,
        "plan_eur": e.plan_eur,
        "upside_eur": e.upside_eur,
    }


def pack_content(
    cycle: PlanningCycle,
    kpis: dict[str, Any],
    previous: dict[str, Any],
    options: list[ScenarioOption],
    chosen: ScenarioOption,
    extra: dict[str, Any],
) -> dict[str, Any]:
    """Everything the meeting pack shows, as plain JSON (numbers already frozen)."""
    entries = list(RegisterEntry.objects.filter(cycle=cycle).select_related("owner"))
    excs = PlanException.objects.filter(cycle=cycle).select_related("rule", "owner")
    return {
        "cycle": str(cycle),
        "kpis": [
            {
                "key": d.key,
                "label": d.label,
                "unit": d.unit,
                "formula": d.formula,
                "sign": d.sign,
                "value": kpis.get(d.key),
                "last_approved": previous.get(d.key),
            }
            for d in KPI_DEFS
        ],
        "scenarios": [
            {
                "id": o.id,
                "name": o.name,
                "recommended": o.recommended,
                "chosen": o.id == chosen.id,
                "levers": o.levers,
                "totals": o.totals,
            }
            for o in options
        ],
        "exceptions": [_exception_row(e) for e in excs],
        "decisions": [_entry_row(e) for e in entries if e.kind == RegisterKind.DECISION],
        "assumptions": [_entry_row(e) for e in entries if e.kind == RegisterKind.ASSUMPTION],
        "risks": [
            _entry_row(e)
            for e in entries
            if e.kind in {RegisterKind.RISK, RegisterKind.OPPORTUNITY}
        ],
        **extra,
    }


SHEETS: tuple[tuple[str, str, list[str]], ...] = (
    (
        "Exceptions",
        "exceptions",
        ["tier", "rule", "title", "value_at_risk_eur", "status", "owner", "due_date"],
    ),
    ("Decisions", "decisions", ["title", "owner", "due_date", "status", "expected_impact_eur"]),
    (
        "Risks",
        "risks",
        ["kind", "title", "owner", "downside_eur", "plan_eur", "upside_eur", "status"],
    ),
    ("Assumptions", "assumptions", ["title", "owner", "status"]),
)


def pack_xlsx(content: dict[str, Any]) -> bytes:
    """The workbook: summary with KPIs, scenario comparison, exceptions, registers."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "KPIs"
    bold = Font(bold=True)
    sheet.append([f"Meeting pack: {content['cycle']}"])
    sheet.append(
        [
            "Approved scenario",
            content.get("scenario_name", ""),
            "Approved by",
            content.get("approved_by", ""),
            content.get("approved_at", ""),
        ]
    )
    sheet.append(["Comment", content.get("comment", "")])
    sheet.append([])
    sheet.append(["KPI", "Unit", "This plan", "Last approved", "Formula", "Sign convention"])
    for cell in sheet[5]:
        cell.font = bold
    for k in content["kpis"]:
        sheet.append(
            [k["label"], k["unit"], k["value"], k["last_approved"], k["formula"], k["sign"]]
        )
    scen = book.create_sheet("Scenarios")
    keys = sorted({key for s in content["scenarios"] for key in s["totals"]})
    scen.append(["Scenario", "Recommended", "Approved", "Levers", *keys])
    for s in content["scenarios"]:
        scen.append(
            [
                s["name"],
                "yes" if s["recommended"] else "",
                "yes" if s["chosen"] else "",
                s["levers"],
                *[s["totals"].get(k) for k in keys],
            ]
        )
    for title, key, columns in SHEETS:
        ws = book.create_sheet(title)
        ws.append(columns)
        for row in content.get(key, []):
            ws.append([row.get(c) for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
