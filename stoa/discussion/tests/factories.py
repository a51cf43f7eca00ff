"""factory_boy factories for discussion tests: comments and subscriptions go through the
services, so every one has its stored HTML, its history and a true comment count on its post.

The moderation rules apply to what these factories write, as they do to readers' comments:
two comments from one member (or one IP address) within the flood interval are refused, as is
the same text twice from one author. Emails and texts are sequence-unique and the IP address
is empty by default, so plain ``CommentFactory()`` calls never trip them; pass distinct
``ip_address`` values, or a ``created_at`` older than the interval, when a test needs more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import factory
from django.contrib.auth.models import Permission

from stoa.discussion import services
from stoa.discussion.models import Comment, CommentStatus, Subscription
from stoa.publishing.tests.factories import PostFactory, UserFactory

# What a moderator may do in the back office: work the comment queue and see who reported
# what and who subscribed; the discussion settings stay with administrators.
MODERATOR_PERMISSIONS = [
    "view_comment",
    "change_comment",
    "moderate_comment",
    "view_commentevent",
    "view_commentflag",
    "view_subscription",
    "delete_subscription",
]

# The service that moves a comment into each status, as a moderator would.
STATUS_SERVICES: dict[str, Callable[..., Comment]] = {
    CommentStatus.APPROVED: services.approve_comment,
    CommentStatus.PENDING: services.unapprove_comment,
    CommentStatus.SPAM: services.spam_comment,
    CommentStatus.TRASH: services.trash_comment,
}

# Declarations that are not model fields: kept out of Comment(...) when building.
_NOT_FIELDS = ("actor", "subscribe")


class ModeratorFactory(UserFactory):
    """A staff member with the moderators' permissions on the discussion, nothing else."""

    username = factory.Sequence(lambda n: f"moderator{n}")
    is_staff = True

    @factory.post_generation
    def permissions(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        codenames = extracted if extracted is not None else MODERATOR_PERMISSIONS
        self.user_permissions.add(
            *Permission.objects.filter(content_type__app_label="discussion", codename__in=codenames)
        )


class CommentFactory(factory.django.DjangoModelFactory):
    """A guest's comment on a published post, written through ``services.post_comment`` and
    then moved by the matching service to ``status`` (approved unless told otherwise).

    ``user=`` writes it as that member instead of a guest (name and email then come from
    the account). ``parent=`` makes it a reply, on the parent's post. ``actor=`` is the
    moderator recorded for the status change, if any.
    """

    class Meta:
        model = Comment

    parent = None
    post = factory.Maybe(
        "parent",
        yes_declaration=factory.SelfAttribute("parent.post"),
        no_declaration=factory.SubFactory(PostFactory),
    )
    user = None
    author_name = factory.Sequence(lambda n: f"Reader {n}")
    author_email = factory.Sequence(lambda n: f"reader{n}@example.net")
    author_url = ""
    text = factory.Sequence(lambda n: f"Comment number {n}: a thought about the piece.")
    ip_address = None
    user_agent = ""
    created_at = None
    status = CommentStatus.APPROVED
    actor = None
    subscribe = False

    @classmethod
    def _build(cls, model_class: type[Comment], *args: Any, **kwargs: Any) -> Comment:
        for name in _NOT_FIELDS:
            kwargs.pop(name, None)
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class: type[Comment], *args: Any, **kwargs: Any) -> Comment:
        user = kwargs["user"]
        author: Any = user or services.Guest(
            name=kwargs["author_name"], email=kwargs["author_email"], url=kwargs["author_url"]
        )
        created_at: dt.datetime | None = kwargs["created_at"]
        comment = services.post_comment(
            post=kwargs["post"],
            author=author,
            body=kwargs["text"],
            parent=kwargs["parent"],
            origin=services.Origin(
                ip_address=kwargs["ip_address"], user_agent=kwargs["user_agent"]
            ),
            subscribe=kwargs["subscribe"],
            created_at=created_at,
        )
        status = kwargs["status"]
        if comment.status != status:
            STATUS_SERVICES[status](comment=comment, actor=kwargs["actor"])
        return comment


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """An address subscribed to replies under a post (through the service), confirmed unless
    ``confirmed=False``."""

    class Meta:
        model = Subscription

    post = factory.SubFactory(PostFactory)
    email = factory.Sequence(lambda n: f"subscriber{n}@example.net")
    user = None
    confirmed = True

    @classmethod
    def _build(cls, model_class: type[Subscription], *args: Any, **kwargs: Any) -> Subscription:
        kwargs.pop("confirmed", None)
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class: type[Subscription], *args: Any, **kwargs: Any) -> Subscription:
        confirmed = kwargs.pop("confirmed")
        subscription = services.subscribe_to_post(
            post=kwargs["post"], email=kwargs["email"], user=kwargs["user"]
        )
        if confirmed:
            services.confirm_subscription(subscription=subscription)
        return subscription
