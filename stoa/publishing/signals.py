"""Any change to what readers see starts a new content version (see stoa.core.cache)."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from stoa.core.cache import content_changed
from stoa.publishing.models import Category, Page, Person, Post, Tag


def connect() -> None:
    """Connect the receivers; called once from the app's ready()."""
    for model in (Post, Page, Category, Tag, Person):
        post_save.connect(content_changed, sender=model, dispatch_uid=f"content-{model.__name__}")
        post_delete.connect(
            content_changed, sender=model, dispatch_uid=f"content-del-{model.__name__}"
        )
    for field in (Post.authors, Post.categories, Post.tags):
        m2m_changed.connect(
            content_changed, sender=field.through, dispatch_uid=f"content-m2m-{field.field.name}"
        )
