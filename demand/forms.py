"""Forms of the demand review: the grid's save batch, events and new-product like-items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from demand.models import DemandEvent, ReasonCode
from demand.overrides import MAX_UNITS, CellEdit
from siop.numbers import parse_number

MAX_EDITS = 5000


class EditBatchForm(forms.Form):
    reason = forms.ChoiceField(
        choices=ReasonCode.choices, error_messages={"required": "Choose a reason code."}
    )
    comment = forms.CharField(required=False, max_length=500)


def parse_month(text: Any) -> dt.date:
    value = str(text or "").strip()
    return dt.date(int(value[:4]), int(value[5:7]), 1)


def parse_edits(raw: Any) -> tuple[list[CellEdit], list[str]]:
    """Validate the grid's edit list; errors name the edit (1-based) and the field."""
    if not isinstance(raw, list) or not raw:
        return [], ["No changed cells were sent."]
    if len(raw) > MAX_EDITS:
        return [], [f"At most {MAX_EDITS} cells can be saved at once."]
    edits, errors = [], []
    for n, item in enumerate(raw, start=1):
        try:
            edits.append(_edit(item))
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            errors.append(f"Cell {n}: {exc}")
    return edits, errors


def _edit(item: dict[str, Any]) -> CellEdit:
    if not isinstance(item, dict):
        raise ValueError("each edit must be an object with month, consensus_units and version")
    try:
        month = parse_month(item.get("month"))
    except (ValueError, IndexError):
        raise ValueError("month must look like 2026-12") from None
    # Typed and pasted cells arrive as the text the planner entered ("1.234,5"; the grid's
    # editor is a text field, not the browser's number field), API-style clients may send JSON
    # numbers: all go through the one parser, text in NUMBER_LOCALE; ambiguous text is refused.
    units = parse_number(item.get("consensus_units"), limit=MAX_UNITS)
    product_id, family_id = item.get("product_id"), item.get("family_id")
    if bool(product_id) == bool(family_id):
        raise ValueError("give either product_id or family_id")
    return CellEdit(
        month=month,
        consensus_units=units,
        version=int(item.get("version") or 0),
        product_id=int(product_id) if product_id else None,
        family_id=int(family_id) if family_id else None,
    )


class EventForm(forms.ModelForm):
    start_month = forms.DateField(
        widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m", "%Y-%m-%d"]
    )
    end_month = forms.DateField(
        widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m", "%Y-%m-%d"]
    )

    class Meta:
        model = DemandEvent
        fields = [
            "name",
            "product",
            "family",
            "start_month",
            "end_month",
            "uplift_kind",
            "uplift_value",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("product")) == bool(data.get("family")):
            raise forms.ValidationError("Choose either one product or one family.")
        start, end = data.get("start_month"), data.get("end_month")
        if start and end:
            data["start_month"], data["end_month"] = start.replace(day=1), end.replace(day=1)
            if end < start:
                self.add_error("end_month", "The end month is before the start month.")
        return data


class LikeItemForm(forms.Form):
    like_sku = forms.CharField(label="Like-item SKU", max_length=40)
    like_scale = forms.DecimalField(min_value=Decimal("0"), max_digits=6, decimal_places=3)
