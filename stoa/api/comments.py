"""Writing to the discussion through the API: a comment (guest or member), its writer's
edit and withdrawal, a reader's report, and the moderators' queue and moves.

Every change is made by stoa.discussion.services, the same functions the site's forms and
the back office call, after the same questions to stoa.discussion.access; a refusal by the
moderation rules answers with the status the site's form gives it (discussion.views
REFUSAL_STATUS, SHORT_REFUSALS) and the commenter's text handed back in the problem's `text`
member, so nothing they wrote is lost."""

from __future__ import annotations

from typing import Any, Literal, NoReturn

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field as NinjaField
from ninja import Query, Schema, Status

from stoa.api import cors, schemas
from stoa.api.access import Caller, may_moderate
from stoa.api.auth import caller_of
from stoa.api.models import Scope
from stoa.api.pagination import CURSOR, DEFAULT_LIMIT, MAX_LIMIT, paginate
from stoa.api.problems import Problem, not_found, validation
from stoa.api.reads import PROBLEMS
from stoa.api.reads import router as reads_router
from stoa.core.clients import client_ip
from stoa.discussion import access, services, threads, tokens, views
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.members.models import User
from stoa.publishing.models import Post, can_read_full_post

# One router for every path: django-ninja answers a path from the first router that has it,
# so a thread's GET (reads) and POST (here) must be on the same one.
router = reads_router
DISCUSSION = ["discussion"]
WRITE_PROBLEMS: dict[int, Any] = {**PROBLEMS, 409: schemas.ProblemDetails}

# The API's names for the moderators' moves (discussion.access.Move); "hold" is the queue's
# word for taking a comment back from readers (WordPress's "unapprove").
MOVES = {
    "approve": access.Move.APPROVE,
    "hold": access.Move.UNAPPROVE,
    "spam": access.Move.SPAM,
    "unspam": access.Move.UNSPAM,
    "trash": access.Move.TRASH,
    "restore": access.Move.RESTORE,
}
MoveName = Literal["approve", "hold", "spam", "unspam", "trash", "restore"]


def _from_elsewhere(request: HttpRequest) -> bool:
    """A guest's write sent by a browser from another site's page that is not one of the
    API's allowed origins (discussion.views.cross_site, the site's own rule for guests)."""
    origin = request.headers.get("Origin", "").strip()
    if origin and origin in cors.allowed_origins():
        return False
    return views.cross_site(request)


def _guard_guest(request: HttpRequest, caller: Caller, text: str) -> None:
    if not caller.user.is_authenticated and _from_elsewhere(request):
        raise Problem(
            403,
            "This was sent from another site's page, which may not write here. Nothing was done.",
            kind="cross-site",
            title="Sent from another site",
            text=text,
        )


def _refused(refused: services.CommentRefused, text: str) -> NoReturn:
    verdict = refused.verdict
    short = views.SHORT_REFUSALS.get(verdict.rule)
    status = short[0] if short else views.REFUSAL_STATUS.get(verdict.rule, 400)
    headers = {}
    if status == 429:
        headers["Retry-After"] = str(max(1, DiscussionSettings.current().rate_limit_seconds))
    raise Problem(
        status,
        verdict.message,
        kind=f"comment-refused/{verdict.rule}",
        title=short[1] if short else "Your comment was not sent",
        headers=headers,
        rule=verdict.rule,
        text=text,
    )


def _invalid(error: ValidationError, text: str) -> NoReturn:
    errors = error.message_dict if hasattr(error, "error_dict") else {"body": error.messages}
    raise validation(errors, text=text)


def _status(comment: Comment) -> str:
    # Spam is shown to its writer as held, as on the site: nobody learns it was judged spam.
    return "approved" if comment.status == CommentStatus.APPROVED else "held"


def written(comment: Comment, owner_token: str | None = None) -> dict[str, Any]:
    html = comment.rendered or threads.render_comment(comment)
    return {
        "id": comment.pk,
        "post": comment.post_id,
        "parent": comment.parent_id,
        "status": _status(comment),
        "html": html,
        "url": comment.get_absolute_url(),
        "owner_token": owner_token,
    }


def _readable_comment(caller: Caller, comment_id: schemas.Id, owned: int | None) -> Comment:
    comment = Comment.objects.select_related("post", "user__profile").filter(pk=comment_id).first()
    if comment is None or not comment.post.is_live:
        raise not_found("comment")
    if not access.can_read_comment(caller.user, comment, owner_token_pk=owned):
        raise not_found("comment")
    return comment


