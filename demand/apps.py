from django.apps import AppConfig


class DemandConfig(AppConfig):
    name = "demand"

    def ready(self) -> None:
        # Registers the sign-off checks, the freeze the sign-off calls, carry-over and the demo prep.
        from demand import carryover, checks, demo_prep  # noqa: F401
