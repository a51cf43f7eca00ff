"""A comment written, approved or removed changes what pages show (see stoa.core.cache)."""

from django.db.models.signals import post_delete, post_save

from stoa.core.cache import content_changed
from stoa.discussion.models import Comment


def connect() -> None:
    """Connect the receivers; called once from the app's ready()."""
    post_save.connect(content_changed, sender=Comment, dispatch_uid="content-comment")
    post_delete.connect(content_changed, sender=Comment, dispatch_uid="content-comment-del")
