"""Background tasks: the emails about comments, and the periodic clean-up. Run by the task
worker (`stoa db_worker`), never inside a request.

A task may run again after its worker died (stoa.core.tasks): the email tasks take their
context and send through `send_once`, which skips what an earlier run sent; drawing markup
and the clean-up do the same work whether they ran before or not."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import TaskContext, task
from markupsafe import escape

from stoa.core.conf import stoa_setting
from stoa.core.models import SentEmail
from stoa.core.tasks import MARK_EVERY, email_key, mark_sent, send_once
from stoa.discussion import access, services, threads, tokens
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings, Subscription
from stoa.members.models import User
from stoa.publishing.models import Person, Post


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


# Stands for each subscriber's own unsubscribe address in the reply email, rendered once a
# comment and then filled in for each recipient (only letters and dashes: HTML escaping leaves
# it as it is).
_UNSUBSCRIBE_SLOT = "stoa-unsubscribe-address-slot"


def _authors_of(post_ids: set[int]) -> dict[int, list[tuple[int | None, str]]]:
    """The authors with an account and an address of each of these posts, in one query."""
    links = (
        Post.authors.through.objects.filter(post_id__in=post_ids)
        .select_related("person__user")
        .order_by("person_id")
    )
    found: dict[int, list[tuple[int | None, str]]] = {}
    for link in links:
        user = link.person.user
        if user and user.email:
            found.setdefault(link.post_id, []).append((user.pk, user.email))
    return found


def _subscribers_of(post_ids: set[int]) -> dict[int, list[Subscription]]:
    """The confirmed subscribers of each of these threads, in one query, in the order of
    _subscribers."""
    found: dict[int, list[Subscription]] = {}
    for subscription in Subscription.objects.filter(
        post__in=post_ids, confirmed_at__isnull=False
    ).order_by("pk"):
        found.setdefault(subscription.post_id, []).append(subscription)
    return found


def _unsubscribe_url(subscription: Subscription) -> str:
    return site_url(
        reverse(
            "discussion:unsubscribe",
            args=[tokens.subscription_token(subscription.pk, "unsubscribe")],
        )
    )


def _render(template: str, context: dict) -> tuple[str, str]:
    """The plain-text and the HTML body of an email from its templates."""
    context = {"site_name": stoa_setting("SITE_NAME"), **context}
    return (
        render_to_string(f"discussion/email/{template}.txt", context),
        render_to_string(f"discussion/email/{template}.html", context),
    )


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
    comment and its recipients, and one comment is one piece of news.

    What is the same for many emails is done once (issue 12: the worker spent ~2.5 ms a
    comment on its emails): the comments, their posts' authors and subscribers and the
    markers of the emails an earlier run sent are read for the whole task, each comment's
    bodies are rendered once (a subscriber's unsubscribe address filled in after), and
    one mail connection (one SMTP session) carries every email of the task."""
    # Read by their ids alone, the status tested on the rows, in no order (the task's is
    # restored below): with the status in the query, or the thread's order (Meta.ordering),
    # SQLite, which has no statistics of the table, took the status index for a few rows and
    # read every approved comment of the site: ~60 ms a task at 400,000 comments however few
    # it was about (issue 12).
    found = Comment.objects.select_related("post").filter(pk__in=comment_ids).order_by()
    by_id = {comment.pk: comment for comment in found if comment.status == CommentStatus.APPROVED}
    # No longer approved (or deleted) before the task ran: no news.
    comments = [by_id[pk] for pk in comment_ids if pk in by_id]
    if not comments:
        return 0
    post_ids = {comment.post_id for comment in comments}
    authors = _authors_of(post_ids) if DiscussionSettings.current().notify_post_author else {}
    subscribers = _subscribers_of(post_ids)
    urls = threads.comment_urls(comments)
    unsubscribe = {
        subscription.pk: _unsubscribe_url(subscription)
        for found_here in subscribers.values()
        for subscription in found_here
    }
    # Every email of the task, in the order sent: (comment, recipients, subscription or None
    # for the post's authors).
    emails: list[tuple[Comment, list[str], Subscription | None]] = []
    for comment in comments:
        addresses = [
            e for user_id, e in authors.get(comment.post_id, []) if user_id != comment.user_id
        ]
        if addresses:
            emails.append((comment, addresses, None))
        told = {address.lower() for address in addresses} | {comment.author_email.lower()}
        emails += [
            (comment, [subscription.email], subscription)
            for subscription in subscribers.get(comment.post_id, [])
            if subscription.email.lower() not in told
        ]
    task_id = str(context.task_result.id)
    keys = [email_key(task_id, to, str(comment.pk)) for comment, to, _ in emails]
    sent_keys: set[str] = set()
    for start in range(0, len(keys), 500):  # within every database's limit of parameters
        sent_keys.update(
            SentEmail.objects.filter(key__in=keys[start : start + 500]).values_list(
                "key", flat=True
            )
        )
    site_name = stoa_setting("SITE_NAME")
    bodies: dict[tuple[int, str], tuple[str, str, str]] = {}
    sent = 0
    # The markers of the emails sent, written together (stoa.core.tasks.mark_sent): one write
    # transaction an email was one more wait for SQLite's one writer's lock behind the
    # comment writers, and the task's longest part (issue 12: ~13 ms of a worker's time a
    # comment under 50 writers). A worker dying in the middle of the task may send up to
    # MARK_EVERY emails again, each with the Message-ID of the first copy.
    unmarked: list[SentEmail] = []
    connection = get_connection()
    connection.open()
    try:
        for (comment, to, subscription), key in zip(emails, keys, strict=True):
            if key in sent_keys:
                sent += 1  # an earlier run of this task sent it (send_once would skip it)
                continue
            template = "new_comment" if subscription is None else "reply"
            if (comment.pk, template) not in bodies:
                subject = f"[{site_name}] " + (
                    f"New comment on “{comment.post.title}”"
                    if subscription is None
                    else f"New reply under “{comment.post.title}”"
                )
                bodies[comment.pk, template] = (
                    subject,
                    *_render(
                        template,
                        {
                            "comment": comment,
                            "comment_url": site_url(urls[comment.pk]),
                            "unsubscribe_url": _UNSUBSCRIBE_SLOT,
                        },
                    ),
                )
            subject, text, html = bodies[comment.pk, template]
            headers = {}
            if subscription is not None:
                url = unsubscribe[subscription.pk]
                text = text.replace(_UNSUBSCRIBE_SLOT, url)
                html = html.replace(_UNSUBSCRIBE_SLOT, str(escape(url)))
                # One-click unsubscribe from the mail client (RFC 8058).
                headers = {
                    "List-Unsubscribe": f"<{url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                }
            message = EmailMultiAlternatives(
                subject=subject, body=text, to=to, headers=headers, connection=connection
            )
            message.attach_alternative(html, "text/html")
            sent += send_once(
                message, context, part=str(comment.pk), sent_keys=sent_keys, unmarked=unmarked
            )
            if len(unmarked) >= MARK_EVERY:
                mark_sent(unmarked)
    finally:
        try:
            connection.close()
        finally:
            # What was sent is marked even when a later email failed.
            mark_sent(unmarked)
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
