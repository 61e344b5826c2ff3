"""Supply review pages: the review itself, and POST endpoints that each call one service."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views import View

from accounts.mixins import RoleRequiredMixin
from accounts.selectors import user_may
from cycles import stage_views
from cycles.models import PlanningCycle
from cycles.run_control import run_outcome_text
from cycles.stage_views import CurrentCycleView, sign_off_context
from siop.keyset import keyset_page
from supply import gaps, selectors, services
from supply.forms import FirmOrderForm, OvertimeForm, ReleaseForm
from supply.models import SupplyPlanRun

STAGE = services.STAGE_KEY
EDIT = services.EDIT_ACTION
# The planned orders' display order, made total by the id: pages are keyset ("seek") pages, so
# no page counts or skips the run's 170,000 orders at 10,000 SKUs (``siop.keyset``).
ORDER_KEY = ["product__sku", "site__code", "release_month", "source_code", "id"]


class SupplyCurrentView(CurrentCycleView):
    review_url_name = "supply:review"


def _plan_context(cycle: PlanningCycle, request: HttpRequest) -> dict[str, Any]:
    done = selectors.latest_succeeded_run(cycle)
    if done is None:
        return {"done": None}
    search = request.GET.get("q", "").strip()
    orders = selectors.planned_orders(done, request.user, search)
    return {
        "done": done,
        "search": search,
        "page": keyset_page(
            orders, request.GET.get("cursor"), request.GET.get("page", ""), 50, key=ORDER_KEY
        ),
        "firm": selectors.firm_orders_by_lane(cycle),
        "chart": selectors.load_chart(done),
        "resources": selectors.resource_summaries(done, cycle),
        "gaps_html": gaps.gaps_fragment(
            cycle, done, request.user, _offset(request.GET.get("gaps"))
        ),
        "shortage": selectors.shortage_totals(done),
        "costs": selectors.cost_comparison(cycle),
    }


def _offset(text: str | None) -> int:
    """A page's first gap from the query string: a multiple of the page size, 0 when absent."""
    try:
        offset = int(text or 0)
    except ValueError:
        return 0
    return max(0, offset - offset % gaps.GAPS_PER_PAGE)


class GapsView(RoleRequiredMixin, View):
    """A page of the latest plan's gaps, for the review's "next"/"previous" links (htmx)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        done = selectors.latest_succeeded_run(cycle)
        if done is None:
            raise Http404("No supply plan yet for this cycle.")
        offset = _offset(request.GET.get("offset"))
        return HttpResponse(gaps.gaps_fragment(cycle, done, request.user, offset))


class SupplyReviewView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_object_or_404(PlanningCycle, pk=pk)
        may_edit = user_may(request.user, EDIT) and not cycle.is_locked
        context = {
            "cycle": cycle,
            "may_edit": may_edit,
            "may_run": user_may(request.user, services.RUN_ACTION) and not cycle.is_locked,
            "run": selectors.latest_run(cycle),
            "overtime_form": OvertimeForm(),
            **sign_off_context(cycle, STAGE, may_edit),
            "reason_text": selectors.REASON_TEXT,
            "option_text": selectors.OPTION_TEXT,
            "component_text": selectors.COMPONENT_TEXT,
            **_plan_context(cycle, request),
        }
        return render(request, "supply/review.html", context)


class SupplyPostView(stage_views.ServicePostView):
    required_action = EDIT
    error = services.SupplyError
    review_url_name = "supply:review"


class PlanView(SupplyPostView):
    required_action = services.RUN_ACTION
    anchor = "planning"

    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        return run_outcome_text(services.supply_run_request(pk, request.user), "Supply plan")


class RunProgressView(stage_views.RunProgressView):
    run_model = SupplyPlanRun
    url_name = "supply:run_progress"


class FirmOrderView(SupplyPostView):
    anchor = "plan-grid"

    def make_form(self, request: HttpRequest, pk: int) -> FirmOrderForm:
        return FirmOrderForm(request.POST)

    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        data = form.cleaned_data
        services.firm_order_save(
            pk, data["planned_order"], data["quantity_units"], version=data["version"],
            user=request.user, reason=data["reason"],
        )  # fmt: skip
        return "Order firmed; the next plan keeps at least this quantity."


class FirmReleaseView(SupplyPostView):
    anchor = "plan-grid"

    def make_form(self, request: HttpRequest, pk: int) -> ReleaseForm:
        return ReleaseForm(request.POST)

    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        data = form.cleaned_data
        services.firm_order_release(
            pk, kwargs["firm_pk"], version=data["version"], user=request.user, reason=data["reason"]
        )
        return "Firm order released; re-plan to apply."


class OvertimeView(SupplyPostView):
    anchor = "resources"

    def make_form(self, request: HttpRequest, pk: int) -> OvertimeForm:
        return OvertimeForm(request.POST)

    def call(self, request: HttpRequest, pk: int, form: Any, **kwargs: Any) -> str:
        data = form.cleaned_data
        services.overtime_save(
            pk, data["resource"].pk, data["extra_hours_per_month"], version=data["version"],
            user=request.user, reason=data["reason"],
        )  # fmt: skip
        return f"Overtime of {data['resource'].code} saved; re-plan to apply."


class SignOffView(stage_views.SignOffView):
    required_action = EDIT
    stage_key = STAGE
    review_url_name = "supply:review"
    done_message = "Supply review signed off."
