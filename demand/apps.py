from django.apps import AppConfig


class DemandConfig(AppConfig):
    name = "demand"

    def ready(self) -> None:
        # Registers the sign-off checks, the freeze the sign-off calls, carry-over, the demo prep
        # and the warming of the accuracy report and of the grid's first paint.
        from demand import accuracy_warm, carryover, checks, demo_prep, grid_warm  # noqa: F401
