"""What each event says: what the public JSON API shows a visitor of the same rows, in the
same fields (stoa/api/reads.py's post and comment, schemas.Post and schemas.Comment), and
never an email or IP address. The api app is this app's sibling and may not be imported
(pyproject's layers), so the fields are drawn here from the owning apps, and a test compares
each payload with the API's answer for the same row (tests/test_payloads.py).

Each returns None when the row is no longer what the event says (a post unpublished, a
comment taken back before the message was written): nothing is sent then.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from stoa.discussion import threads
from stoa.discussion.models import Comment, CommentStatus
from stoa.members.models import Profile, display_name
from stoa.publishing.models import Post, can_read_full_post
from stoa.publishing.serializers import post_detail


def post_data(post: Post) -> dict[str, Any]:
    """A live post as the API's GET /posts/{id} answers a visitor (its body only when a
    visitor may read it: never a members-only body)."""
    return post_detail(post, AnonymousUser())


def _live_post(post_id: int) -> Post | None:
    return Post.objects.published().for_listing().filter(pk=post_id).first()


def post_published(post_id: int) -> dict[str, Any] | None:
    post = _live_post(post_id)
    return {"post": post_data(post)} if post is not None else None


def comment_approved(comment_id: int) -> dict[str, Any] | None:
    """The comment as the API's thread shows it to a visitor, with its post. Under a
    members-only post a visitor is shown no discussion (the API answers 403): the comment's
    id, post and time only, and `readable` false."""
    comment = (
        Comment.objects.select_related("parent", "user__profile")
        .filter(pk=comment_id, status=CommentStatus.APPROVED)
        .first()
    )
    if comment is None:
        return None
    post = _live_post(comment.post_id)
    if post is None:
        return None
    comment.post = post  # its page and thread numbering are read from it
    readable = can_read_full_post(AnonymousUser(), post)
    shown: dict[str, Any] = {
        "id": comment.pk,
        "post": post.pk,
        "created_at": comment.created_at,
        "url": comment.get_absolute_url(),
        "readable": readable,
    }
    if readable:
        parent = comment.parent
        shown |= {
            # As the thread shows it: a reply to a comment readers cannot see hangs alone.
            "parent": parent.pk
            if parent is not None and parent.status == CommentStatus.APPROVED
            else None,
            "author_name": comment.author_name,
            "author_url": comment.author_url,
            "edited_at": comment.edited_at,
            "html": comment.rendered or threads.render_comment(comment),
        }
    return {"comment": shown, "post": post_data(post)}


def member_joined(user_id: int) -> dict[str, Any] | None:
    """What the member's public page shows anyone of a new account: its name and address."""
    profile = Profile.objects.public().filter(user_id=user_id).first()
    if profile is None:
        return None
    member = profile.user
    return {
        "member": {
            "id": member.pk,
            "name": display_name(member),
            "url": reverse("members:profile", kwargs={"pk": member.pk}),
            "joined_at": member.date_joined,
        }
    }
