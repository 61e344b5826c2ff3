from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"

    def ready(self) -> None:
        # Registers the sign-off check and the demo seeding step of the inventory review.
        from inventory import demo_prep, preconditions  # noqa: F401
