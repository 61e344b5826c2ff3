from django.apps import AppConfig


class SupplyConfig(AppConfig):
    name = "supply"

    def ready(self) -> None:
        # Registers the sign-off check and the demo seeding step of the supply review.
        from supply import demo_prep, preconditions  # noqa: F401