@router.post(
    "/posts/{post_id}/comments",
    response={201: schemas.Written, **WRITE_PROBLEMS},
    summary="Write a comment",
    tags=DISCUSSION,
)
def create_comment(
    request: HttpRequest, post_id: schemas.Id, data: schemas.NewComment
) -> Status[dict[str, Any]]:
    """A member's comment (their token with the `comment` scope, or their session), or a
    guest's (name and email, the email never shown). Judged by the site's moderation rules:
    it may be published at once or held; a refusal keeps the text in the problem's `text`."""
    caller = caller_of(request, Scope.COMMENT)
    text = data.body
    post = Post.objects.published().filter(pk=post_id).first()
    if post is None:
        raise Problem(
            404,
            "This article is not open for comments (it is not published). Nothing was sent.",
            kind="not-found",
            title="Not found",
            text=text,
        )
    _guard_guest(request, caller, text)
    if not can_read_full_post(caller.user, post):
        raise Problem(
            403,
            "This discussion is for members: use a member's token or log in.",
            kind="members-only",
            title=access.Reason.MEMBERS_ONLY.label,
            text=text,
        )
    author: User | services.Guest
    if caller.user.is_authenticated:
        author = caller.user
    else:
        author = services.Guest(name=data.name, email=data.email, url=data.url)
    parent = None
    if data.parent is not None:
        parent = Comment.objects.filter(pk=data.parent).first()
        if parent is None:
            raise validation(
                {"parent": ["The comment you are replying to no longer exists."]}, text=text
            )
    origin = services.Origin(
        ip_address=client_ip(request), user_agent=request.headers.get("User-Agent", "")
    )
    try:
        comment = services.post_comment(
            post=post,
            author=author,
            body=text,
            parent=parent,
            origin=origin,
            subscribe=data.subscribe,
        )
    except ValidationError as error:
        _invalid(error, text)
    except services.CommentRefused as refused:
        _refused(refused, text)
    token = None if caller.user.is_authenticated else tokens.owner_token(comment.pk)
    return Status(201, written(comment, token))


@router.get(
    "/comments/{comment_id}",
    response={200: schemas.Written, **PROBLEMS},
    summary="A comment",
    tags=DISCUSSION,
)
def get_comment(
    request: HttpRequest, comment_id: schemas.Id, query: Query[schemas.OwnerToken]
) -> dict[str, Any]:
    """One comment the caller may read: an approved one, or their own held one."""
    caller = caller_of(request)
    owned = tokens.owned_comment_id(query.owner_token) if query.owner_token else None
    return written(_readable_comment(caller, comment_id, owned))


def _editable(request: HttpRequest, comment_id: schemas.Id, token: str, text: str = "") -> Comment:
    caller = caller_of(request, Scope.COMMENT)
    owned = tokens.owned_comment_id(token) if token else None
    comment = _readable_comment(caller, comment_id, owned)
    _guard_guest(request, caller, text)
    decision = access.can_edit_comment(caller.user, comment, owner_token_pk=owned)
    if not decision:
        raise Problem(
            403, decision.reason.label, kind="not-editable", reason=decision.reason.value, text=text
        )
    return comment


@router.patch(
    "/comments/{comment_id}",
    response={200: schemas.Written, **WRITE_PROBLEMS},
    summary="Change one's own comment",
    tags=DISCUSSION,
)
def edit_comment(
    request: HttpRequest, comment_id: schemas.Id, data: schemas.CommentEdit
) -> dict[str, Any]:
    """Its writer, within the edit window (a guest with the comment's `owner_token`); an
    approved comment's new text meets the moderation rules again."""
    comment = _editable(request, comment_id, data.owner_token, data.body)
    editor = request.user if request.user.is_authenticated else None
    try:
        services.edit_comment(comment=comment, body=data.body, editor=editor)
    except ValidationError as error:
        _invalid(error, data.body)
    except services.CommentRefused as refused:
        _refused(refused, data.body)
    return written(comment, data.owner_token or None)


@router.delete(
    "/comments/{comment_id}",
    response={204: None, **WRITE_PROBLEMS},
    summary="Withdraw one's own comment",
    tags=DISCUSSION,
)
def withdraw_comment(
    request: HttpRequest, comment_id: schemas.Id, query: Query[schemas.OwnerToken]
) -> Status[None]:
    """Its writer only (never a moderator's act), within the edit window."""
    comment = _editable(request, comment_id, query.owner_token)
    owned = tokens.owned_comment_id(query.owner_token) if query.owner_token else None
    if not access.is_writer(request.user, comment, owner_token_pk=owned):
        raise Problem(403, access.Reason.NOT_WRITER.label, kind="not-editable", reason="not_writer")
    actor = request.user if request.user.is_authenticated else None
    services.delete_own_comment(comment=comment, actor=actor)
    return Status(204, None)


