from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outgoing webhooks: comment approved, post published, member joined, signed (Standard
    Webhooks), sent and retried by the task worker, with a delivery log in the admin."""

    name = "stoa.webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from stoa.webhooks import signals

        signals.connect()
