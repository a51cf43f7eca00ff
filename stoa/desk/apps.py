from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The editors' desk: the body editor, revisions of posts and pages, review links and
    the review queue. It stands on publishing, which never imports it: the admin's body
    widget is named in settings.STOA (BODY_EDITOR_WIDGET), the desk's links on a post's
    change page come from this app's admin templates, and revisions follow every save of
    a post or page through signals connected here, whoever saves it (the admin, a service
    called by the demo, the importer or a scheduled change)."""

    name = "stoa.desk"
    verbose_name = "Editors' desk"

    def ready(self) -> None:
        from stoa.desk import signals

        signals.connect()
