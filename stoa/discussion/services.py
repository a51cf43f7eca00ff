"""Every change of state in the discussion: views, admin, emails' links, the demo and the
importer all call these."""

from __future__ import annotations

import datetime as dt
import ipaddress
import operator
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.module_loading import import_string

from stoa.core import freshness
from stoa.core import services as core
from stoa.core.conf import stoa_setting
from stoa.discussion import access, moderation, notifications, threads
from stoa.discussion.models import (
    Comment,
    CommentEvent,
    CommentEventKind,
    CommentFlag,
    CommentKind,
    CommentQuerySet,
    CommentStatus,
    DeclinedClaim,
    DiscussionSettings,
    Subscription,
)
from stoa.discussion.sanitizers import clean_comment, comment_excerpt
from stoa.members import cache as members_cache
from stoa.members.models import User, display_name
from stoa.publishing.models import Person, Post

MAX_COMMENT_LENGTH = 10_000
# How a comment is signed once its member deleted their account and chose to keep it.
FORMER_MEMBER = "Former member"


@dataclass(frozen=True)
class Guest:
    """Who a commenter without an account says they are."""

    name: str
    email: str
    url: str = ""


@dataclass(frozen=True)
class Origin:
    """Where a comment came from: kept for moderators, erased after the retention period."""

    ip_address: str | None = None
    user_agent: str = ""
    honeypot: str = ""


class CommentRefused(Exception):
    """A rule refused the comment; its verdict says which and why."""

    def __init__(self, verdict: moderation.Verdict) -> None:
        super().__init__(verdict.message)
        self.verdict = verdict


def _identity(author: User | Guest) -> tuple[str, str, str, User | None]:
    if isinstance(author, Guest):
        errors = {}
        name, email, url = author.name.strip(), author.email.strip(), author.url.strip()
        if not name:
            errors["name"] = "Please give your name."
        if not email:
            errors["email"] = "Please give your email address; it is never published."
        else:
            try:
                EmailValidator()(email)
            except ValidationError:
                errors["email"] = "Please give a valid email address."
        if url:
            url = url if "://" in url else f"https://{url}"
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                errors["url"] = "Please give a web address starting with http:// or https://."
        if errors:
            raise ValidationError(errors)
        return name[:100], email, url[:300], None
    return display_name(author)[:100], author.email, "", author


def _check_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Please write a comment."})
    if len(body) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            {
                "body": f"Comments are limited to {MAX_COMMENT_LENGTH:,} characters; "
                f"this one has {len(body):,}."
            }
        )
    return body


def resolve_parent(*, post: Post, parent_id: int | None, depth_limit: int) -> Comment | None:
    """The comment a reply attaches to: approved, on this post, never deeper than the limit
    (a reply to a comment at the deepest level attaches beside it, as WordPress does)."""
    if parent_id is None:
        return None
    parent = Comment.objects.filter(pk=parent_id).select_related("parent").first()
    if parent is None or parent.post_id != post.pk:
        raise ValidationError({"parent": "The comment you are replying to is not on this post."})
    if parent.status != CommentStatus.APPROVED:
        raise ValidationError({"parent": "The comment you are replying to is not published."})
    while parent is not None and parent.depth >= depth_limit:
        parent = parent.parent
    return parent


def candidate_for(
    *, post: Post, author: User | Guest, body: str, origin: Origin = Origin()
) -> moderation.Candidate:
    """What the moderation rules look at, for a comment not yet written."""
    name, email, url, user = _identity(author)
    text = _check_body(body)
    return moderation.Candidate(
        post=post,
        text=text,
        draw=partial(comment_markup, post),
        author_name=name,
        author_email=email,
        author_url=url,
        user=user,
        ip_address=origin.ip_address,
        user_agent=origin.user_agent[:300],
        honeypot=origin.honeypot,
    )


def _any_hook(name: str, *args: Any) -> bool:
    """Whether any function listed in STOA[name] says yes (apps that know more about a
    post than publishing does plug in there, without this app importing them)."""
    return any(import_string(path)(*args) for path in stoa_setting(name))


def comment_markup(post: Post, text: str) -> str:
    """What a commenter typed, as display HTML: sanitised against the commenters' allowlist,
    then with what other apps add under this post (STOA["COMMENT_MARKUP"]: a cited moment
    in the post's clip becomes a link that seeks it)."""
    html = clean_comment(text)
    for path in stoa_setting("COMMENT_MARKUP"):
        html = import_string(path)(post, html)
    return html


def _is_by_post_author(post: Post, user: User | None) -> bool:
    """The "Author" badge: the post's authors, and whoever else an app counts (the
    presenters of the clip it carries)."""
    if user is None:
        return False
    return post.authors.filter(user=user).exists() or _any_hook("POST_AUTHOR_CHECKS", post, user)


def _refresh(comment: Comment) -> None:
    """Derive what is shown of the comment once, here, not per page view: its excerpt (the
    sidebar, feeds, emails) and its display markup (threads.py), which needs the comment's
    id: a new comment's is drawn once it is saved (_draw)."""
    comment.excerpt = comment_excerpt(comment.html)
    comment.rendered, comment.rendered_with = "", ""
    if comment.pk is not None:
        comment.rendered = threads.render_comment(comment)
        comment.rendered_with = threads.markup_fingerprint()


def _draw(comment: Comment) -> None:
    """Draw and store the markup of a comment just saved without it (update(): no signal,
    no second new content version for the same comment)."""
    threads.stored_markup([comment])


