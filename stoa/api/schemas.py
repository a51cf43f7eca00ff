"""What the API answers and accepts (django-ninja schemas, pydantic): the OpenAPI schema is
drawn from these (stoa/api/openapi.json). No schema has a field for an email address or an
IP address: those never leave the back office."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Path, Schema

# What a client may send, bounded where the database would fail rather than refuse: ids in
# the integer range every database takes, slugs as the site writes them, and no NUL
# character in any text (PostgreSQL cannot store one; the site's forms refuse it too).
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
# A slug's letters spelt out: the site's slugs are ASCII (no SlugField allows Unicode), and
# \w means ASCII to the OpenAPI document's readers (JSON Schema patterns are ECMA-262) but
# any letter to the check here (pydantic), which let "é" through a pattern that refuses it.
SLUG_PATTERN = r"^[-A-Za-z0-9_]+$"
Slug = Annotated[str, Path(pattern=SLUG_PATTERN, max_length=200)]
NO_NUL = r"^[^\x00]*$"


class Ref(Schema):
    """A person, category or tag as a post names it."""

    name: str
    slug: str
    url: str


class Person(Schema):
    id: int
    name: str
    slug: str
    bio: str
    photo: str | None = Field(description="The picture's address, if there is one")
    url: str = Field(description="Their page on the site")


class Category(Schema):
    id: int
    name: str
    slug: str
    description: str
    parent: int | None
    url: str


class Tag(Schema):
    id: int
    name: str
    slug: str
    url: str


class PostSummary(Schema):
    id: int
    title: str
    slug: str
    dek: str
    url: str
    published_at: dt.datetime
    members_only: bool
    summary: str = Field(description="What every reader is shown: never a members' body")
    authors: list[Ref]
    categories: list[Ref]
    tags: list[Ref]
    comment_count: int
    comments_open: bool


class Post(PostSummary):
    readable: bool = Field(description="Whether this caller may read the whole post")
    body: str | None = Field(description="The article's HTML; null when `readable` is false")


class PageSummary(Schema):
    id: int
    title: str
    parent: int | None
    url: str


class Page(PageSummary):
    body: str


class Comment(Schema):
    id: int
    parent: int | None = Field(description="The comment replied to, when it is shown")
    number: int | None = Field(description="The thread's number on the page (top level only)")
    author_name: str
    author_url: str
    created_at: dt.datetime
    edited_at: dt.datetime | None
    awaiting_moderation: bool = Field(description="Held: seen by its writer only")
    html: str = Field(description="The comment's markup, as the post's page draws it")
    replies: list[Comment]


Comment.model_rebuild()


class Thread(Schema):
    post: int
    page: int
    pages: int
    first_number: int
    comment_count: int
    html: str = Field(description="The whole page of the thread, as the post's page draws it")
    comments: list[Comment]


class Written(Schema):
    """A comment just written or changed, as its writer sees it."""

    id: int
    post: int
    parent: int | None
    status: str = Field(description="`approved`, or `held` until a moderator decides")
    html: str
    url: str
    owner_token: str | None = Field(
        description="A guest's key to edit or withdraw the comment (within the edit window); "
        "keep it, it is shown once"
    )


class NewComment(Schema):
    body: str = Field(min_length=1, max_length=100_000, pattern=NO_NUL)
    parent: int | None = Field(None, ge=1, le=2_147_483_647)
    name: str = Field(
        "", max_length=200, pattern=NO_NUL, description="A guest's name (not for members)"
    )
    email: str = Field(
        "", max_length=254, pattern=NO_NUL, description="A guest's address, never published"
    )
    url: str = Field("", max_length=300, pattern=NO_NUL)
    subscribe: bool = False


class CommentEdit(Schema):
    body: str = Field(min_length=1, max_length=100_000, pattern=NO_NUL)
    owner_token: str = Field(
        "", max_length=200, pattern=NO_NUL, description="A guest's key from `Written`"
    )


class OwnerToken(Schema):
    owner_token: str = Field("", max_length=200, pattern=NO_NUL)


class Reported(Schema):
    reported: bool = Field(description="False when this reader had reported it already")


class Queued(Schema):
    """A comment in the moderation queue (no email, no address: the back office has those)."""

    id: int
    post: int
    post_title: str
    parent: int | None
    status: str
    author_name: str
    excerpt: str
    html: str
    flag_count: int
    created_at: dt.datetime
    moves: list[str]


class Moved(Schema):
    id: int
    status: str
    moved: bool


class Session(Schema):
    id: int
    position: int
    title: str
    slug: str
    description: str
    duration_seconds: int | None
    presenter: Ref | None
    url: str


class WatchableSession(Session):
    video: str | None = Field(description="The video's address (checked again when fetched)")
    captions: str | None


class SeriesSummary(Schema):
    id: int
    title: str
    slug: str
    description: str
    url: str
    starts: dt.datetime | None
    ends: dt.datetime | None
    available: bool = Field(description="Whether the series' window is open now")
    presenters: list[Ref]


class Series(SeriesSummary):
    can_watch: bool
    access: str = Field(description="Why the caller may or may not watch (webcasts' reason)")
    sessions: list[Session]


class Listing(Schema):
    next: str | None = Field(description="The next page's address, or null on the last")
    next_cursor: str | None


class Posts(Listing):
    items: list[PostSummary]


class Pages(Listing):
    items: list[PageSummary]


class People(Listing):
    items: list[Person]


class Categories(Listing):
    items: list[Category]


class Tags(Listing):
    items: list[Tag]


class SeriesList(Listing):
    items: list[SeriesSummary]


class Queue(Listing):
    items: list[Queued]


class ProblemDetails(Schema):
    """RFC 9457 problem details (application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str = ""
