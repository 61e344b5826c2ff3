from django.apps import AppConfig


class DemandConfig(AppConfig):
    name = "demand"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from cycles.models import StageEvent
        from demand import carryover, checks, demo_prep  # noqa: F401 - registers hooks

        post_save.connect(
            checks.freeze_on_sign_off, sender=StageEvent, dispatch_uid="demand_freeze"
        )
