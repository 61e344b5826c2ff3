"""Reconciliation pages: the workspace, a scenario's financial view, the comparison and its
export; POST endpoints that each validate, call one service and go back to the page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from accounts.mixins import RoleRequiredMixin
from accounts.selectors import user_may
from cycles import stage_views
from cycles.models import PlanningCycle
from cycles.run_control import run_outcome_text
from cycles.stage_views import CurrentCycleView, sign_off_context
from cycles.windows import kpi_window
from reconciliation import compare, selectors, services
from reconciliation.budget import BudgetError, budget_version_create
from reconciliation.engine import BUCKETS, TOTAL
from reconciliation.forms import BudgetVersionForm, LeverForm, RecommendForm, ScenarioForm
from reconciliation.levers_io import describe
from reconciliation.models import BudgetVersion, Scenario, ScenarioRun
from reconciliation.xlsx import comparison_xlsx

STAGE = services.STAGE_KEY
EDIT = services.EDIT_ACTION


class ReconciliationCurrentView(CurrentCycleView):
    review_url_name = "reconciliation:review"


def _may_edit(request: HttpRequest, cycle: PlanningCycle) -> bool:
    return user_may(request.user, EDIT) and not cycle.is_locked


class ReviewView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        may_edit = _may_edit(request, cycle)
        states = selectors.scenario_states(cycle)
        # Stored figures only: the workspace shows no budget gap, so it builds no comparison.
        headline = {s.scenario.pk: selectors.headline(s.result)
                    for s in states if s.result is not None}  # fmt: skip
        window = kpi_window(cycle)
        kpi = {s.scenario.pk: selectors.window_totals(s.result, window)
               for s in states if s.result is not None}  # fmt: skip
        context = {
            "cycle": cycle, "may_edit": may_edit, "states": states,
            "rows": [(s, headline.get(s.scenario.pk), kpi.get(s.scenario.pk)) for s in states],
            "plan_version": selectors.plan_version(cycle),
            "recommendation": selectors.recommendation(cycle),
            "budgets": BudgetVersion.objects.filter(is_active=True),
            "may_budget": user_may(request.user, "upload_budget_lines"),
            "scenario_form": ScenarioForm(), "budget_form": BudgetVersionForm(),
            "max_compare": compare.MAX_SCENARIOS,
            **sign_off_context(cycle, STAGE, may_edit),
        }  # fmt: skip
        return render(request, "reconciliation/review.html", context)


class ScenarioView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int, scenario_pk: int) -> HttpResponse:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        scenario = get_object_or_404(Scenario, pk=scenario_pk, cycle=cycle)
        state = selectors.scenario_state(scenario, selectors.plan_version(cycle))
        bucket = request.GET.get("bucket", "quarter")
        bucket = bucket if bucket in BUCKETS else "quarter"
        rows: list[dict[str, Any]] = []
        column = None
        if state.result is not None:
            refs = selectors.references(cycle)
            view = selectors.financial_view(cycle, state.result, bucket, refs)
            view = view.sort_values(["family", "first_period"], key=_total_last)
            # A figure without a reference (no budget that month, no capacity) shows blank, not "nan"
            rows = view.astype(object).where(view.notna(), None).to_dict("records")
            column = compare.column_for(cycle, state, refs)
        context = {
            "cycle": cycle, "scenario": scenario, "state": state, "rows": rows,
            "bucket": bucket, "buckets": BUCKETS, "total": TOTAL, "column": column,
            "may_edit": _may_edit(request, cycle), "lever_form": LeverForm(),
            "levers": [(lever, describe(lever.kind, lever.params))
                       for lever in selectors.scenario_levers(scenario)],
        }  # fmt: skip
        return render(request, "reconciliation/scenario.html", context)


def _total_last(column: Any) -> Any:
    return column.map(lambda v: "~" if v == TOTAL else v) if column.name == "family" else column


def _chosen(request: HttpRequest) -> list[int]:
    ids = []
    for text in request.GET.getlist("s"):
        if text.isdigit():
            ids.append(int(text))
    return ids[: compare.MAX_SCENARIOS]


class CompareView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        chosen = _chosen(request)
        cols = compare.columns(cycle, chosen)
        context = {
            "cycle": cycle, "cols": cols, "rows": compare.metric_rows(cols),
            "chart": compare.chart_data(cols), "query": request.GET.urlencode(),
            "too_many": len(request.GET.getlist("s")) > compare.MAX_SCENARIOS,
        }  # fmt: skip
        return render(request, "reconciliation/compare.html", context)


class CompareExportView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        body = comparison_xlsx(cycle, compare.columns(cycle, _chosen(request)))
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-"
                                "officedocument.spreadsheetml.sheet")  # fmt: skip
        name = f"reconciliation_{cycle.month:%Y-%m}_comparison.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class RunProgressView(stage_views.RunProgressView):
    run_model = ScenarioRun
    url_name = "reconciliation:run_progress"


class PostView(stage_views.ServicePostView):
    required_action = EDIT
    error = services.ReconciliationError
    review_url_name = "reconciliation:review"
    anchor = "scenarios"


class ScenarioCreateView(PostView):
    def make_form(self, request: HttpRequest, pk: int) -> ScenarioForm:
        return ScenarioForm(request.POST)

    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        data = form.cleaned_data
        scenario = services.scenario_create(pk, request.user, data["name"], data["description"])
        return f"Scenario '{scenario.name}' created: add its levers, then calculate it."


class IntervalScenariosView(PostView):
    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        services.baseline_ensure(pk, request.user)
        created = services.interval_scenarios_create(pk, request.user)
        names = ", ".join(s.name for s in created) or "none (they exist already)"
        return f"Created from the forecast's 80 % interval: {names}."


class ScenarioPostView(PostView):
    """A POST on one scenario; goes back to the scenario's page when ``next`` says so."""

    def review_url(self, pk: int) -> str:
        if self.request.POST.get("next") == "scenario":
            return reverse("reconciliation:scenario",
                           kwargs={"pk": pk, "scenario_pk": self.kwargs["scenario_pk"]})  # fmt: skip
        return super().review_url(pk)


