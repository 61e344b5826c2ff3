"""Forms of the reconciliation pages (validation only; the services decide)."""

from __future__ import annotations

from typing import Any

from django import forms

from reconciliation.levers_io import KIND_LABELS

MONTH = forms.RegexField(regex=r"^[0-9]{4}-(0[1-9]|1[0-2])$", required=False,
                         error_messages={"invalid": "Use YYYY-MM."},
                         widget=forms.TextInput(attrs={"placeholder": "YYYY-MM", "size": 8}))  # fmt: skip


def _text(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=64, help_text=help_text)


def _number(label: str, **kwargs: Any) -> forms.FloatField:
    return forms.FloatField(label=label, required=False, **kwargs)


class ScenarioForm(forms.Form):
    prefix = "scenario"  # its fields' ids must differ from the budget form's on the same page
    name = forms.CharField(max_length=80)
    description = forms.CharField(required=False, max_length=500)


class LeverForm(forms.Form):
    """Every lever kind's fields; the ones a kind does not use are left empty."""

    kind = forms.ChoiceField(choices=list(KIND_LABELS.items()))
    family = _text("Family code")
    channel = _text("Channel code")
    product = _text("Product SKU")
    site = _text("Site code")
    resource = _text("Resource code")
    first_month = MONTH
    last_month = forms.RegexField(regex=MONTH.regex, required=False,
                                  error_messages={"invalid": "Use YYYY-MM."},
                                  widget=forms.TextInput(attrs={"placeholder": "YYYY-MM",
                                                                "size": 8}))  # fmt: skip
    pct = _number("%", min_value=-99.99, max_value=1000)
    units = _number("Units per month")
    hours = _number("Hours per month")
    bound = forms.ChoiceField(required=False, choices=[("", "—"), ("lower", "lower (10 % quantile)"),
                                                       ("upper", "upper (90 % quantile)")])  # fmt: skip
    allow = forms.ChoiceField(required=False, choices=[("yes", "allow"), ("no", "forbid")])
    base_pct = _number("Current service level %", min_value=50, max_value=99.99)
    source_type = forms.ChoiceField(required=False, choices=[("", "—"), ("make", "make"),
                                                             ("buy", "buy")])  # fmt: skip
    source = _text("Resource or supplier code")
    mode = _text("Transport mode")
    event = forms.IntegerField(required=False, min_value=1)
    action = forms.ChoiceField(required=False, choices=[("", "—"), ("cancel", "cancel"),
                                                        ("delay", "delay")])  # fmt: skip
    months = forms.IntegerField(required=False, min_value=0, max_value=24)
    priority = forms.IntegerField(required=False, min_value=1, max_value=99)
    reason = forms.CharField(required=False, max_length=255)

    def params(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("kind"), data.pop("reason")
        data["allow"] = data.get("allow", "yes") != "no"
        if data.get("base_pct") is None:
            data.pop("base_pct", None)
        return {k: v for k, v in data.items() if v not in (None, "")}


class RecommendForm(forms.Form):
    scenario = forms.IntegerField(min_value=1)
    comment = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class BudgetVersionForm(forms.Form):
    prefix = "budget"
    code = forms.CharField(max_length=40)
    year = forms.IntegerField(min_value=2000, max_value=2100)
    name = forms.CharField(max_length=120, required=False)
