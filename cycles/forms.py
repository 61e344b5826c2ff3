from __future__ import annotations

import datetime as dt

from django import forms

from cycles.models import PlanningCycle


class TransitionForm(forms.Form):
    stage_key = forms.CharField(max_length=24)
    comment = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class CycleOpenForm(forms.Form):
    month = forms.DateField(
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        initial=lambda: dt.date.today().replace(day=1),
        help_text="The cycle's month.",
    )
    horizon_months = forms.IntegerField(min_value=1, max_value=60, initial=18)
    copy_from = forms.ModelChoiceField(
        queryset=PlanningCycle.objects.all(),
        required=False,
        help_text="Start from a previous cycle (its horizon and, as stages add them, its settings).",
    )
