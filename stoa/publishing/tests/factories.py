"""factory_boy factories for publishing tests; posts, pages and filing go through the services.

Members and administrators come from stoa.members.tests.factories (and can be imported from
here too); an editor, with publishing's permissions, is made here."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.contrib.auth.models import Permission
from django.utils import timezone

# The account factories are members': imported from here too, beside publishing's editor.
from stoa.members.tests.factories import SuperuserFactory as SuperuserFactory
from stoa.members.tests.factories import UserFactory
from stoa.publishing import services
from stoa.publishing.models import (
    Category,
    Page,
    PageStatus,
    Person,
    Post,
    PostStatus,
    PostVisibility,
    Tag,
)

# What an editor may do in the back office: everything on the publishing models, publishing
# and other people's posts included.
EDITOR_PERMISSIONS = [
    *(
        f"{action}_{model}"
        for model in ("post", "page", "person", "category", "tag", "mediaitem")
        for action in ("add", "change", "delete", "view")
    ),
    "publish_post",
    "change_others_post",
]


def an_hour_ago() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=1)


def in_two_days() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=2)


class EditorFactory(UserFactory):
    """A staff editor with every publishing permission, but not a superuser."""

    username = factory.Sequence(lambda n: f"editor{n}")
    is_staff = True

    @factory.post_generation
    def permissions(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        codenames = extracted if extracted is not None else EDITOR_PERMISSIONS
        self.user_permissions.add(
            *Permission.objects.filter(content_type__app_label="publishing", codename__in=codenames)
        )


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    bio = factory.LazyAttribute(lambda o: f"{o.name} writes about clinical supervision.")

    @classmethod
    def _create(cls, model_class: type[Person], *args: Any, **kwargs: Any) -> Person:
        return services.create_person(**kwargs)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    parent = None
    description = ""

    @classmethod
    def _create(cls, model_class: type[Category], *args: Any, **kwargs: Any) -> Category:
        return services.create_category(**kwargs)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class PostFactory(factory.django.DjangoModelFactory):
    """A published post, an hour old, by one author in one category (through create_post).

    Traits: ``draft``, ``pending``, ``private``, ``scheduled`` (two days ahead) and
    ``members_only``.
    """

    class Meta:
        model = Post

    title = factory.Sequence(lambda n: f"Post number {n}")
    # Empty: create_post derives a unique slug from the (sequenced) title, as editors get it.
    slug = ""
    dek = ""
    body = factory.LazyAttribute(lambda o: f"<p>The body of “{o.title}”, in a few words.</p>")
    excerpt = ""
    status = PostStatus.PUBLISHED
    published_at = factory.LazyAttribute(
        lambda o: (
            an_hour_ago()
            if o.status in (PostStatus.PUBLISHED, PostStatus.SCHEDULED, PostStatus.PRIVATE)
            else None
        )
    )
    is_featured = False
    is_sticky = False
    comments_open = True
    visibility = PostVisibility.PUBLIC
    listed = True
    authors = factory.LazyFunction(lambda: [PersonFactory()])
    categories = factory.LazyFunction(lambda: [CategoryFactory()])
    tags: Any = factory.LazyFunction(list)

    class Params:
        draft = factory.Trait(status=PostStatus.DRAFT)
        pending = factory.Trait(status=PostStatus.PENDING)
        private = factory.Trait(status=PostStatus.PRIVATE)
        scheduled = factory.Trait(
            status=PostStatus.PUBLISHED, published_at=factory.LazyFunction(in_two_days)
        )
        members_only = factory.Trait(visibility=PostVisibility.MEMBERS)

    @classmethod
    def _create(cls, model_class: type[Post], *args: Any, **kwargs: Any) -> Post:
        return services.create_post(**kwargs)


class PageFactory(factory.django.DjangoModelFactory):
    """A published static page (through create_page, so its path is set)."""

    class Meta:
        model = Page

    title = factory.Sequence(lambda n: f"Page {n}")
    slug = factory.Sequence(lambda n: f"page-{n}")
    parent = None
    body = factory.LazyAttribute(lambda o: f"<p>What {o.title} says.</p>")
    status = PageStatus.PUBLISHED
    menu_order = 0
    show_in_menu = False

    @classmethod
    def _create(cls, model_class: type[Page], *args: Any, **kwargs: Any) -> Page:
        return services.create_page(**kwargs)
