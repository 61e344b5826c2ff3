from django.apps import AppConfig


class SupplyConfig(AppConfig):
    name = "supply"

    def ready(self) -> None:
        # Registers the sign-off check, the pipeline step, the plan columns of the supply review
        # the plan grid's background export, and the plan grid's and the review's warming after
        # every plan build.
        from supply import (  # noqa: F401
            exports,
            plan_grid_pages,
            plan_rows,
            preconditions,
            review_warm,
            services,
        )
