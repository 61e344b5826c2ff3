from django.apps import AppConfig


class DemandConfig(AppConfig):
    name = "demand"

    def ready(self) -> None:
        # Registers the sign-off checks, the freeze the sign-off calls, carry-over, the demo prep
        # the accuracy report's and the grid's warming, and the grid's background export.
        from demand import accuracy_warm, carryover, checks, demo_prep, exports, grid_warm  # noqa: F401
