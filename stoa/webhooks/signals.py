"""The events the apps below already tell, heard here and announced after their commit.

- a comment shown to readers: stoa.discussion.signals.comment_approved;
- a post published (now, or scheduled): stoa.publishing.signals.post_published;
- a member joined: allauth's user_signed_up (the sign-up form; an account an administrator
  creates is not someone joining).

Each receiver runs inside the writer's transaction and only asks for the announcement to
be made once it commits (transaction.on_commit): a rolled-back change sends nothing, and the
message is written from what was committed. robust=True: a failure there is logged, and the
writer, whose change is committed by then, is not answered with an error.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from allauth.account.signals import user_signed_up
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from stoa.discussion.signals import comment_approved
from stoa.publishing.signals import post_published


def on_comment_approved(sender: Any, comment: Any, **kwargs: Any) -> None:
    from stoa.webhooks import services

    transaction.on_commit(partial(services.announce_comment, comment_id=comment.pk), robust=True)


def on_post_published(sender: Any, post: Any, at: Any, **kwargs: Any) -> None:
    from stoa.webhooks import services

    transaction.on_commit(partial(services.post_going_live, post_id=post.pk, at=at), robust=True)


def on_user_signed_up(sender: Any, user: Any, **kwargs: Any) -> None:
    from stoa.webhooks import services

    transaction.on_commit(partial(services.announce_member, user_id=user.pk), robust=True)


def on_endpoint_changed(sender: Any, **kwargs: Any) -> None:
    from stoa.webhooks import services

    services.forget_endpoints()


def connect() -> None:
    """Connect the receivers; called once from the app's ready()."""
    post_save.connect(on_endpoint_changed, sender="webhooks.Endpoint", dispatch_uid="webhooks-ep")
    post_delete.connect(on_endpoint_changed, sender="webhooks.Endpoint", dispatch_uid="webhooks-ed")
    comment_approved.connect(on_comment_approved, dispatch_uid="webhooks-comment-approved")
    post_published.connect(on_post_published, dispatch_uid="webhooks-post-published")
    user_signed_up.connect(on_user_signed_up, dispatch_uid="webhooks-member-joined")
