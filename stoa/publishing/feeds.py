"""RSS 2.0 and Atom feeds for the site, each category, each tag and each author."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import feedgenerator
from django.utils.feedgenerator import Atom1Feed

from stoa.core.conf import stoa_setting
from stoa.core.feeds import KeptFeed, origin
from stoa.publishing import renditions
from stoa.publishing.models import Category, Person, Post, PostQuerySet, Tag


class LatestPostsFeed(KeptFeed):
    """The newest published posts of the whole site, kept per content version (a feed is
    the same for every reader: an item is its teaser whoever asks)."""

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
        posts = self.filter_posts(Post.objects.published().listed().for_listing(), obj)
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
        address = found.url if "://" in found.url else origin.get() + found.url
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
