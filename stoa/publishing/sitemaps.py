"""sitemap.xml sections: home, posts, pages, categories, tags and people."""

from __future__ import annotations

import datetime as dt

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone

from stoa.publishing.models import Category, Page, Person, Post, Tag


class HomeSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self) -> list[str]:
        return ["publishing:home"]

    def location(self, item: str) -> str:
        return reverse(item)


class PostSitemap(Sitemap):
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


class PageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self) -> QuerySet[Page]:
        return Page.objects.published()

    def lastmod(self, item: Page) -> dt.datetime:
        return item.updated_at


class ArchiveSitemap(Sitemap):
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
