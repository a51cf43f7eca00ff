from django.apps import AppConfig


class WebcastsConfig(AppConfig):
    """Webcast series: sessions for enrolled members, clips on articles, access codes."""

    name = "stoa.webcasts"
    verbose_name = "Webcasts"
