from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "reconciliation"

    def ready(self) -> None:
        # Registers the sign-off check, the demo seeding step, the budget import and the page link.
        from reconciliation import budget, demo_prep, links, preconditions  # noqa: F401

        budget.register()