@router.post(
    "/comments/{comment_id}/report",
    response={200: schemas.Reported, **WRITE_PROBLEMS},
    summary="Report a comment to the moderators",
    tags=DISCUSSION,
)
def report_comment(request: HttpRequest, comment_id: schemas.Id) -> dict[str, Any]:
    """An approved comment the caller can read; a moderator decides (enough members'
    reports hide it until then)."""
    caller = caller_of(request, Scope.COMMENT)
    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    if comment is None or not comment.post.is_live or not access.can_report(caller.user, comment):
        raise not_found("comment to report")
    _guard_guest(request, caller, "")
    reported = services.flag_comment(
        comment=comment,
        reporter=views.reporter_key(request),
        reporter_is_member=caller.user.is_authenticated,
    )
    return {"reported": reported}


# --------------------------------------------------------------------------- moderators


def _moderator(request: HttpRequest) -> Caller:
    caller = caller_of(request, Scope.MODERATE)
    if not caller.user.is_authenticated:
        raise Problem(
            401,
            "Moderating needs a moderator's token (Authorization: Bearer …) or session.",
            kind="unauthenticated",
            title="Credentials are needed",
            headers={"WWW-Authenticate": 'Bearer realm="stoa"'},
        )
    if not may_moderate(caller):
        decision = access.can_moderate(caller.user)
        raise Problem(
            403,
            f"Only moderators may do this ({decision.reason.label.lower()}).",
            kind="not-a-moderator",
            title="Moderators only",
        )
    return caller


class QueueQuery(Schema):
    status: str = NinjaField("held", pattern="^(held|spam|trash|reported)$")
    cursor: str | None = NinjaField(None, max_length=500, pattern=CURSOR)
    limit: int = NinjaField(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


QUEUES: dict[str, dict[str, Any]] = {
    "held": {"status": CommentStatus.PENDING},
    "spam": {"status": CommentStatus.SPAM},
    "trash": {"status": CommentStatus.TRASH},
    "reported": {
        "flag_count__gt": 0,
        "status__in": (CommentStatus.APPROVED, CommentStatus.PENDING),
    },
}


def queued(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "post": comment.post_id,
        "post_title": comment.post.title,
        "parent": comment.parent_id,
        "status": comment.status,
        "author_name": comment.author_name,
        "excerpt": comment.excerpt,
        "html": comment.html,
        "flag_count": comment.flag_count,
        "created_at": comment.created_at,
        "moves": [name for name, move in MOVES.items() if move in access.allowed_moves(comment)],
    }


@router.get(
    "/moderation/queue",
    response={200: schemas.Queue, **PROBLEMS},
    summary="The moderation queue",
    tags=["moderation"],
)
def moderation_queue(request: HttpRequest, query: Query[QueueQuery]) -> dict[str, Any]:
    """Comments waiting for a moderator, newest first (no email, no address: those stay in
    the back office)."""
    _moderator(request)
    found = Comment.objects.filter(**QUEUES[query.status]).select_related("post")
    page = paginate(
        request, found, order=("-created_at", "-pk"), cursor=query.cursor, limit=query.limit
    )
    return {
        "items": [queued(c) for c in page.items],
        "next": page.next,
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/moderation/comments/{comment_id}/{move}",
    response={200: schemas.Moved, **WRITE_PROBLEMS},
    summary="Approve, hold, spam, trash (or undo) a comment",
    tags=["moderation"],
)
def moderate(request: HttpRequest, comment_id: schemas.Id, move: MoveName) -> dict[str, Any]:
    """The back office's moves (discussion.services.move_comment), by the same rules."""
    caller = _moderator(request)
    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    if comment is None:
        raise not_found("comment")
    decision = access.can_move(caller.user, comment, MOVES[move])
    if not decision:
        raise Problem(
            409,
            f"{decision.reason.label}: a {comment.get_status_display().lower()} comment "
            f"allows {', '.join(queued(comment)['moves'])}.",
            kind="move-not-allowed",
            title="Not a move from this status",
            status_now=comment.status,
        )
    moved = services.move_comment(comment=comment, move=MOVES[move], actor=caller.user)  # type: ignore[arg-type]
    comment.refresh_from_db(fields=["status"])
    return {"id": comment.pk, "status": comment.status, "moved": moved}