class RunView(ScenarioPostView):
    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        run = services.scenario_run_request(kwargs["scenario_pk"], request.user)
        return run_outcome_text(run, f"Scenario '{run.scenario.name}'")


class RebaseView(ScenarioPostView):
    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        run = services.scenario_rebase(kwargs["scenario_pk"], request.user)
        return "Rebased on the current consensus plan. " + run_outcome_text(
            run, f"Scenario '{run.scenario.name}'"
        )


class LeverAddView(ScenarioPostView):
    def make_form(self, request: HttpRequest, pk: int) -> LeverForm:
        return LeverForm(request.POST)

    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        data = form.cleaned_data
        services.lever_add(kwargs["scenario_pk"], request.user, data["kind"], form.params(),
                           reason=data["reason"])  # fmt: skip
        return "Lever added; calculate the scenario to see its effect."


class LeverRemoveView(ScenarioPostView):
    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        services.lever_remove(kwargs["scenario_pk"], kwargs["lever_pk"], request.user,
                              reason=request.POST.get("reason", "")[:255])  # fmt: skip
        return "Lever removed."


class RecommendView(PostView):
    anchor = "recommendation"

    def make_form(self, request: HttpRequest, pk: int) -> RecommendForm:
        return RecommendForm(request.POST)

    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        data = form.cleaned_data
        rec = services.recommend(pk, data["scenario"], request.user, data["comment"])
        return f"'{rec.scenario.name}' recommended."


class BudgetVersionView(stage_views.ServicePostView):
    required_action = "upload_budget_lines"
    error = BudgetError
    review_url_name = "reconciliation:review"
    anchor = "budget"

    def make_form(self, request: HttpRequest, pk: int) -> BudgetVersionForm:
        return BudgetVersionForm(request.POST)

    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        data = form.cleaned_data
        version = budget_version_create(request.user, data["code"], data["year"], data["name"])
        return f"Budget version {version.code} created; upload its lines as a data input."


class SignOffView(stage_views.SignOffView):
    required_action = EDIT
    stage_key = STAGE
    review_url_name = "reconciliation:review"
    done_message = (
        "Reconciliation signed off: the recommended scenario goes to the executive review."
    )
