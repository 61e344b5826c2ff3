from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "reconciliation"

    def ready(self) -> None:
        # Registers the sign-off check, the demo seeding step, and the budget import.
        from reconciliation import budget, demo_prep, preconditions  # noqa: F401

        budget.register()
