from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "Demo company"

    def ready(self) -> None:
        # Registers the demo walk's plan pipeline preparations.
        from demo import plan_prep  # noqa: F401
