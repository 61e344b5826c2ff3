"""``{% plan_ribbon cycle %}``: what is stale in the cycle's plan and why, which signed-off stage
must confirm re-planned runs, the stage being signed off (with its progress), and which
background run (plan roll-up, executive refresh) failed,
with Retry, on every stage page."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.roles import Role
from accounts.selectors import user_role
from cycles.confirmations import drifts
from cycles.models import PlanningCycle
from cycles.plan import plan_status
from cycles.replan import replan_refusal
from cycles.run_control import failed_background_runs
from cycles.run_selectors import active_sign_off

register = template.Library()


@register.inclusion_tag("partials/stale_ribbon.html", takes_context=True)
def plan_ribbon(context: dict[str, Any], cycle: PlanningCycle) -> dict[str, Any]:
    stale = [s for s in plan_status(cycle) if s.stale]
    request = context.get("request")
    user = getattr(request, "user", None)
    refusal = replan_refusal(cycle, user) if stale else None
    role = user_role(user) if user is not None else None
    drifted = [
        {"drift": d, "may_confirm": role in {d.owner, Role.ADMINISTRATOR}} for d in drifts(cycle)
    ]
    return {"cycle": cycle, "stale": stale, "may_replan": bool(stale) and refusal is None,
            "refusal": refusal, "drifted": drifted, "csrf_token": context.get("csrf_token"),
            "failed_runs": failed_background_runs(cycle), "request": request,
            "signing": active_sign_off(cycle.pk)}  # fmt: skip
