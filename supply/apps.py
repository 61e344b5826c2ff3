from django.apps import AppConfig


class SupplyConfig(AppConfig):
    name = "supply"