def _recount(post: Post) -> None:
    # Lock the post first: on PostgreSQL two writers counting at once would each miss the
    # other's comment and the last to write would win. (SQLite's writer holds the lock.)
    list(Post.objects.select_for_update().filter(pk=post.pk).values_list("pk", flat=True))
    count = Comment.objects.filter(post=post, status=CommentStatus.APPROVED).count()
    Post.objects.filter(pk=post.pk).update(comment_count=count)
    post.comment_count = count


def _count_one_more(post: Post) -> None:
    """A new approved comment: the post's count goes up by one, in one UPDATE that both
    databases apply under the row's lock (two writers never lose one), instead of counting
    the thread again: a comment costs the same on a 5,000-comment thread as on a 5-comment
    one (issue 12). Its SQL written once (core.update_row), not compiled again per POST."""
    core.update_row(model=Post, pk=post.pk, add={"comment_count": 1})
    post.comment_count += 1


STATUS_FOR_ACTION = {
    moderation.Action.APPROVE: CommentStatus.APPROVED,
    moderation.Action.HOLD: CommentStatus.PENDING,
    moderation.Action.SPAM: CommentStatus.SPAM,
}


def post_comment(
    *,
    post: Post,
    author: User | Guest,
    body: str,
    parent: Comment | None = None,
    origin: Origin = Origin(),
    subscribe: bool = False,
    created_at: dt.datetime | None = None,
) -> Comment:
    """Judge a new comment by the moderation rules and write it, or raise CommentRefused.

    Everything that only reads (the rules, the sanitised markup, the excerpt) is done before
    the transaction: on SQLite a write transaction holds the one writer's lock from its
    first statement (IMMEDIATE), and every other commenter waits while it is held (issue
    12: 50 writers at once). The rules whose verdict another writer's comment can change
    meanwhile (the same text sent twice at once, a flood) are asked again inside it
    (ModerationPolicy.confirm), so the write is as atomic as it was."""
    settings = DiscussionSettings.current()
    candidate = candidate_for(post=post, author=author, body=body, origin=origin)
    if parent is not None:
        parent = resolve_parent(post=post, parent_id=parent.pk, depth_limit=settings.thread_depth)
    policy = moderation.policy()
    verdict = policy.judge(candidate, settings)
    if verdict.action == moderation.Action.REFUSE:
        raise CommentRefused(verdict)
    comment = Comment(
        post=post,
        parent=parent,
        user=candidate.user,
        author_name=candidate.author_name,
        author_email=candidate.author_email,
        author_url=candidate.author_url,
        text=candidate.text,
        html=candidate.html,
        status=STATUS_FOR_ACTION[verdict.action],
        depth=parent.depth + 1 if parent else 1,
        is_by_post_author=_is_by_post_author(post, candidate.user),
        ip_address=candidate.ip_address,
        user_agent=candidate.user_agent,
        created_at=created_at or candidate.now,
    )
    _refresh(comment)
    # Called inside a caller's transaction (an import, the demo, the tests), the rules were
    # judged inside it already.
    outermost = not transaction.get_connection().in_atomic_block
    # Spam is shown to nobody but its writer (drawn for them when they look); it is drawn
    # and stored if a moderator takes it out of spam (set_comment_status).
    drawn = comment.status != CommentStatus.SPAM
    # On SQLite the transaction waits for the one writer's lock in the queue of every Stoa
    # writer (stoa.core.sqlite), not in SQLite's busy handler (issue 12).
    with transaction.atomic():
        if outermost:
            verdict = policy.confirm(candidate, settings, verdict)
            if verdict.action == moderation.Action.REFUSE:
                raise CommentRefused(verdict)
        comment.save()
        if drawn:
            # Drawn and stored in the same write transaction (it needs the comment's id):
            # drawing costs ~0.15 ms, a write transaction of its own after the commit cost
            # more, and was a second wait in the writers' queue for every comment (issue 12).
            _draw(comment)
        # Its history's first line, by its SQL written once (core.insert_row): nothing
        # listens to a CommentEvent saved, and the ORM's create() cost ~0.4 ms of the POST.
        core.insert_row(
            model=CommentEvent,
            values={
                "comment_id": comment.pk,
                "kind": CommentEventKind.POSTED,
                "from_status": "",
                "to_status": comment.status,
                "actor_id": candidate.user.pk if candidate.user is not None else None,
                "rule": verdict.rule,
                "note": verdict.message[:300],
                "created_at": timezone.now(),
            },
        )
        if comment.status == CommentStatus.APPROVED:
            _count_one_more(post)
        if subscribe and comment.author_email and comment.status != CommentStatus.SPAM:
            subscribe_to_post(post=post, email=comment.author_email, user=candidate.user)
        notifications.comment_written(comment)
        notifications.schedule_cleanup()
    return comment


def _previous_status(comment: Comment, leaving: str) -> str:
    """The status a comment had before it became `leaving` (for "not spam" and "restore")."""
    event = comment.events.filter(to_status=leaving).exclude(from_status="").order_by("-pk").first()
    return event.from_status if event else CommentStatus.PENDING


@transaction.atomic
def set_comment_status(
    *, comment: Comment, status: str, actor: User | None = None, rule: str = "", note: str = ""
) -> Comment:
    """Move a comment to a status, keep the change in its history, and tell who should know."""
    before = comment.status
    if before == status:
        return comment
    comment.status = status
    comment.save(update_fields=["status", "updated_at"])
    CommentEvent.objects.create(
        comment=comment,
        kind=CommentEventKind.STATUS,
        from_status=before,
        to_status=status,
        actor=actor,
        rule=rule,
        note=note[:300],
    )
    if CommentStatus.APPROVED in (before, status):
        _recount(comment.post)
    if status == CommentStatus.APPROVED:
        # Shown to everyone from now on: its markup is stored if it has none (spam is not
        # drawn when written), so no reader draws it.
        threads.stored_markup([comment])
        notifications.comment_approved(comment)
    return comment


