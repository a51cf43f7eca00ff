"""Background tasks: the emails about comments, and the periodic clean-up. Run by the task
worker (`stoa db_worker`), never inside a request.

A task may run again after its worker died (stoa.core.tasks): the email tasks take their
context and send through `send_once`, which skips what an earlier run sent; drawing markup
and the clean-up do the same work whether they ran before or not."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import TaskContext, task

from stoa.core.conf import stoa_setting
from stoa.core.tasks import send_once
from stoa.discussion import access, services, tokens
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings, Subscription
from stoa.members.models import User
from stoa.publishing.models import Person


def site_url(path: str) -> str:
    """An absolute address for an email (STOA_SITE_URL, e.g. https://example.org)."""
    base = getattr(settings, "STOA_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}{path}"


def _send(
    run: TaskContext,
    *,
    to: list[str],
    subject: str,
    template: str,
    context: dict,
    headers: dict | None = None,
    part: str = "",
) -> int:
    """Send one email with a plain-text and an HTML body, both from templates, once for the
    task `run` (the task's context; `part`: which of the task's comments it is about)."""
    if not to:
        return 0
    context = {"site_name": stoa_setting("SITE_NAME"), **context}
    text = render_to_string(f"discussion/email/{template}.txt", context)
    html = render_to_string(f"discussion/email/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, headers=headers or {})
    message.attach_alternative(html, "text/html")
    return send_once(message, run, part=part)


def moderators() -> list[User]:
    """The accounts that moderate comments (access.can_moderate) and have an address."""
    # Only staff can moderate: asking them alone spares a permission look-up per member.
    staff = get_user_model().objects.filter(is_staff=True).exclude(email="").order_by("pk")
    return [user for user in staff if access.can_moderate(user)]


def moderator_addresses(found: list[User] | None = None) -> list[str]:
    """Moderators' addresses (of `found`, when already at hand), and the extra addresses in
    the settings."""
    found = moderators() if found is None else found
    extra = DiscussionSettings.lines(DiscussionSettings.current().moderator_emails)
    return sorted({user.email for user in found} | set(extra))


@task(queue_name="email", takes_context=True)
def notify_moderators(context: TaskContext, comment_id: int) -> int:
    """Tell moderators about a held comment, with signed one-click links."""
    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    settings_row = DiscussionSettings.current()
    if comment is None or comment.status != CommentStatus.PENDING:
        return 0
    if not settings_row.notify_moderators:
        return 0
    sent = 0
    # One-click links go to moderators only: an extra address that happens to be a member's
    # gets the queue's address, as any extra address does.
    found = moderators()
    staff = {user.email: user for user in found}
    for address in moderator_addresses(found):
        moderator = staff.get(address)
        links = {
            action: site_url(
                reverse(
                    "discussion:moderate",
                    args=[
                        tokens.moderation_token(
                            comment.pk, action, moderator.pk if moderator else None
                        )
                    ],
                )
            )
            for action in tokens.MODERATION_ACTIONS
        }
        reason = comment.events.order_by("pk").values_list("note", flat=True).first() or ""
        sent += _send(
            context,
            to=[address],
            subject=f"[{stoa_setting('SITE_NAME')}] Please moderate: “{comment.post.title}”",
            template="moderate",
            context={
                "comment": comment,
                "links": links if moderator else {},
                "reason": reason,
                "queue": site_url(reverse("admin:discussion_comment_changelist"))
                + "?status__exact=pending",
                "post_url": site_url(comment.post.get_absolute_url()),
            },
        )
    return sent


def _post_authors(post_id: int) -> list[tuple[int | None, str]]:
    """The post's authors with an account and an address: (account id, address)."""
    return [
        (person.user_id, person.user.email)
        for person in Person.objects.filter(posts=post_id).select_related("user").order_by("pk")
        if person.user and person.user.email
    ]


def _tell_post_authors(
    context: TaskContext,
    comment: Comment,
    *,
    authors: list[tuple[int | None, str]] | None = None,
    part: str = "",
) -> tuple[int, set[str]]:
    """Email the post's authors about a new approved comment (a setting): what was sent,
    and to whom. `authors`: the post's (_post_authors), when already at hand."""
    if not DiscussionSettings.current().notify_post_author:
        return 0, set()
    if authors is None:
        authors = _post_authors(comment.post_id)
    addresses = [email for user_id, email in authors if user_id != comment.user_id]
    sent = _send(
        context,
        to=addresses,
        subject=f"[{stoa_setting('SITE_NAME')}] New comment on “{comment.post.title}”",
        template="new_comment",
        context={"comment": comment, "comment_url": site_url(comment.get_absolute_url())},
        part=part,
    )
    return sent, {address.lower() for address in addresses}


def _subscribers(post_id: int) -> list[Subscription]:
    # In a fixed order, so that a run after a crash goes through the addresses as the first
    # run did (and the crash test knows which address comes first).
    return list(
        Subscription.objects.filter(post=post_id, confirmed_at__isnull=False).order_by("pk")
    )


def _tell_subscribers(
    context: TaskContext,
    comment: Comment,
    *,
    told: set[str],
    subscribers: list[Subscription] | None = None,
    part: str = "",
) -> int:
    """Email the thread's confirmed subscribers about a new approved comment, but for its
    writer and the addresses in `told` (already emailed about this comment). `subscribers`:
    the thread's (_subscribers), when already at hand."""
    if subscribers is None:
        subscribers = _subscribers(comment.post_id)
    writer = comment.author_email.lower()
    sent = 0
    for subscription in subscribers:
        if subscription.email.lower() in told or subscription.email.lower() == writer:
            continue
        unsubscribe = site_url(
            reverse(
                "discussion:unsubscribe",
                args=[tokens.subscription_token(subscription.pk, "unsubscribe")],
            )
        )
        sent += _send(
            context,
            to=[subscription.email],
            subject=f"[{stoa_setting('SITE_NAME')}] New reply under “{comment.post.title}”",
            template="reply",
            context={
                "comment": comment,
                "comment_url": site_url(comment.get_absolute_url()),
                "unsubscribe_url": unsubscribe,
            },
            # One-click unsubscribe from the mail client (RFC 8058).
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            part=part,
        )
    return sent


def _approved(comment_id: int) -> Comment | None:
    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    if comment is None or comment.status != CommentStatus.APPROVED:
        return None
    return comment


@task(queue_name="email", takes_context=True)
def notify_comments_published(context: TaskContext, comment_ids: list[int]) -> int:
    """Everyone who hears of these newly approved comments: for each, in the order given,
    the post's authors, then the thread's confirmed subscribers. One task for every
    comment approved while it waited (notifications.comment_approved joins a waiting one,
    stoa.core.tasks.enqueue_joined), not one per comment and kind of reader: each task is
    a row written while the comment's transaction holds SQLite's one writer's lock, and a
    claim and a result the worker writes under it again; a task a comment, 50 writers
    queued them faster than a worker could run them (issue 12). An author who also follows
    the thread is emailed once (as the author): send_once knows an email by its task, its
    comment and its recipients, and one comment is one piece of news."""
    found = Comment.objects.select_related("post").filter(
        pk__in=comment_ids, status=CommentStatus.APPROVED
    )
    by_id = {comment.pk: comment for comment in found}
    authors: dict[int, list[tuple[int | None, str]]] = {}
    subscribers: dict[int, list[Subscription]] = {}
    sent = 0
    for comment_id in comment_ids:
        if (comment := by_id.get(comment_id)) is None:
            continue  # no longer approved (or deleted) before the task ran: no news
        post_id = comment.post_id
        if post_id not in authors:
            authors[post_id], subscribers[post_id] = _post_authors(post_id), _subscribers(post_id)
        part = str(comment_id)
        told_count, told = _tell_post_authors(context, comment, authors=authors[post_id], part=part)
        sent += told_count + _tell_subscribers(
            context, comment, told=told, subscribers=subscribers[post_id], part=part
        )
    return sent


# The tasks a comment queued before notify_comments_published: kept so that the ones still
# queued when the site is upgraded are run, not failed as unknown.
@task(queue_name="email", takes_context=True)
def notify_comment_published(context: TaskContext, comment_id: int) -> int:
    """Everyone who hears of a newly approved comment (the post's authors, then the
    thread's confirmed subscribers), as one task about one comment."""
    comment = _approved(comment_id)
    if comment is None:
        return 0
    sent, told = _tell_post_authors(context, comment)
    return sent + _tell_subscribers(context, comment, told=told)


@task(queue_name="email", takes_context=True)
def notify_post_author(context: TaskContext, comment_id: int) -> int:
    """Tell the post's authors about a new approved comment (a setting)."""
    comment = _approved(comment_id)
    return _tell_post_authors(context, comment)[0] if comment is not None else 0


@task(queue_name="email", takes_context=True)
def notify_subscribers(context: TaskContext, comment_id: int) -> int:
    """Tell confirmed subscribers of the thread about a newly approved comment."""
    comment = _approved(comment_id)
    return _tell_subscribers(context, comment, told=set()) if comment is not None else 0


@task(queue_name="email", takes_context=True)
def send_subscription_confirmation(context: TaskContext, subscription_id: int) -> int:
    """Ask the owner of an address to confirm a subscription (double opt-in)."""
    subscription = Subscription.objects.select_related("post").filter(pk=subscription_id).first()
    if subscription is None or subscription.confirmed_at is not None:
        return 0
    confirm = site_url(
        reverse("discussion:confirm", args=[tokens.subscription_token(subscription.pk, "confirm")])
    )
    unsubscribe = site_url(
        reverse(
            "discussion:unsubscribe",
            args=[tokens.subscription_token(subscription.pk, "unsubscribe")],
        )
    )
    return _send(
        context,
        to=[subscription.email],
        subject=f"[{stoa_setting('SITE_NAME')}] Please confirm your subscription",
        template="confirm",
        context={
            "post": subscription.post,
            "post_url": site_url(subscription.post.get_absolute_url()),
            "confirm_url": confirm,
            "unsubscribe_url": unsubscribe,
        },
        headers={"List-Unsubscribe": f"<{unsubscribe}>"},
    )


@task()
def store_markup() -> int:
    """Draw and store the markup of every comment drawn with an old template or setting."""
    return services.store_markup()


@task()
def purge_old_comments() -> list[int]:
    """Empty old spam and trash and erase old IP addresses (see services.purge_old_comments)."""
    deleted, erased = services.purge_old_comments()
    return [deleted, erased]
