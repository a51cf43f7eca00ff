"""The desk's emails, sent by the task worker (stoa db_worker), once each (send_once)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import TaskContext, task

from stoa.core.conf import stoa_setting
from stoa.core.tasks import send_once
from stoa.members.models import User
from stoa.publishing.models import Post, PostStatus, can_publish_posts


def editors() -> list[User]:
    """The accounts that may publish (the Editors and Administrators) and have an address."""
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    return [user for user in staff.order_by("pk") if can_publish_posts(user)]


@task(queue_name="email", takes_context=True)
def notify_editors(context: TaskContext, post_id: int, submitted_by: int | None) -> int:
    """Tell the editors that a post awaits their review (sent only while it still does)."""
    post = Post.objects.filter(pk=post_id, status=PostStatus.PENDING).first()
    if post is None:
        return 0
    addresses = sorted({user.email for user in editors()} - {""})
    if not addresses:
        return 0
    author = get_user_model().objects.filter(pk=submitted_by).first() if submitted_by else None
    base = getattr(settings, "STOA_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    body = render_to_string(
        "desk/email/submitted.txt",
        {
            "post": post,
            "author": author,
            "site_name": stoa_setting("SITE_NAME"),
            "edit_url": base + reverse("admin:publishing_post_change", args=[post.pk]),
            "queue_url": base + reverse("admin:desk_pendingpost_changelist"),
        },
    )
    subject = f"[{stoa_setting('SITE_NAME')}] Awaiting review: {post.title}"
    # Bcc: editors need not see each other's addresses.
    return send_once(EmailMessage(subject=subject, body=body, bcc=addresses), context)
