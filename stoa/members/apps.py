from django.apps import AppConfig


class MembersConfig(AppConfig):
    """Accounts: the custom user model, profiles and roles."""

    name = "stoa.members"
    verbose_name = "Members"

    def ready(self) -> None:
        from stoa.members import cache, signals

        signals.connect()
        # Every app's declaration of the rows that show on a member's own pages (its
        # `freshness.OWNED`): read here, by name, so that members imports none of them.
        cache.connect()
