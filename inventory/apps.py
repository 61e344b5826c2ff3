from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"

    def ready(self) -> None:
        # Registers the sign-off check, the pipeline steps and the plan columns of the inventory review.
        from inventory import plan_rows, preconditions, services  # noqa: F401