def approve_comment(*, comment: Comment, actor: User | None = None, rule: str = "") -> Comment:
    """Publish a held (or any) comment."""
    return set_comment_status(
        comment=comment, status=CommentStatus.APPROVED, actor=actor, rule=rule
    )


def unapprove_comment(*, comment: Comment, actor: User | None = None) -> Comment:
    """Take a published comment back into the moderation queue."""
    return set_comment_status(comment=comment, status=CommentStatus.PENDING, actor=actor)


def spam_comment(*, comment: Comment, actor: User | None = None, rule: str = "") -> Comment:
    """Mark a comment as spam."""
    return set_comment_status(comment=comment, status=CommentStatus.SPAM, actor=actor, rule=rule)


def unspam_comment(*, comment: Comment, actor: User | None = None) -> Comment:
    """Not spam after all: back to the status it had before."""
    status = _previous_status(comment, CommentStatus.SPAM)
    return set_comment_status(comment=comment, status=status, actor=actor, note="not spam")


def trash_comment(*, comment: Comment, actor: User | None = None, note: str = "") -> Comment:
    """Move a comment to the trash (emptied after the retention period)."""
    return set_comment_status(comment=comment, status=CommentStatus.TRASH, actor=actor, note=note)


def restore_comment(*, comment: Comment, actor: User | None = None) -> Comment:
    """Take a comment out of the trash, back to the status it had before."""
    status = _previous_status(comment, CommentStatus.TRASH)
    return set_comment_status(comment=comment, status=status, actor=actor, note="restored")


# The service behind each moderation move (access.Move), wherever a moderator makes it.
MOVE_SERVICES: dict[str, Callable[..., Comment]] = {
    access.Move.APPROVE: approve_comment,
    access.Move.UNAPPROVE: unapprove_comment,
    access.Move.SPAM: spam_comment,
    access.Move.UNSPAM: unspam_comment,
    access.Move.TRASH: trash_comment,
    access.Move.RESTORE: restore_comment,
}


@transaction.atomic
def move_comment(*, comment: Comment, move: str, actor: User | None = None) -> bool:
    """Make one moderation move, if the comment's status allows it (access.allowed_moves);
    returns whether the comment moved. Whether the actor may moderate is the caller's to
    ask (access.can_move), as it is for the services behind each move."""
    if move not in access.allowed_moves(comment):
        return False
    MOVE_SERVICES[move](comment=comment, actor=actor)
    return True


@dataclass(frozen=True)
class ModeratorReply:
    """A moderator's published reply, and whether the comment it answers was approved for it."""

    reply: Comment
    approved_parent: bool


@transaction.atomic
def reply_as_moderator(
    *, parent: Comment, moderator: User, body: str, approve_parent: bool = True
) -> ModeratorReply:
    """Reply under a comment as a moderator, published at once under their name.

    A held parent is approved first (by this moderator, in its history), unless
    approve_parent is False, when the reply is refused as any reply to a held comment is: a
    reply to something readers cannot see would make no sense. The reply is written by
    post_comment, so the rules still refuse a duplicate; if they would only hold it, the
    moderator's reply is approved. All or nothing: a refused reply leaves the parent as it
    was. Raises PermissionDenied when this user may not reply there (access), CommentRefused
    or ValidationError as post_comment does."""
    decision = access.can_reply_as_moderator(moderator, parent)
    if not decision:
        raise PermissionDenied(decision.reason.label)
    before = parent.status
    approved_parent = approve_parent and before == CommentStatus.PENDING
    try:
        if approved_parent:
            approve_comment(comment=parent, actor=moderator)
        reply = post_comment(post=parent.post, author=moderator, body=body, parent=parent)
        if reply.status != CommentStatus.APPROVED:
            approve_comment(comment=reply, actor=moderator)
    except Exception:
        # The transaction rolls the database back; the caller's object goes back with it.
        parent.status = before
        raise
    return ModeratorReply(reply=reply, approved_parent=approved_parent)


def _edit_candidate(comment: Comment, text: str, html: str) -> moderation.Candidate:
    """An edited comment as the rules see it, not compared with its own earlier text."""
    return moderation.Candidate(
        post=comment.post,
        text=text,
        draw=lambda _text: html,
        author_name=comment.author_name,
        author_email=comment.author_email,
        author_url=comment.author_url,
        user=comment.user,
        exclude_pk=comment.pk,
    )


@transaction.atomic
def edit_comment(*, comment: Comment, body: str, editor: User | None = None) -> Comment:
    """Change a comment's text: by its author within the edit window, or by a moderator
    (who may; access.can_edit_comment is the caller's to ask).

    An author's edit of an approved comment goes through the configured policy's on_edit
    rules again (ModerationPolicy.rejudge), which may hold it, send it to spam, or refuse the
    edit (CommentRefused, the comment unchanged). A moderator's edit is not judged again."""
    text = _check_body(body)
    html = comment_markup(comment.post, text)
    verdict = None
    if comment.status == CommentStatus.APPROVED and not access.can_moderate(editor):
        candidate = _edit_candidate(comment, text, html)
        verdict = moderation.policy().rejudge(candidate, DiscussionSettings.current())
        if verdict.action == moderation.Action.REFUSE:
            raise CommentRefused(verdict)
    comment.text = text
    comment.html = html
    comment.edited_at = timezone.now()
    if verdict is not None and verdict.action != moderation.Action.APPROVE:
        status = STATUS_FOR_ACTION[verdict.action]
        set_comment_status(comment=comment, status=status, rule=verdict.rule)
    _refresh(comment)
    comment.save()
    CommentEvent.objects.create(comment=comment, kind=CommentEventKind.EDITED, actor=editor)
    return comment


