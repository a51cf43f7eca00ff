"""RSS 2.0 and Atom feeds for the site, each category, each tag and each author."""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from typing import Any, NamedTuple

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import feedgenerator
from django.utils.feedgenerator import Atom1Feed

from stoa.core.conf import stoa_setting
from stoa.core.templating import kept
from stoa.publishing import renditions
from stoa.publishing.models import Category, Person, Post, PostQuerySet, Tag

_origin: ContextVar[str] = ContextVar("feed_origin", default="")


class WrittenFeed(NamedTuple):
    """A feed as written once per content version: its type, date and bytes."""

    content_type: str
    last_modified: str | None
    body: bytes


class LatestPostsFeed(Feed):
    """The newest published posts of the whole site."""

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A feed is the same for every reader (feed readers carry no login, and an item is
        # its teaser whoever asks): written once per content version and kept, per address
        # and the host and scheme its links are made with (the host is one ALLOWED_HOSTS
        # accepted). A slug that names nothing is a 404, never kept.
        name = f"feed:{request.scheme}:{request.get_host()}:{request.path}"
        written = kept(name, lambda: self._write(request, *args, **kwargs))
        if written is None:  # _write answers or raises Http404: never so
            raise Http404("No such feed.")
        response = HttpResponse(written.body, content_type=written.content_type)
        if written.last_modified:
            response.headers["Last-Modified"] = written.last_modified
        return response

    def _write(self, request: HttpRequest, *args: Any, **kwargs: Any) -> WrittenFeed:
        # Django makes items' links absolute, not enclosures': their origin is this request's
        # (one Feed instance serves every request and thread, hence a context variable).
        token = _origin.set(f"{request.scheme}://{request.get_host()}")
        try:
            response = super().__call__(request, *args, **kwargs)
        finally:
            _origin.reset(token)
        return WrittenFeed(
            content_type=response["Content-Type"],
            last_modified=response.headers.get("Last-Modified"),
            body=response.content,
        )

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return None

    def title(self, obj: Any) -> str:
        return str(stoa_setting("SITE_NAME"))

    def description(self, obj: Any) -> str:
        return str(stoa_setting("TAGLINE"))

    def subtitle(self, obj: Any) -> str:
        # Atom calls the description a subtitle.
        return self.description(obj)

    def link(self, obj: Any) -> str:
        return "/"

    def filter_posts(self, posts: PostQuerySet, obj: Any) -> PostQuerySet:
        return posts

    def items(self, obj: Any) -> PostQuerySet:
        posts = self.filter_posts(Post.objects.published().for_listing(), obj)
        return posts.newest_first()[: int(stoa_setting("FEED_ITEMS"))]

    def item_title(self, item: Post) -> str:
        return item.title

    def item_description(self, item: Post) -> str:
        # The teaser, never the body: a members-only post's excerpt (or a neutral line) is all
        # a feed may carry, as WordPress membership plugins give feeds the excerpt of a
        # protected post.
        return item.teaser

    def item_pubdate(self, item: Post) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Post) -> dt.datetime:
        return item.updated_at

    def item_author_name(self, item: Post) -> str:
        return ", ".join(person.name for person in item.author_list)  # type: ignore[attr-defined]

    def item_enclosures(self, item: Post) -> list[feedgenerator.Enclosure]:
        # The featured image as the item's picture: RSS's <enclosure> (one per item, as
        # feed readers take it) and Atom's <link rel="enclosure">. Fetched with the item
        # (for_listing's select_related), its length known from the row.
        found = renditions.enclosure(item.featured_image)
        if found is None:
            return []
        address = found.url if "://" in found.url else _origin.get() + found.url
        return [feedgenerator.Enclosure(address, str(found.length), found.content_type)]

    def item_categories(self, item: Post) -> list[str]:
        filing = [*item.category_list, *item.tag_list]  # type: ignore[attr-defined]
        return [each.name for each in filing]


class ArchiveFeed(LatestPostsFeed):
    """The newest posts of one category, tag or person, found by slug."""

    model: type[Category] | type[Tag] | type[Person]
    field = ""
    wording = ""

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return get_object_or_404(self.model, slug=kwargs["slug"])

    def title(self, obj: Any) -> str:
        return f"{stoa_setting('SITE_NAME')} » {obj.name}"

    def description(self, obj: Any) -> str:
        return f"Posts {self.wording} {obj.name}"

    def link(self, obj: Any) -> str:
        return str(obj.get_absolute_url())

    def filter_posts(self, posts: PostQuerySet, obj: Any) -> PostQuerySet:
        return posts.filter(**{self.field: obj})


class CategoryFeed(ArchiveFeed):
    """The newest posts in a category and the categories below it."""

    model = Category
    wording = "filed under"

    def description(self, obj: Category) -> str:
        return obj.description or super().description(obj)

    def filter_posts(self, posts: PostQuerySet, obj: Category) -> PostQuerySet:
        return posts.in_category(obj)


class TagFeed(ArchiveFeed):
    """The newest posts with a tag."""

    model = Tag
    field = "tags"
    wording = "tagged"


class AuthorFeed(ArchiveFeed):
    """The newest posts by one person."""

    model = Person
    field = "authors"
    wording = "by"


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = Atom1Feed


class CategoryAtomFeed(CategoryFeed):
    feed_type = Atom1Feed


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed


class AuthorAtomFeed(AuthorFeed):
    feed_type = Atom1Feed
