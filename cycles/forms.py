from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings

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
    horizon_months = forms.IntegerField(
        min_value=1, max_value=60, initial=lambda: settings.PLANNING_HORIZON_MONTHS
    )
    copy_from = forms.ModelChoiceField(
        queryset=PlanningCycle.objects.all(),
        required=False,
        help_text="Start from a previous cycle: its horizon, calendar and stage settings.",
    )


class RescheduleForm(forms.Form):
    stage_key = forms.CharField(max_length=24)
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    comment = forms.CharField(required=False, max_length=2000)
