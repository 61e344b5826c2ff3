"""Stored lever parameters (JSON) <-> engine `Lever`s, and their one-line description.

Stored params use plain JSON types: months as "YYYY-MM" strings, numbers as floats.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from reconciliation.engine import LEVER_KINDS, Lever

KIND_LABELS: dict[str, str] = {
    "demand_change": "Demand change",
    "forecast_interval": "Demand at the forecast's interval bound",
    "price_change": "Price change",
    "cost_change": "Cost change",
    "capacity_change": "Capacity change",
    "overtime": "Extra overtime",
    "air_freight": "Air freight",
    "service_target": "Service-target change",
    "firm_order": "Firm order",
    "demand_event": "Delay or cancel a demand event",
    "channel_priority": "Channel priority",
}
assert set(KIND_LABELS) == set(LEVER_KINDS)
_FIELDS = {f.name for f in dataclasses.fields(Lever)}
_MONTHS = ("first_month", "last_month")
QUANTILE = {"lower": 10, "upper": 90}  # of the demand engine's 80 % prediction interval


def lever_from_params(kind: str, params: dict[str, Any]) -> Lever:
    """The engine lever of a stored lever; unknown keys are ignored, months parsed."""
    values: dict[str, Any] = {k: v for k, v in params.items() if k in _FIELDS and k != "kind"}
    for name in _MONTHS:
        if values.get(name):
            values[name] = pd.Period(str(values[name]), freq="M")
        else:
            values.pop(name, None)
    return Lever(kind=kind, **values)


def clean_params(params: dict[str, Any]) -> dict[str, Any]:
    """Only the fields that differ from a lever's defaults, as JSON-ready values."""
    defaults = Lever(kind="")
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name not in _FIELDS or name == "kind" or value in (None, ""):
            continue
        if name in _MONTHS:
            value = str(pd.Period(value, freq="M"))
        if value != getattr(defaults, name):
            out[name] = value
    return out


def describe(kind: str, params: dict[str, Any]) -> str:
    """A planner-readable line, e.g. 'Demand change +10 % · family BEV · 2027-01..2027-03'."""
    parts = [KIND_LABELS.get(kind, kind)]
    if params.get("pct") is not None:
        parts.append(f"{params['pct']:+g} %")
    for name, unit in (("units", "units/month"), ("hours", "h/month")):
        if params.get(name) is not None:
            parts.append(f"{params[name]:+g} {unit}")
    if kind == "air_freight":
        parts.append("allowed" if params.get("allow", True) else "forbidden")
    if params.get("bound"):
        parts.append(f"{params['bound']} bound ({QUANTILE.get(params['bound'], '?')} % quantile)")
    for name in ("action", "family", "channel", "product", "site", "resource",
                 "source_type", "source", "mode"):  # fmt: skip
        if params.get(name):
            parts.append(f"{name.replace('_', ' ')} {params[name]}")
    for name, label in (("event", "event #"), ("priority", "priority "), ("months", "by months ")):
        if params.get(name):
            parts.append(f"{label}{params[name]}")
    first, last = params.get("first_month"), params.get("last_month")
    if first or last:
        parts.append(f"{first or '…'}..{last or '…'}")
    return " · ".join(str(p) for p in parts)
