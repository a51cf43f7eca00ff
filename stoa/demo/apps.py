from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo content for trying the site (`stoa demo`); no models, nothing the site serves."""

    name = "stoa.demo"
    verbose_name = "Demo content"
