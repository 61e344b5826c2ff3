from django.apps import AppConfig


class DatainputsConfig(AppConfig):
    name = "datainputs"
    verbose_name = "Data inputs"
