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
import functools
import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from django.contrib.sitemaps import Sitemap
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max, QuerySet
from django.db.models.sql.constants import MULTI
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import RFC3986_SUBDELIMS, http_date
from django.views.decorators.http import require_safe

from stoa.publishing.models import Category, Page, Person, Post, Tag

URLS_PER_PAGE = 50_000  # the sitemap protocol's limit per file
_PLAIN_SLUG = re.compile(r"[A-Za-z0-9_.-]*")


def _raw_rows(rows: QuerySet[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of a values_list() query as the database driver gives them, without
    Django's per-value converters (a sitemap page reads 50,000 rows at most)."""
    compiler = rows.query.get_compiler(using=rows.db)
    for chunk in compiler.execute_sql(MULTI, chunked_fetch=True):
        yield from chunk


def _moment(value: dt.datetime) -> dt.datetime:
    """An aware datetime from a driver's value: PostgreSQL's is one; SQLite's (parsed by
    the converter Django registers with the driver) is naive, in UTC as Django wrote it."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


class StoaSitemap(Sitemap):
    limit = URLS_PER_PAGE

    def url_elements(self, page: int | str, protocol: str, domain: str) -> Iterator[str]:
        """One page's <url> elements, from Sitemap.get_urls's entries (a section may write
        them faster)."""
        site = type("Site", (), {"domain": domain})()
        zone = timezone.get_current_timezone()
        for entry in self.get_urls(page=page, site=site, protocol=protocol):
            yield _url(entry, zone)


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
            .listed()
            .newest_first()
            .only("slug", "status", "published_at", "updated_at")
        )

    def lastmod(self, item: Post) -> dt.datetime:
        return item.updated_at

    # A live post's address, /YYYY/MM/slug/ (Post.get_absolute_url), from its route reversed
    # once with marks in place of the three parts: one reverse() a post is half of what
    # 20,000 posts' sitemap costs.
    MARKS = {"year": 9999, "month": "12", "slug": "stoa-sitemap-slug"}

    @functools.cached_property
    def _route(self) -> tuple[str, str]:
        address = reverse("publishing:post", kwargs=self.MARKS)
        marked = "{year}/{month}/{slug}".format(**self.MARKS)
        before, found, after = address.rpartition(marked)
        if not found:
            raise ValueError(f"the post route no longer ends in year/month/slug: {address}")
        return before, after

    def location(self, item: Post) -> str:
        before, after = self._route
        local = timezone.localtime(item.published_at)
        slug = quote(item.slug, safe=RFC3986_SUBDELIMS + "/~:@")  # as reverse() quotes it
        return f"{before}{local.year}/{local.month:02d}/{slug}{after}"

    def url_elements(self, page: int | str, protocol: str, domain: str) -> Iterator[str]:
        # What get_urls gives, written straight from the rows as the driver gives them: no
        # model instance, no dict per entry, no Django converter per value (on SQLite they
        # made 40,000 datetimes aware one call at a time), the constant parts written once,
        # one time zone for the page: 20,000 posts in half the time. And no COUNT of every
        # live post first (the paginator's, which read each post's row on SQLite for
        # `listed`): a page past the end is found empty. The sitemap tests hold it to
        # Django's own view, time zones and quoted slugs included (issue 12).
        try:
            number = int(page)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(f"No page {page!r}") from error
        if number < 1:
            raise EmptyPage(f"Page {number} is less than 1")
        start = (number - 1) * self.limit
        rows = (
            self.items()
            .order_by("-published_at", "-pk")
            .values_list("slug", "published_at", "updated_at")[start : start + self.limit]
        )
        zone = timezone.get_current_timezone()
        before, after = self._route
        head = f"<url><loc>{html.escape(f'{protocol}://{domain}{before}')}"
        middle = f"{html.escape(after)}</loc><lastmod>"
        tail = (
            f"</lastmod><changefreq>{html.escape(self.changefreq)}</changefreq>"
            f"<priority>{html.escape(str(self.priority))}</priority></url>"
        )
        safe = RFC3986_SUBDELIMS + "/~:@"
        latest = None
        for slug, published, updated in _raw_rows(rows):
            published_at, updated_at = _moment(published), _moment(updated)
            local = published_at.astimezone(zone)
            day = updated_at.astimezone(zone)
            # A slug is letters, digits, underscores and dashes (SlugField's validation):
            # quoted as reverse() would, and escaped, only a row written without it.
            if not slug.isascii() or not _PLAIN_SLUG.fullmatch(slug):
                slug = html.escape(quote(slug, safe=safe))
            yield (
                f"{head}{local.year}/{local.month:02d}/{slug}{middle}"
                f"{day.year:04d}-{day.month:02d}-{day.day:02d}{tail}"
            )
            if latest is None or updated_at > latest:
                latest = updated_at
        if latest is None and number > 1:
            raise EmptyPage(f"Page {number} is empty")
        self.latest_lastmod = latest

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


# --- One section's page -----------------------------------------------------------------------


def _day(moment: dt.datetime | dt.date, zone: dt.tzinfo) -> str:
    """A lastmod as Django's sitemap template writes it (`date:"Y-m-d"`, in local time)."""
    if isinstance(moment, dt.datetime) and moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"


def _url(entry: dict[str, Any], zone: dt.tzinfo) -> str:
    parts = [f"<url><loc>{escape(entry['location'])}</loc>"]
    if entry.get("lastmod"):
        parts.append(f"<lastmod>{_day(entry['lastmod'], zone)}</lastmod>")
    if entry.get("changefreq"):
        parts.append(f"<changefreq>{escape(entry['changefreq'])}</changefreq>")
    if entry.get("priority"):
        parts.append(f"<priority>{escape(entry['priority'])}</priority>")
    parts.append("</url>")
    return "".join(parts)


@require_safe
def section(request: HttpRequest, section: str) -> HttpResponse:
    """One section's sitemap page: what django.contrib.sitemaps.views.sitemap answers (the
    same addresses, lastmod, changefreq, priority; a 404 for an unknown section or page; the
    Last-Modified and X-Robots-Tag headers), written as text rather than through the
    template engine, which spends two seconds on the 20,000 posts of a large magazine (issue
    12); the page cache keeps the result for crawlers until the content changes."""
    if section not in SITEMAPS:
        raise Http404(f"No sitemap available for section: {section!r}")
    sitemap = SITEMAPS[section]()
    page = request.GET.get("p", 1)
    try:
        # Written out here, so that an empty or wrong page is a 404 before any byte.
        urls = list(
            sitemap.url_elements(page, request.scheme or "http", get_current_site(request).domain)
        )
    except EmptyPage as error:
        raise Http404(f"Page {page} empty") from error
    except PageNotAnInteger as error:
        raise Http404(f"No page {page!r}") from error
    body = "".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n',
            "\n".join(urls),
            "\n</urlset>\n",
        ]
    )
    response = HttpResponse(body, content_type="application/xml")
    latest = getattr(sitemap, "latest_lastmod", None)
    if isinstance(latest, dt.datetime):
        response["Last-Modified"] = http_date(latest.timestamp())
    # As Django's sitemap views say: the sitemap itself is not a page for search results.
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response
