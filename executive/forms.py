"""Forms of the executive review: they validate input and name the field at fault."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from executive.models import ExceptionStatus, RegisterKind, RegisterStatus


class _UserChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


def _users() -> _UserChoice:
    return _UserChoice(
        queryset=get_user_model()
        .objects.filter(is_active=True, siop_profile__isnull=False)
        .order_by("username"),
        required=False,
    )


SCENARIO_BASELINE = "baseline"


def scenario_value(scenario_id: int | None) -> str:
    return SCENARIO_BASELINE if scenario_id is None else str(scenario_id)


def parse_scenario(value: str) -> int | None:
    """ "baseline" -> None, a number -> its id; anything else raises ValueError."""
    if value == SCENARIO_BASELINE:
        return None
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class ApprovalForm(forms.Form):
    scenario = forms.CharField(max_length=20)
    reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)
    comment = forms.CharField(required=False, max_length=4000, widget=forms.Textarea)
    confirm = forms.BooleanField(required=False)

    def clean_scenario(self) -> int | None:
        try:
            return parse_scenario(self.cleaned_data["scenario"])
        except ValueError:
            raise forms.ValidationError("Choose one of the scenarios listed.") from None


class EntryForm(forms.Form):
    kind = forms.ChoiceField(choices=RegisterKind.choices)
    title = forms.CharField(max_length=200)
    detail = forms.CharField(required=False, widget=forms.Textarea)
    owner = _users()
    due_date = forms.DateField(required=False)
    expected_impact_eur = forms.FloatField(required=False)
    downside_eur = forms.FloatField(required=False)
    plan_eur = forms.FloatField(required=False)
    upside_eur = forms.FloatField(required=False)
    exception = forms.IntegerField(required=False, min_value=1)
    scenario = forms.CharField(required=False, max_length=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _users()

    def clean_scenario(self) -> int | None:
        value = self.cleaned_data.get("scenario") or ""
        if not value:
            return None
        try:
            return parse_scenario(value)
        except ValueError:
            raise forms.ValidationError("Unknown scenario.") from None


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=RegisterStatus.choices)
    measured_outcome_eur = forms.FloatField(required=False)


class ExceptionUpdateForm(forms.Form):
    owner = _users()
    due_date = forms.DateField(required=False)
    status = forms.ChoiceField(
        choices=[(ExceptionStatus.OPEN, "Open"), (ExceptionStatus.CLOSED, "Closed")]
    )
    scenario = forms.CharField(required=False, max_length=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _users()

    def clean_scenario(self) -> int | None:
        value = self.cleaned_data.get("scenario") or ""
        if not value or value == SCENARIO_BASELINE:
            return None
        try:
            return parse_scenario(value)
        except ValueError:
            raise forms.ValidationError("Unknown scenario.") from None


class EscalateForm(forms.Form):
    comment = forms.CharField(max_length=2000)


class RuleForm(forms.Form):
    threshold = forms.FloatField()
    default_tier = forms.IntegerField(min_value=1, max_value=3)
    tier2_value_eur = forms.FloatField(min_value=0)
    tier3_value_eur = forms.FloatField(min_value=0)
    enabled = forms.BooleanField(required=False)
