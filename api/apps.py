from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "ERP sync API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from api import renditions  # noqa: F401  (registers the approval's rendering)
