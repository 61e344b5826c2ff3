from django.apps import AppConfig


class SupplyConfig(AppConfig):
    name = "supply"

    def ready(self) -> None:
        # Registers the sign-off check, the pipeline step, the plan columns of the supply review
        # and the plan grid's background export.
        from supply import exports, plan_rows, preconditions, services  # noqa: F401