@transaction.atomic
def refresh_member_comments(*, user: User) -> int:
    """A member's name, picture or verified credential changed: sign their comments anew
    and empty their stored markup, which the next reader draws with the new profile
    (threads.stored_markup). Returns how many."""
    theirs = Comment.objects.filter(user=user)
    count = theirs.update(author_name=display_name(user)[:100], rendered="")
    threads.stored_markup(theirs.select_related("user__profile"))
    # update() sends no signal: say it here (their comments show under their new name),
    # naming the ones readers see, which the followers (the search's bylines) follow.
    shown = theirs.filter(status=CommentStatus.APPROVED).values_list("pk", flat=True)
    freshness.mark_changed(model=Comment, pks=shown)
    return count


def store_markup(*, chunk: int = 500) -> int:
    """Draw and store the markup of every comment whose stored markup is missing or was
    drawn with another template or avatar setting (after a deploy or a settings change;
    queued by the first thread that finds one). Returns how many were drawn."""
    fingerprint = threads.markup_fingerprint()
    stale = Comment.objects.filter(Q(rendered="") | ~Q(rendered_with=fingerprint))
    count, after = 0, 0
    # In chunks, each its own transaction, by id: a long run never holds the write lock long,
    # and ends even if the fingerprint changes under it (the next read queues another).
    while batch := list(
        stale.filter(pk__gt=after).select_related("user__profile").order_by("pk")[:chunk]
    ):
        with transaction.atomic():
            threads.stored_markup(batch)
        count, after = count + len(batch), batch[-1].pk
    return count


def claimable_comments(*, user: User) -> CommentQuerySet:
    """The guest comments this member may make theirs: written with one of their verified
    addresses, approved or held. Spam and trash stay out: anyone can type an address, and a
    stranger's spam must not cost its owner their good standing (moderation.in_good_standing)."""
    # One statement, the addresses a subquery, matched on LOWER(author_email) as the index
    # comment_email_key holds it: the page asking this is the member's account page, and an
    # `__iexact` per address was a LIKE that read every comment on SQLite (issue 12).
    verified = (
        EmailAddress.objects.filter(user=user, verified=True)
        .annotate(email_key=Lower("email"))
        .values("email_key")
    )
    # "A guest's" as COALESCE(user_id, 0) = 0, which no index answers: written as
    # `user IS NULL`, SQLite (without statistics) read the comments through the user_id
    # index, that is every guest comment of the site, rather than the few of these addresses.
    return Comment.objects.alias(
        email_key=Lower("author_email"), member_id=Coalesce("user", Value(0))
    ).filter(
        email_key__in=Subquery(verified),
        member_id=0,
        status__in=[CommentStatus.APPROVED, CommentStatus.PENDING],
    )


def offered_comments(*, user: User) -> CommentQuerySet:
    """The claimable comments the member has not yet said are not theirs (their account
    page asks about these)."""
    # NOT EXISTS written out: Django builds the same from exclude() across a reverse
    # relation, but spends about 2 ms on every account page doing so.
    declined = DeclinedClaim.objects.filter(user=user, comment=OuterRef("pk"))
    return claimable_comments(user=user).filter(~Exists(declined))


@transaction.atomic
@freshness.changed()
def claim_guest_comments(
    *, user: User, comment_ids: Collection[int], declined_ids: Collection[int] = ()
) -> int:
    """The member says which guest comments written with their verified addresses are theirs
    (`comment_ids`): those become theirs, signed with their name, their history noting it.
    Those they say are not (`declined_ids`) stay a guest's and are not offered again.

    Nothing is claimed when an address is verified: whoever typed it in a comment form need
    not be its owner, and a stranger's words must not appear under a member's name unasked.
    Each id is checked again here, whatever the form sent: a comment that is not claimable by
    this member (another address, a member's, spam) refuses the whole claim
    (PermissionDenied); one they already claimed is left as it is. Returns how many were
    claimed."""
    wanted = set(comment_ids)
    claimable = claimable_comments(user=user)
    comments = list(
        claimable.select_for_update().filter(pk__in=wanted).select_related("post").order_by("pk")
    )
    already = set(Comment.objects.filter(pk__in=wanted, user=user).values_list("pk", flat=True))
    refused = wanted - {c.pk for c in comments} - already
    if refused:
        raise PermissionDenied(
            "Only guest comments written with an address you have verified can be made yours; "
            f"not comment {min(refused)}."
        )
    name = display_name(user)[:100]
    for comment in comments:
        signed = comment.author_name
        comment.user = user
        comment.author_name = name
        comment.is_by_post_author = _is_by_post_author(comment.post, user)
        _refresh(comment)
        comment.save(
            update_fields=[
                "user",
                "author_name",
                "is_by_post_author",
                "excerpt",
                "rendered",
                "rendered_with",
            ]
        )
        CommentEvent.objects.create(
            comment=comment,
            kind=CommentEventKind.EDITED,
            actor=user,
            rule="claimed",
            note=f"Claimed by the member who verified its email address; it was signed “{signed}”."[
                :300
            ],
        )
    DeclinedClaim.objects.filter(user=user, comment__in=comments).delete()
    # Declining what is not claimable (spammed or claimed meanwhile) changes nothing: no
    # need to refuse the member's answer about the rest.
    declined = claimable.filter(pk__in=set(declined_ids) - wanted).values_list("pk", flat=True)
    DeclinedClaim.objects.bulk_create(
        [DeclinedClaim(comment_id=pk, user=user) for pk in declined], ignore_conflicts=True
    )
    # Offered on their account page no more: bulk_create sends no signal.
    members_cache.mark_member_changed(member_id=user.pk)
    return len(comments)


