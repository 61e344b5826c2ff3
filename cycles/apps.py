from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "cycles"
    verbose_name = "Planning cycles"

    def ready(self) -> None:
        # Registers the plan pipeline's sign-off checks and its roll-up step's launcher.
        from cycles import plan_checks, tasks  # noqa: F401
