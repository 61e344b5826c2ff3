"""Forms of the supply review: validate the posted numbers before a service is called."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from masterdata.models import Resource


class FirmOrderForm(forms.Form):
    planned_order = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity_units = forms.DecimalField(
        label="Firm quantity", min_value=Decimal("0"), max_digits=14, decimal_places=2
    )
    version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=60, required=False)


class ReleaseForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    reason = forms.CharField(max_length=60, required=False)


class OvertimeForm(forms.Form):
    resource = forms.ModelChoiceField(queryset=Resource.objects.order_by("code"))
    extra_hours_per_month = forms.DecimalField(
        label="Extra overtime hours per month", min_value=Decimal("0"), max_digits=12,
        decimal_places=2,
    )  # fmt: skip
    version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=60)