@transaction.atomic
def address_verified(*, user: User, email: str) -> int:
    """A member verified this email address: the reply subscriptions it holds become theirs
    (listed on their account page, with their unsubscribe buttons; the emails already reach
    them). Its guest comments are only offered to them (offered_comments), never claimed
    here. Returns how many subscriptions."""
    email = email.strip()
    if not email:
        return 0
    count = Subscription.objects.filter(user__isnull=True, email__iexact=email).update(user=user)
    # Listed on their account page: update() sends no signal.
    members_cache.mark_member_changed(member_id=user.pk)
    return count


@transaction.atomic
@freshness.changed()
def forget_member(*, user: User, keep_comments: bool) -> int:
    """The member is deleting their account: remove their comments, or keep them signed
    "Former member" with nothing that leads back to them; and drop their subscriptions.
    Returns how many comments were removed or anonymised."""
    theirs = Comment.objects.filter(user=user)
    if keep_comments:
        comments = list(theirs.select_for_update().select_related("post"))
        for comment in comments:
            comment.user = None
            comment.author_name = FORMER_MEMBER
            comment.author_email = ""
            comment.author_url = ""
            comment.ip_address = None
            comment.user_agent = ""
            comment.is_by_post_author = False
            _refresh(comment)
            comment.save()
            CommentEvent.objects.create(
                comment=comment,
                kind=CommentEventKind.EDITED,
                rule="account-deleted",
                note="Anonymised: its author deleted their account and chose to keep it.",
            )
        count = len(comments)
    else:
        count = _delete_comments(theirs)
    addresses = {user.email.lower()} | _addresses_of(user)
    Subscription.objects.filter(Q(user=user) | Q(email__in=addresses - {""})).delete()
    return count


def _addresses_of(user: User, *, verified_only: bool = False) -> set[str]:
    """The member's addresses (allauth's), lower-cased; only the verified ones if asked."""
    addresses = EmailAddress.objects.filter(user=user)
    if verified_only:
        addresses = addresses.filter(verified=True)
    return {email.lower() for email in addresses.values_list("email", flat=True)}


def _delete_comments(doomed: QuerySet[Comment]) -> int:
    """Delete comments; their replies move up to the nearest ancestor that stays, rather
    than disappear with them. Returns how many were deleted."""
    posts = set(doomed.values_list("post_id", flat=True))
    doomed_parents = dict(doomed.values_list("pk", "parent_id"))
    orphans = Comment.objects.filter(parent_id__in=doomed_parents).exclude(pk__in=doomed_parents)
    for reply in orphans:
        ancestor = reply.parent_id
        while ancestor in doomed_parents:
            ancestor = doomed_parents[ancestor]
        parent = Comment.objects.filter(pk=ancestor or 0).values_list("depth", flat=True).first()
        depth = parent or 0
        Comment.objects.filter(pk=reply.pk).update(parent_id=ancestor, depth=depth + 1)
        if reply.status == CommentStatus.APPROVED:
            freshness.mark_changed()  # moved up its thread: update() sends no signal
    _, per_model = Comment.objects.filter(pk__in=list(doomed_parents)).delete()
    for post in Post.objects.filter(pk__in=posts):
        _recount(post)
    return per_model.get(Comment._meta.label, 0)


@transaction.atomic
def delete_own_comment(*, comment: Comment, actor: User | None = None) -> Comment:
    """A commenter withdraws their comment: it goes to the trash, where moderators see it."""
    return trash_comment(comment=comment, actor=actor, note="withdrawn by its author")


