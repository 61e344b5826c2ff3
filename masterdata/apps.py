from django.apps import AppConfig


class MasterdataConfig(AppConfig):
    name = "masterdata"
    verbose_name = "Master data"
