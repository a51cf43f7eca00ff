from django.apps import AppConfig


class WordPressConfig(AppConfig):
    """Moving a WordPress site in and out: the WXR import and export, the Disqus import,
    and the old links they leave behind (issue 11). Above discussion, webcasts and
    publishing: it calls their services, and none of them knows it is here."""

    name = "stoa.wordpress"
    label = "wordpress"
    verbose_name = "WordPress move"
