from django.apps import AppConfig


class SupplyConfig(AppConfig):
    name = "supply"

    def ready(self) -> None:
        # Registers the sign-off check, the pipeline step, the plan columns of the supply review
        # and the warming of its plan grid after every plan build.
        from supply import plan_grid_pages, plan_rows, preconditions, services  # noqa: F401
