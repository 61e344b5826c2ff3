"""Number formatting of the executive pages: one place for units (EUR, %, weeks, days...)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

SUFFIX = {"pct": " %", "x": "\u00d7", "days": " d", "weeks": " wk"}


def _grouped(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def _euros(value: float) -> str:
    """-1234.4 -> "-€1,234" (the sign before the currency, as finance writes it)."""
    text = f"€{abs(value):,.0f}"
    return f"-{text}" if round(value) < 0 else text


@register.filter
def kpi_value(value: Any, unit: str) -> str:
    """``value`` in ``unit``; "n/a" when the KPI could not be computed."""
    if value is None or value == "":
        return "n/a"
    number = float(value)
    if unit == "eur":
        return _euros(number)
    if unit in {"units", "count"}:
        return _grouped(number)
    digits = 1
    return f"{_grouped(number, digits)}{SUFFIX.get(unit, '')}"


@register.filter
def kpi_delta(value: Any, unit: str) -> str:
    """A signed change: points for percentages, the unit otherwise."""
    if value is None:
        return "\u2013"
    number = float(value)
    sign = "+" if number > 0 else ""
    if unit == "pct":
        return f"{sign}{number:,.1f} pp"
    if unit == "rel":  # a relative change, e.g. vs budget
        return f"{sign}{number:,.1f} %"
    if unit == "eur":
        return f"{sign}{_euros(number)}"
    if unit in {"units", "count"}:
        return f"{sign}{number:,.0f}"
    return f"{sign}{number:,.1f}{SUFFIX.get(unit, '')}"


@register.filter
def eur(value: Any) -> str:
    return "n/a" if value is None or value == "" else _euros(float(value))


@register.filter
def pct(value: Any) -> str:
    return "n/a" if value is None or value == "" else f"{float(value):,.1f} %"


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None
