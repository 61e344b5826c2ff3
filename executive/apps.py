from collections.abc import Callable
from typing import Any

from django.apps import AppConfig

# Where each tier is handled: planners in their reviews, finance at the reconciliation.
TIER_PAGES = (
    ("demand_review", 1),
    ("supply_review", 1),
    ("inventory_review", 1),
    ("reconciliation", 2),
)


def _tier_url(tier: int) -> Callable[[Any], str]:
    def url_for(cycle: Any) -> str:
        from django.urls import reverse

        return reverse("executive:exceptions", kwargs={"pk": cycle.pk}) + f"?tier={tier}"

    return url_for


class ExecutiveConfig(AppConfig):
    name = "executive"

    def ready(self) -> None:
        from django.urls import reverse

        from accounts.landing import register_landing
        from accounts.roles import Role
        from cycles.links import register_stage_page
        from cycles.plan_build import register_after_build
        from datainputs.services import register_after_import

        # registers the carry-over and the demo company's preparation of the approval
        from executive import demo_prep, registers, tasks  # noqa: F401

        register_after_import(tasks.after_import)
        register_after_build(tasks.after_build)
        register_landing(Role.EXECUTIVE, "executive:home")
        for stage_key, tier in TIER_PAGES:
            register_stage_page(stage_key, f"Tier-{tier} exceptions", _tier_url(tier))
        register_stage_page(
            "executive_review",
            "Decision dashboard",
            lambda cycle: reverse("executive:dashboard", kwargs={"pk": cycle.pk}),
        )
        register_stage_page(
            "executive_review",
            "Approve the plan",
            lambda cycle: reverse("executive:approve", kwargs={"pk": cycle.pk}),
        )
