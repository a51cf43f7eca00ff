from django.apps import AppConfig


class WebcastsConfig(AppConfig):
    name = "stoa.webcasts"
    verbose_name = "Webcasts"
