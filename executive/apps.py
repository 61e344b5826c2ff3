from django.apps import AppConfig


class ExecutiveConfig(AppConfig):
    name = "executive"

    def ready(self) -> None:
        from django.urls import reverse

        from accounts.landing import register_landing
        from accounts.roles import Role
        from cycles.links import register_stage_page
        from datainputs.services import register_after_import
        from executive import registers, tasks  # noqa: F401 - registers the carry-over

        register_after_import(tasks.after_import)
        register_landing(Role.EXECUTIVE, "executive:home")
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
