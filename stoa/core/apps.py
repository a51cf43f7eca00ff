from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared pieces: sanitising, site settings, base templates and tags; no domain models."""

    name = "stoa.core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Every app's declaration of what readers see (its `freshness` module): read here,
        # by name, so that core imports none of the apps above it.
        from stoa.core import freshness

        freshness.connect()
