from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Full-text search of articles, series and discussion, and related reading."""

    name = "stoa.search"
    verbose_name = "Search"

    def ready(self) -> None:
        from stoa.search import signals

        signals.connect(self)
