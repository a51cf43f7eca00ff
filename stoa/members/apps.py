from django.apps import AppConfig


class MembersConfig(AppConfig):
    """Accounts: the custom user model, profiles and roles."""

    name = "stoa.members"
    verbose_name = "Members"

    def ready(self) -> None:
        from stoa.members import signals

        signals.connect()
