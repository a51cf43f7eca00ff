from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    """Threaded comments under posts, their moderation, and the emails about them."""

    name = "stoa.discussion"
    verbose_name = "Discussion"

    def ready(self) -> None:
        from stoa.discussion import signals

        signals.connect()
