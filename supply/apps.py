from django.apps import AppConfig


class SupplyConfig(AppConfig):
    name = "supply"

    def ready(self) -> None:
        # Registers the sign-off check, the pipeline step and the plan columns of the supply review.
        from supply import plan_rows, preconditions, services  # noqa: F401
