"""The sitemap: /sitemap.xml is a sitemap index (what robots.txt names), and each section
(home, posts, pages, categories, tags, people) is a sitemap of its own at
/sitemap-<section>.xml, in pages of at most URLS_PER_PAGE addresses: the protocol's limit
(https://www.sitemaps.org/protocol.html#index: "no more than 50,000 URLs"). A 20,000-post
magazine is one page of posts; past 50,000 the index names `?p=2` and on.

What is listed is what a reader can open: published pages, live posts (members-only ones
too, as their teaser page is public), and archives with at least one live post; no draft,
pending, scheduled or private post, no archive made only of those.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone

from stoa.publishing.models import Category, Page, Person, Post, Tag

URLS_PER_PAGE = 50_000  # the sitemap protocol's limit per file


class StoaSitemap(Sitemap):
    limit = URLS_PER_PAGE


class HomeSitemap(StoaSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self) -> list[str]:
        return ["publishing:home"]

    def location(self, item: str) -> str:
        return reverse(item)


class PostSitemap(StoaSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self) -> QuerySet[Post]:
        return (
            Post.objects.published()
            .newest_first()
            .only("slug", "status", "published_at", "updated_at")
        )

    def lastmod(self, item: Post) -> dt.datetime:
        return item.updated_at

    def get_latest_lastmod(self) -> dt.datetime | None:
        # The index's <lastmod> for the section: one aggregate, where Django's default would
        # load every post to take the largest of their lastmods.
        return self.items().order_by().aggregate(latest=Max("updated_at"))["latest"]


class PageSitemap(StoaSitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self) -> QuerySet[Page]:
        return Page.objects.published()

    def lastmod(self, item: Page) -> dt.datetime:
        return item.updated_at

    def get_latest_lastmod(self) -> dt.datetime | None:
        return self.items().order_by().aggregate(latest=Max("updated_at"))["latest"]


class ArchiveSitemap(StoaSitemap):
    """Archives that list at least one published post, newest post as lastmod."""

    changefreq = "weekly"
    priority = 0.3
    model: type[Category] | type[Tag] | type[Person]

    def items(self) -> QuerySet[Category] | QuerySet[Tag] | QuerySet[Person]:
        now = timezone.now()
        return (
            self.model.objects.filter(
                posts__status__in=Post.LIVE_STATUSES, posts__published_at__lte=now
            )
            .annotate(newest=Max("posts__published_at"))
            .order_by("slug")
        )

    def lastmod(self, item: Category | Tag | Person) -> dt.datetime:
        return item.newest  # type: ignore[union-attr]

    def get_latest_lastmod(self) -> dt.datetime | None:
        # The newest live post filed under any of them: one aggregate over the section.
        return self.items().aggregate(latest=Max("newest"))["latest"]


class CategorySitemap(ArchiveSitemap):
    model = Category


class TagSitemap(ArchiveSitemap):
    model = Tag


class PersonSitemap(ArchiveSitemap):
    model = Person


SITEMAPS = {
    "home": HomeSitemap,
    "posts": PostSitemap,
    "pages": PageSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "people": PersonSitemap,
}