@transaction.atomic
def flag_comment(*, comment: Comment, reporter: str, reporter_is_member: bool = False) -> bool:
    """Record a reader's report; enough reports from members hide an approved comment until
    a moderator decides. Returns False when this reader had already reported it.

    A visitor without an account is an address, and addresses are cheap: their reports are
    counted and shown in the moderators' queue ("Reported"), but hide nothing by themselves.
    DiscussionSettings.flag_threshold counts members' reports; guest_reports_per_member, when
    not 0, lets that many visitors' reports count as one member's. (WordPress has no
    readers' reports: this follows the moderation plugins that add them, which leave the
    decision to a moderator.) The caller says whether the reporter is a member; when it does
    not, the report counts as a visitor's."""
    _, created = CommentFlag.objects.get_or_create(
        comment=comment, reporter=reporter[:64], defaults={"by_member": reporter_is_member}
    )
    if not created:
        return False
    counts = comment.flags.aggregate(
        total=Count("pk"), members=Count("pk", filter=Q(by_member=True))
    )
    count, members = counts["total"], counts["members"]
    Comment.objects.filter(pk=comment.pk).update(flag_count=count)
    comment.flag_count = count
    CommentEvent.objects.create(
        comment=comment,
        kind=CommentEventKind.FLAGGED,
        note="Reported by a member" if reporter_is_member else "Reported by a visitor",
    )
    settings = DiscussionSettings.current()
    per_member = settings.guest_reports_per_member
    weight = members + ((count - members) // per_member if per_member else 0)
    threshold = settings.flag_threshold
    if threshold and weight >= threshold and comment.status == CommentStatus.APPROVED:
        note = f"Hidden after reports from {members} members"
        if count > members:
            note += f" and {count - members} visitors"
        set_comment_status(comment=comment, status=CommentStatus.PENDING, rule="reports", note=note)
        notifications.comment_written(comment)
    return True


@transaction.atomic
def subscribe_to_post(*, post: Post, email: str, user: User | None = None) -> Subscription:
    """Ask to hear about replies under a post; the first email asks to confirm (double opt-in),
    unless a member asks for their own verified address, which needs no proof again."""
    subscription, _ = Subscription.objects.get_or_create(
        post=post, email=email.lower(), defaults={"user": user}
    )
    if subscription.confirmed_at is None:
        if user is not None and email.lower() in _addresses_of(user, verified_only=True):
            subscription.user = user
            subscription.confirmed_at = timezone.now()
            subscription.save(update_fields=["user", "confirmed_at"])
        else:
            notifications.confirm_subscription(subscription)
    return subscription


@transaction.atomic
def confirm_subscription(*, subscription: Subscription) -> Subscription:
    """The address's owner clicked the confirmation link."""
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return subscription


@transaction.atomic
def unsubscribe(*, subscription: Subscription) -> None:
    """Stop emails about this post to this address."""
    subscription.delete()


@transaction.atomic
@freshness.changed()
def purge_old_comments(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Empty spam and trash older than the retention period and erase old IPs and user
    agents. Returns (comments deleted, comments anonymised)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=DiscussionSettings.current().retention_days)
    doomed = Comment.objects.filter(
        status__in=[CommentStatus.SPAM, CommentStatus.TRASH], updated_at__lt=cutoff
    )
    deleted = _delete_comments(doomed)
    erased = (
        Comment.objects.filter(created_at__lt=cutoff)
        .filter(Q(ip_address__isnull=False) | ~Q(user_agent=""))
        .update(ip_address=None, user_agent="")
    )
    return deleted, erased


# ------------------------------------------------------------------------------ imports

# Rows written per INSERT by import_comments (Django lowers it to what the database takes).
IMPORT_BATCH = 1000


@dataclass(frozen=True)
class ImportedComment:
    """A comment brought from another system (a WordPress or Disqus export), as it was
    judged there. `key` and `parent_key` are that system's ids; `pk` is the Stoa comment an
    earlier import made of it (then it is updated, not written again)."""

    key: int | str
    author_name: str
    text: str
    created_at: dt.datetime
    status: str = CommentStatus.APPROVED
    kind: str = CommentKind.COMMENT
    parent_key: int | str | None = None
    author_email: str = ""
    author_url: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    user: User | None = None
    pk: int | None = None
    # The text as clean_comment draws it, when the caller drew it already (the WordPress
    # import's reader does, in a process of its own); what other apps add under the post
    # (STOA["COMMENT_MARKUP"]) is added here all the same.
    html: str | None = None
    # comment_excerpt(html), drawn with it: taken when nothing was added to the markup.
    excerpt: str | None = None
    # The id a new comment is given when no comment has it (the WordPress import asks for
    # the old site's, so that its #comment-<id> anchors name the same comment here).
    wanted_pk: int | None = None
    # When its writer edited it there (Stoa's own export says so): readers see "(edited)".
    edited_at: dt.datetime | None = None


@dataclass
class ImportedThread:
    """What import_comments did: the Stoa comment of each row, by the row's key (None for
    one it could not write), and the keys of rows whose parent was not found (made
    top-level) or that were changed."""

    comments: dict[int | str, int]
    orphans: list[int | str]
    created: int = 0
    updated: int = 0


# An IPv4 address already as ipaddress writes it (no leading zeros): most of an import's.
_PLAIN_IPV4 = re.compile(
    r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
)


def _ip_or_none(value: str | None) -> str | None:
    """The address as ipaddress writes it, or None for what is not one."""
    value = (value or "").strip()
    if _PLAIN_IPV4.fullmatch(value):
        return value
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _imported_fields(
    post: Post,
    row: ImportedComment,
    author_users: set[int],
    hooks: Sequence[Callable[[Post, str], str]],
) -> dict[str, Any]:
    # comment_markup, with STOA["COMMENT_MARKUP"] looked up once for the whole import; its
    # first step (clean_comment) perhaps done by the caller already.
    html = clean_comment(row.text) if row.html is None else row.html
    for hook in hooks:
        html = hook(post, html)
    # The caller's excerpt was drawn from its markup: good while no hook changed it.
    excerpt = row.excerpt if row.excerpt is not None and html == row.html else None
    return {
        "user_id": row.user.pk if row.user is not None else None,
        "author_name": row.author_name.strip()[:100] or "Anonymous",
        "author_email": row.author_email.strip()[:254],
        "author_url": row.author_url.strip()[:300],
        "text": row.text,
        "html": html,
        "excerpt": comment_excerpt(html) if excerpt is None else excerpt,
        "status": row.status,
        "kind": row.kind,
        "is_by_post_author": row.user is not None and row.user.pk in author_users,
        "ip_address": _ip_or_none(row.ip_address),
        "user_agent": row.user_agent[:300],
        "created_at": row.created_at,
        "edited_at": row.edited_at,
        # Drawn by the thread that first shows it, and stored in the background
        # (threads.thread_rows, store_markup): an import does not draw 400,000 comments.
        "rendered": "",
        "rendered_with": "",
    }


@transaction.atomic
def number_comments_past(*, pk: int) -> None:
    """Number comments written from now on past `pk` (core.number_past): an importer that
    will ask for its old site's ids (ImportedComment.wanted_pk) says the largest first, so
    that a comment that cannot have its own is never given an id a later one asks for."""
    core.number_past(model=Comment, pk=pk)


def import_comments(
    *,
    post: Post,
    rows: Collection[ImportedComment],
    known: dict[int | str, int] | None = None,
) -> ImportedThread:
    """Write (or update) the comments of one post brought from another system, as they were
    judged there (import_threads for one post)."""
    return import_threads(threads=[(post, rows, known or {})])[0]


def _depths(
    by_key: dict[int | str, ImportedComment],
    known: dict[int | str, int],
    known_depths: dict[int, int],
    orphans: list[int | str],
) -> dict[int | str, int]:
    """Each row's depth in its thread: up the chain of parents to one whose depth is known
    (iteratively: an export may hold threads thousands deep), then down again. A parent in
    no row and not known is missing (the row is an orphan, at the top); a loop of parents (a
    corrupt export) is cut."""
    depth_of: dict[int | str, int] = {}
    for start in by_key:
        chain: list[int | str] = []
        key: int | str | None = start
        base = 0
        while key is not None and key not in depth_of:
            if key in chain:  # a loop: cut it here
                break
            chain.append(key)
            parent = by_key[key].parent_key
            if not parent or parent == key:
                key = None
            elif parent in by_key:
                key = parent
            else:
                if parent in known:
                    base = known_depths.get(known[parent], 0)
                else:
                    orphans.append(key)
                key = None
        if key is not None and key in depth_of:
            base = depth_of[key]
        for offset, member in enumerate(reversed(chain), start=1):
            depth_of[member] = base + offset
    return depth_of


def import_threads(
    *,
    threads: Sequence[tuple[Post, Collection[ImportedComment], dict[int | str, int]]],
) -> list[ImportedThread]:
    """Write (or update) the comments of several posts brought from another system (a
    WordPress or Disqus export), as they were judged there: no moderation rules, no emails,
    no notifications, no history events. Each thread is (post, rows, known): rows keep their
    threading by `parent_key`, a parent being another row of that post or a key in `known`
    (comments written by an earlier call, with their Stoa ids). A row whose parent is found
    nowhere becomes top-level and is listed in its result's `orphans`.

    Written level by level across all the posts (a reply needs its parent's id), each level
    in one batch of INSERTs (bulk_create, no signals); each post's count is recounted once,
    and one new content version is started (or noted for the caller's freshness.changed()
    block). Returns one result per thread, in order. The caller holds the transaction."""
    results = [ImportedThread(comments={}, orphans=[]) for _ in threads]
    posts = [post for post, _, _ in threads]
    author_users: dict[int, set[int]] = {}
    for post_id, user_id in Person.objects.filter(
        posts__in=[p.pk for p in posts], user__isnull=False
    ).values_list("posts", "user_id"):
        author_users.setdefault(post_id, set()).add(user_id)
    every_known = {pk for _, _, known in threads for pk in known.values()}
    known_depths = dict(Comment.objects.filter(pk__in=every_known).values_list("pk", "depth"))

    # (thread index, row, depth) of every row, by level.
    levels: dict[int, list[tuple[int, ImportedComment]]] = {}
    for index, (_, rows, known) in enumerate(threads):
        by_key = {row.key: row for row in rows}
        depths = _depths(by_key, known, known_depths, results[index].orphans)
        for key, level in depths.items():
            levels.setdefault(level, []).append((index, by_key[key]))
    ids = [dict(known) for _, _, known in threads]
    hooks = [import_string(path) for path in stoa_setting("COMMENT_MARKUP")]
    # A new row is given the id it asks for when no comment has it, nor an earlier row (by
    # level, then order); the others are numbered by the table, past all those ids
    # (free_ids moves its numbering first: a level's numbered rows are written before the
    # next level's asked ones).
    free = core.free_ids(
        model=Comment,
        wanted=[
            row.wanted_pk
            for _, rows, _ in threads
            for row in rows
            if row.pk is None and row.wanted_pk
        ],
    )
    given: dict[tuple[int, int | str], int] = {}
    for level in sorted(levels):
        for index, row in levels[level]:
            if row.pk is None and row.wanted_pk in free:
                free.discard(row.wanted_pk)
                given[index, row.key] = row.wanted_pk
    for level in sorted(levels):
        new: list[tuple[int, ImportedComment, dict[str, Any]]] = []
        changed: list[tuple[int, ImportedComment, Comment]] = []
        for index, row in levels[level]:
            post = posts[index]
            fields = _imported_fields(post, row, author_users.get(post.pk, set()), hooks)
            fields["post_id"] = post.pk
            fields["parent_id"] = (
                ids[index].get(row.parent_key) if level > 1 and row.parent_key else None
            )
            fields["depth"] = level
            if row.pk is not None:
                changed.append((index, row, Comment(pk=row.pk, **fields)))
            else:
                new.append((index, row, fields))
        asked = [i for i, (index, row, _) in enumerate(new) if (index, row.key) in given]
        numbered = [i for i, (index, row, _) in enumerate(new) if (index, row.key) not in given]
        wanted = [given[new[i][0], new[i][1].key] for i in asked]
        kept = set(_insert_comments([new[i][2] for i in asked], pks=wanted))
        pks = {i: pk for i, pk in zip(asked, wanted, strict=True) if pk in kept}
        # A row whose id another transaction took after free_ids looked (PostgreSQL: an
        # import beside this one) is numbered with the others.
        numbered += [i for i in asked if i not in pks]
        pks.update(zip(numbered, _insert_comments([new[i][2] for i in numbered]), strict=True))
        written = [pks[position] for position in range(len(new))]
        if changed:
            Comment.objects.bulk_update(
                [c for _, _, c in changed],
                [*_IMPORT_UPDATE_FIELDS, "parent", "depth"],
                batch_size=IMPORT_BATCH,
            )
        for (index, row, _), pk in zip(new, written, strict=True):
            ids[index][row.key] = pk
            results[index].comments[row.key] = pk
            results[index].created += 1
        for index, row, comment in changed:
            ids[index][row.key] = comment.pk
            results[index].comments[row.key] = comment.pk
            results[index].updated += 1
    touched = [post for post, result in zip(posts, results, strict=True) if result.comments]
    if touched:
        _recount_many(touched)
        freshness.mark_changed()
    return results


def _insert_comments(rows: list[dict[str, Any]], pks: list[int] | None = None) -> list[int]:
    """INSERT new comments (Comment's columns, by attribute name) and return their ids, in
    order, through core.insert_rows. bulk_create would do the same, but builds a model
    instance and prepares every field of every row through the ORM, about a tenth of a
    millisecond a comment, most of an import's time; here the values go as they are, but
    for the fields whose database form differs (times, addresses), which are prepared as
    the ORM prepares them. A database that cannot return ids from a multi-row INSERT gets
    bulk_create. With `pks`, the rows are written with these ids (core.free_ids found them
    free)."""
    if not rows:
        return []
    if not connection.features.can_return_rows_from_bulk_insert:
        ids: list[int | None] = list(pks) if pks is not None else [None] * len(rows)
        comments = [Comment(pk=pk, **row) for row, pk in zip(rows, ids, strict=True)]
        Comment.objects.bulk_create(comments, batch_size=IMPORT_BATCH)
        return [c.pk for c in comments]
    fields = [f for f in Comment._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    # What a row does not say: the field's default, as Model() would give it (auto_now: now).
    defaults = {
        f.attname: now if getattr(f, "auto_now", False) else f.get_default() for f in fields
    }
    # Values whose database form differs, prepared by the backend's own adapters: an aware
    # time (the field's get_db_prep_save would check it is aware, then call the same), an
    # IPv4 address in its plain form (the field cleans IPv6 only). Anything else goes
    # through the field.
    adapt_time = connection.ops.adapt_datetimefield_value
    adapt_ip = connection.ops.adapt_ipaddressfield_value

    def time_value(field: Any) -> Callable[[Any], Any]:
        def prepare(value: Any) -> Any:
            if isinstance(value, dt.datetime) and value.tzinfo:
                return adapt_time(value)
            return field.get_db_prep_save(value, connection)

        return prepare

    def ip_value(field: Any) -> Callable[[Any], Any]:
        def prepare(value: Any) -> Any:
            if _PLAIN_IPV4.fullmatch(value):
                return adapt_ip(value)
            return field.get_db_prep_save(value, connection)

        return prepare

    preparers: dict[str, Callable[[Any], Callable[[Any], Any]]] = {
        "DateTimeField": time_value,
        "GenericIPAddressField": ip_value,
    }
    # (name, default, how its value is prepared or None) of each column, in order; the
    # default prepared here, once (updated_at's is the same time for every row).
    plan = []
    for f in fields:
        kind = f.get_internal_type()
        prepare = preparers[kind](f) if kind in preparers else None
        default = defaults[f.attname]
        if prepare is not None and default is not None:
            default = prepare(default)
        plan.append((f.attname, default, prepare))
    # Each row's values in the columns' order, taken by C code (the row over the defaults,
    # then itemgetter), and only the few that need it (times, an address) prepared here:
    # a Python step per column of every row cost more than SQLite's INSERT of it.
    defaults_by_name = {name: default for name, default, _ in plan}
    in_order = operator.itemgetter(*(name for name, _, _ in plan))
    prepared = [(i, name, prepare) for i, (name, _, prepare) in enumerate(plan) if prepare]
    values = []
    for row in rows:
        value = list(in_order({**defaults_by_name, **row}))
        for i, name, prepare in prepared:
            if (given := row.get(name)) is not None:
                value[i] = prepare(given)
        values.append(value)
    return core.insert_rows(model=Comment, rows=values, pks=pks)


def _recount_many(posts: Sequence[Post]) -> None:
    """_recount for many posts: two queries, and one UPDATE per post whose count changed."""
    pks = [post.pk for post in posts]
    list(Post.objects.select_for_update().filter(pk__in=pks).values_list("pk", flat=True))
    counts = dict(
        Comment.objects.filter(post__in=pks, status=CommentStatus.APPROVED)
        .values("post")
        .annotate(n=Count("pk"))
        .values_list("post", "n")
    )
    stored = dict(Post.objects.filter(pk__in=pks).values_list("pk", "comment_count"))
    changed = []
    for post in posts:
        count = counts.get(post.pk, 0)
        if stored.get(post.pk) != count:
            changed.append((count, post.pk))
        post.comment_count = count
    if changed:
        # One statement for all (an import recounts thousands of posts): what
        # Post.objects.filter(pk=...).update(comment_count=...) writes for each.
        quote = connection.ops.quote_name
        column = quote(Post._meta.get_field("comment_count").column)
        table, pk = quote(Post._meta.db_table), quote(Post._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608 - names from the model
                changed,
            )


_IMPORT_UPDATE_FIELDS = (
    "user",
    "author_name",
    "author_email",
    "author_url",
    "text",
    "html",
    "excerpt",
    "status",
    "kind",
    "is_by_post_author",
    "ip_address",
    "user_agent",
    "created_at",
    "edited_at",
    "rendered",
    "rendered_with",
)
