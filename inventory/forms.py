"""Forms of the inventory review; percentages are entered as percent, stored as fractions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from inventory.models import SEGMENTS, InventorySettings, ServiceTarget
from inventory.services import TargetChange

HUNDRED = Decimal("100")


def _percent(label: str, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=6, decimal_places=2, min_value=Decimal("50"),
        max_value=Decimal("99.99"), **kwargs,
    )  # fmt: skip


class ServiceTargetsForm(forms.Form):
    """Nine cell targets (percent) with the version each was read at, plus one reason."""

    reason = forms.CharField(max_length=60, required=False)

    def __init__(self, *args: Any, targets: list[ServiceTarget], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for target in targets:
            self.fields[f"target_{target.segment}"] = _percent(
                f"{target.segment} target %", initial=target.service_target * HUNDRED
            )
            self.fields[f"version_{target.segment}"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=target.version
            )

    def changes(self) -> list[TargetChange]:
        data = self.cleaned_data
        return [
            TargetChange(s, data[f"target_{s}"] / HUNDRED, data[f"version_{s}"]) for s in SEGMENTS
        ]


class SettingsForm(forms.ModelForm):
    abc_a_percent = forms.DecimalField(
        label="A class: % of value", max_digits=6, decimal_places=2,
        min_value=Decimal("1"), max_value=HUNDRED,
    )  # fmt: skip
    abc_b_percent = forms.DecimalField(
        label="A + B classes: % of value", max_digits=6, decimal_places=2,
        min_value=Decimal("1"), max_value=HUNDRED,
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=60, required=False)

    class Meta:
        model = InventorySettings
        fields = [
            "xyz_x_cutoff", "xyz_y_cutoff", "service_type", "holding_rate_per_year",
            "order_cost_eur", "review_period_months", "excess_cover_weeks", "default_lead_time_days",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["abc_a_percent"] = self.instance.abc_a_cutoff * HUNDRED
            self.initial["abc_b_percent"] = self.instance.abc_b_cutoff * HUNDRED
            self.initial["version"] = self.instance.version

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["abc_a_cutoff"] = self.cleaned_data["abc_a_percent"] / HUNDRED
        data["abc_b_cutoff"] = self.cleaned_data["abc_b_percent"] / HUNDRED
        return data


class OverrideForm(forms.Form):
    service_target_percent = forms.DecimalField(
        label="Service target %", required=False, max_digits=6, decimal_places=2,
        min_value=Decimal("50"), max_value=Decimal("99.99"),
    )  # fmt: skip
    safety_stock_units = forms.DecimalField(
        required=False, max_digits=16, decimal_places=2, min_value=Decimal("0")
    )
    order_quantity_units = forms.DecimalField(
        required=False, max_digits=16, decimal_places=2, min_value=Decimal("0")
    )
    reason = forms.CharField(max_length=60)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        fields = ("service_target_percent", "safety_stock_units", "order_quantity_units")
        if all(data.get(f) is None for f in fields):
            raise forms.ValidationError(
                "Set at least one of service target, safety stock or order quantity."
            )
        return data

    def values(self) -> dict[str, Decimal | None]:
        percent = self.cleaned_data.get("service_target_percent")
        return {
            "service_target": None if percent is None else percent / HUNDRED,
            "safety_stock_units": self.cleaned_data.get("safety_stock_units"),
            "order_quantity_units": self.cleaned_data.get("order_quantity_units"),
        }
