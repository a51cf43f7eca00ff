from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared pieces: sanitising, site settings, base templates and tags; no domain models."""

    name = "stoa.core"
    verbose_name = "Core"
