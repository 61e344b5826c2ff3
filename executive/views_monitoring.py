"""Executive pages: execution performance (plan vs actual), process health, rule settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from accounts.mixins import RoleRequiredMixin
from cycles.models import PlanningCycle
from executive import exceptions, health, selectors
from executive.forms import RuleForm


def _chart_data(family_months: list[dict[str, Any]]) -> dict[str, Any]:
    """Plan and actual units per family over the months (the page's JS draws the chart)."""
    families: dict[str, dict[str, list[Any]]] = {}
    for row in family_months:
        series = families.setdefault(str(row["family"]), {"months": [], "plan": [], "actual": []})
        series["months"].append(row["month"])
        series["plan"].append(row["plan_units"])
        series["actual"].append(row["actual_units"])
    return {"families": families}


class PerformanceView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        snap = selectors.latest_performance()
        rows = snap.family_months if snap else []
        return render(
            request,
            "executive/performance.html",
            {
                "snap": snap,
                "rows": sorted(rows, key=lambda r: (r["month"], r["family"]), reverse=True),
                "products": snap.product_breaches[:50] if snap else [],
                "chart": _chart_data(rows),
            },
        )


class HealthView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        cycles = list(PlanningCycle.objects.order_by("-month")[:12])
        rows = health.cycle_health(cycles)
        chart = {
            "months": [r.cycle.month.isoformat() for r in rows],
            "days_late": [r.days_late for r in rows],
            "reopenings": [r.reopenings for r in rows],
            "decisions_past_due": [r.decisions_past_due for r in rows],
        }
        return render(request, "executive/health.html", {"rows": rows, "chart": chart})


class RulesView(RoleRequiredMixin, View):
    """Exception rules with their thresholds and escalation matrix; POST edits one rule."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, {}, 200)

    def post(self, request: HttpRequest) -> HttpResponse:
        rule_id = request.POST.get("rule", "")
        form = RuleForm(request.POST)
        if not rule_id.isdigit() or not form.is_valid():
            return self._render(request, {rule_id: form}, 400)
        try:
            rule = exceptions.save_rule(int(rule_id), request.user, **form.cleaned_data)
        except exceptions.ExceptionError as error:
            form.add_error(None, str(error))
            return self._render(request, {rule_id: form}, 400)
        messages.success(request, f"Rule '{rule}' saved; it applies from the next evaluation.")
        return redirect("executive:rules")

    def _render(
        self, request: HttpRequest, bound: dict[str, RuleForm], status: int
    ) -> HttpResponse:
        rules = exceptions.ensure_rules()
        may_edit = exceptions.may_edit_rules(request.user)
        rows = []
        for rule in sorted(rules.values(), key=lambda r: r.code):
            form = bound.get(str(rule.pk)) or RuleForm(
                initial={
                    "threshold": rule.threshold,
                    "default_tier": rule.default_tier,
                    "tier2_value_eur": rule.tier2_value_eur,
                    "tier3_value_eur": rule.tier3_value_eur,
                    "enabled": rule.enabled,
                }
            )
            rows.append((rule, form))
        return render(
            request, "executive/rules.html", {"rows": rows, "may_edit": may_edit}, status=status
        )
