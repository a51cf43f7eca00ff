"""What the API lets a caller read: the magazine (publishing), the webcast series
(webcasts) and each post's discussion (discussion). Every rule of who sees what is asked of
the owning app (QuerySet methods, access.py); this module only draws the JSON."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field as NinjaField
from ninja import Query, Router, Schema

from stoa.api import schemas
from stoa.api.access import Caller
from stoa.api.auth import caller_of
from stoa.api.pagination import CURSOR, DEFAULT_LIMIT, MAX_LIMIT, paginate
from stoa.api.problems import Problem, not_found
from stoa.discussion import access as discussion_access
from stoa.discussion import threads, tokens
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.publishing.models import (
    Category,
    Page,
    Person,
    Post,
    Tag,
    can_read_full_post,
)
from stoa.publishing.serializers import post_detail, post_summary, refs
from stoa.webcasts.access import access_series, can_view_series
from stoa.webcasts.models import Series, Session

router = Router(tags=["read"])  # the discussion's writes join it (stoa.api.comments)
PROBLEMS: dict[int, Any] = {
    400: schemas.ProblemDetails,
    401: schemas.ProblemDetails,
    403: schemas.ProblemDetails,
    404: schemas.ProblemDetails,
    429: schemas.ProblemDetails,
}


class Paging(Schema):
    cursor: str | None = NinjaField(
        None, max_length=500, pattern=CURSOR, description="From a page's `next`"
    )
    limit: int = NinjaField(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class PostFilters(Paging):
    category: str | None = NinjaField(
        None, max_length=100, pattern=schemas.SLUG_PATTERN, description="A category's slug"
    )
    tag: str | None = NinjaField(
        None, max_length=100, pattern=schemas.SLUG_PATTERN, description="A tag's slug"
    )
    author: str | None = NinjaField(
        None, max_length=120, pattern=schemas.SLUG_PATTERN, description="A person's slug"
    )


def _listing(page: Any, items: list[Any]) -> dict[str, Any]:
    return {"items": items, "next": page.next, "next_cursor": page.next_cursor}


# --------------------------------------------------------------------------- posts


@router.get("/posts", response={200: schemas.Posts, **PROBLEMS}, summary="Published posts")
def list_posts(request: HttpRequest, filters: Query[PostFilters]) -> dict[str, Any]:
    """Published posts, newest first (members-only ones too, with their summary only), as
    the site lists them: a post carrying only another site's embedded discussion is read by
    its id, never listed."""
    caller_of(request)
    posts = Post.objects.published().listed()
    if filters.category:
        category = Category.objects.filter(slug=filters.category).first()
        if category is None:
            raise not_found("category")
        posts = posts.in_category(category)
    if filters.tag:
        posts = posts.filter(tags__slug=filters.tag)
    if filters.author:
        posts = posts.filter(authors__slug=filters.author)
    page = paginate(
        request,
        posts.for_listing(),
        order=("-published_at", "-pk"),
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return _listing(page, [post_summary(post) for post in page.items])


def _live_post(post_id: schemas.Id) -> Post:
    post = Post.objects.published().for_listing().filter(pk=post_id).first()
    if post is None:
        raise not_found("post")
    return post


@router.get("/posts/{post_id}", response={200: schemas.Post, **PROBLEMS}, summary="A post")
def get_post(request: HttpRequest, post_id: schemas.Id) -> dict[str, Any]:
    """A published post; its body only for a caller who may read it whole (publishing's
    rule: a members-only post's body is for members)."""
    caller = caller_of(request)
    post = _live_post(post_id)
    return post_detail(post, caller.user)


# --------------------------------------------------------------------------- a post's thread


def _nest(
    thread: threads.ThreadPage,
    rows: list[threads.Row],
    details: dict[int, dict[str, Any]],
    held: set[int],
) -> list[dict[str, Any]]:
    """The page's top-level comments (as build_thread chose and numbered them) with their
    replies under them; a reply whose parent is not shown hangs at the top level, as on the
    page (build_thread), so every row is reached from the threads it printed."""
    shown = {row.pk for row in rows}
    children: dict[int, list[threads.Row]] = {}
    for row in rows:
        if row.parent_id in shown:
            children.setdefault(row.parent_id, []).append(row)
    by_pk = {row.pk: row for row in rows}

    def draw(row: threads.Row, number: int | None) -> dict[str, Any]:
        return {
            **details[row.pk],
            "id": row.pk,
            "parent": row.parent_id if row.parent_id in shown else None,
            "number": number,
            "awaiting_moderation": row.pk in held,
            "html": row.html,
            "replies": [draw(reply, None) for reply in children.get(row.pk, [])],
        }

    return [
        draw(by_pk[pk], thread.first_number + at)
        for at, pk in enumerate(thread.top_level_ids)
        if pk in by_pk
    ]


class ThreadQuery(Schema):
    page: int = NinjaField(1, ge=1, le=1_000_000, description="The comment page (as ?cpage=)")
    owner_token: str = NinjaField(
        "",
        max_length=200,
        pattern=schemas.NO_NUL,
        description="A guest's key: their own held comment is shown too",
    )


@router.get(
    "/posts/{post_id}/comments",
    response={200: schemas.Thread, **PROBLEMS},
    summary="A post's discussion",
)
def get_thread(
    request: HttpRequest, post_id: schemas.Id, query: Query[ThreadQuery]
) -> dict[str, Any]:
    """The post's approved comments, nested, paged and numbered as its page shows them
    (stoa.discussion.threads), with the caller's own held comments marked as such."""
    caller = caller_of(request)
    post = _live_post(post_id)
    if not can_read_full_post(caller.user, post):
        raise Problem(
            403,
            "This discussion is for members: use a member's token or log in.",
            kind="members-only",
            title=discussion_access.Reason.MEMBERS_ONLY.label,
        )
    settings = DiscussionSettings.current()
    rows = threads.thread_rows(post.pk)
    owned = _owned(query.owner_token)
    held: set[int] = set()
    before: dict[int, str] = {}
    own = (
        Comment.objects.filter(post=post)
        .written_by(caller.user, owner_token_pk=owned)
        .exclude(status__in=(CommentStatus.TRASH, CommentStatus.APPROVED))
        .select_related("user__profile", "post")
        .order_by("created_at", "pk")
        if caller.user.is_authenticated or owned is not None
        else Comment.objects.none()
    )
    for comment in own:
        if discussion_access.can_read_comment(caller.user, comment, owner_token_pk=owned):
            # As the page does (discussion.slots): spam is shown to its writer as held.
            html = threads.stored_markup([comment])[0]
            rows.append(threads.Row(comment.pk, comment.parent_id, html))
            before[comment.pk] = threads.awaiting_note()
            held.add(comment.pk)
    thread = threads.build_thread(
        rows,
        page=query.page,
        per_page=settings.threads_per_page if settings.paginate else 0,
        newest_first=settings.newest_first,
        before=before,
    )
    if query.page > thread.pages:
        raise not_found("comment page")
    details = {
        c["pk"]: {
            "author_name": c["author_name"],
            "author_url": c["author_url"],
            "created_at": c["created_at"],
            "edited_at": c["edited_at"],
        }
        # The rows' own rule again, as a query: what of the thread this caller may read.
        for c in Comment.objects.filter(post=post)
        .visible_to(caller.user, owner_token_pk=owned)
        .values("pk", "author_name", "author_url", "created_at", "edited_at")
    }
    rows = [row for row in rows if row.pk in details]
    return {
        "post": post.pk,
        "page": thread.page,
        "pages": thread.pages,
        "first_number": thread.first_number,
        "comment_count": post.comment_count,
        "html": str(thread.html),
        "comments": _nest(thread, rows, details, held),
    }


def _owned(token: str) -> int | None:
    return tokens.owned_comment_id(token) if token else None


# --------------------------------------------------------------------------- pages, people, terms


def page_summary(page: Page) -> dict[str, Any]:
    return {
        "id": page.pk,
        "title": page.title,
        "parent": page.parent_id,
        "url": page.get_absolute_url(),
    }


@router.get("/pages", response={200: schemas.Pages, **PROBLEMS}, summary="Static pages")
def list_pages(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    caller = caller_of(request)
    pages = Page.objects.visible_to(caller.user)
    page = paginate(request, pages, order=("pk",), cursor=paging.cursor, limit=paging.limit)
    return _listing(page, [page_summary(p) for p in page.items])


@router.get("/pages/{page_id}", response={200: schemas.Page, **PROBLEMS}, summary="A page")
def get_page(request: HttpRequest, page_id: schemas.Id) -> dict[str, Any]:
    caller = caller_of(request)
    page = Page.objects.visible_to(caller.user).filter(pk=page_id).first()
    if page is None:
        raise not_found("page")
    return {**page_summary(page), "body": page.body}


def person(p: Person) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "slug": p.slug,
        "bio": p.bio,
        "photo": p.photo.url if p.photo else None,
        "url": p.get_absolute_url(),
    }


@router.get("/people", response={200: schemas.People, **PROBLEMS}, summary="Authors, presenters")
def list_people(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    caller_of(request)
    people = Person.objects.all()
    page = paginate(request, people, order=("pk",), cursor=paging.cursor, limit=paging.limit)
    return _listing(page, [person(p) for p in page.items])


@router.get("/people/{slug}", response={200: schemas.Person, **PROBLEMS}, summary="A person")
def get_person(request: HttpRequest, slug: schemas.Slug) -> dict[str, Any]:
    caller_of(request)
    found = Person.objects.filter(slug=slug).first()
    if found is None:
        raise not_found("person")
    return person(found)


def category(c: Category) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "slug": c.slug,
        "description": c.description,
        "parent": c.parent_id,
        "url": c.get_absolute_url(),
    }


@router.get("/categories", response={200: schemas.Categories, **PROBLEMS}, summary="Categories")
def list_categories(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    caller_of(request)
    found = Category.objects.all()
    page = paginate(request, found, order=("pk",), cursor=paging.cursor, limit=paging.limit)
    return _listing(page, [category(c) for c in page.items])


@router.get(
    "/categories/{slug}", response={200: schemas.Category, **PROBLEMS}, summary="A category"
)
def get_category(request: HttpRequest, slug: schemas.Slug) -> dict[str, Any]:
    caller_of(request)
    found = Category.objects.filter(slug=slug).first()
    if found is None:
        raise not_found("category")
    return category(found)


def tag(t: Tag) -> dict[str, Any]:
    return {"id": t.pk, "name": t.name, "slug": t.slug, "url": t.get_absolute_url()}


@router.get("/tags", response={200: schemas.Tags, **PROBLEMS}, summary="Tags")
def list_tags(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    caller_of(request)
    page = paginate(
        request, Tag.objects.all(), order=("pk",), cursor=paging.cursor, limit=paging.limit
    )
    return _listing(page, [tag(t) for t in page.items])


@router.get("/tags/{slug}", response={200: schemas.Tag, **PROBLEMS}, summary="A tag")
def get_tag(request: HttpRequest, slug: schemas.Slug) -> dict[str, Any]:
    caller_of(request)
    found = Tag.objects.filter(slug=slug).first()
    if found is None:
        raise not_found("tag")
    return tag(found)


# --------------------------------------------------------------------------- webcasts


def series_summary(series: Series, moment: Any = None) -> dict[str, Any]:
    return {
        "id": series.pk,
        "title": series.title,
        "slug": series.slug,
        "description": series.description,
        "url": series.get_absolute_url(),
        "starts": series.starts,
        "ends": series.ends,
        "available": series.is_available(moment),
        "presenters": refs(series.presenter_list),  # type: ignore[attr-defined]
    }


def session(s: Session) -> dict[str, Any]:
    return {
        "id": s.pk,
        "position": s.position,
        "title": s.title,
        "slug": s.slug,
        "description": s.description,
        "duration_seconds": int(s.duration.total_seconds()) if s.duration else None,
        "presenter": refs([s.presenter])[0] if s.presenter else None,
        "url": s.get_absolute_url(),
    }


@router.get("/series", response={200: schemas.SeriesList, **PROBLEMS}, summary="Webcast series")
def list_series(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    caller_of(request)
    found = Series.objects.listed().with_presenters()
    page = paginate(request, found, order=("-pk",), cursor=paging.cursor, limit=paging.limit)
    return _listing(page, [series_summary(s) for s in page.items])


def _series(request: HttpRequest, slug: str) -> tuple[Caller, Series]:
    caller = caller_of(request)
    found = Series.objects.with_presenters().filter(slug=slug).first()
    if found is None or not can_view_series(caller.user, found):
        raise not_found("series")
    return caller, found


@router.get("/series/{slug}", response={200: schemas.Series, **PROBLEMS}, summary="A series")
def get_series(request: HttpRequest, slug: schemas.Slug) -> dict[str, Any]:
    """A series with its sessions listed (as its page lists them, locked or not) and whether
    the caller may watch them (webcasts.access)."""
    caller, found = _series(request, slug)
    decided = access_series(caller.user, found)
    sessions = found.sessions.select_related("presenter", "series").in_order()
    return {
        **series_summary(found),
        "can_watch": decided.can_watch,
        "access": str(decided.reason.label),
        "sessions": [session(s) for s in sessions],
    }


@router.get(
    "/series/{slug}/sessions/{session_slug}",
    response={200: schemas.WatchableSession, **PROBLEMS},
    summary="A session, for those who may watch it",
)
def get_session(
    request: HttpRequest, slug: schemas.Slug, session_slug: schemas.Slug
) -> dict[str, Any]:
    caller, found = _series(request, slug)
    item = found.sessions.select_related("presenter", "series").filter(slug=session_slug).first()
    if item is None:
        raise not_found("session")
    decided = access_series(caller.user, found)
    if not decided.can_watch:
        raise Problem(
            403,
            f"{decided.reason.label}: sessions are for members enrolled in the series.",
            kind="not-enrolled",
            title="You may not watch this series",
            reason=str(decided.reason.value),
        )
    return {
        **session(item),
        "video": item.media_url("video") if item.video else None,
        "captions": item.media_url("captions") if item.captions else None,
    }
