"""sitemap.xml is an index of the sections' sitemaps, which list what readers can open in
pages of at most 50,000 addresses; robots.txt points crawlers at the index."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from stoa.publishing import sitemaps
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import (
    CategoryFactory,
    PageFactory,
    PersonFactory,
    PostFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "http://testserver"


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


def shapes(captured: CaptureQueriesContext) -> Counter[str]:
    """How many times each query ran, numbers aside."""
    return Counter(re.sub(r"\d+", "N", query["sql"]) for query in captured.captured_queries)


def parse_xml(content: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(content, parser=parser)


def index_locations(client) -> list[str]:
    """The sitemaps /sitemap.xml names, as absolute addresses."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = parse_xml(response.content)
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    return [loc.text for loc in root.iterfind("sm:sitemap/sm:loc", NS)]


def page_urls(client, location: str) -> list[str]:
    """The addresses one sitemap page lists."""
    assert location.startswith(BASE)
    response = client.get(location.removeprefix(BASE))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = parse_xml(response.content)
    assert root.tag == f"{{{NS['sm']}}}urlset"
    return [loc.text for loc in root.iterfind("sm:url/sm:loc", NS)]


def sitemap_urls(client) -> list[str]:
    """Every address the sitemap lists, through the index, as a crawler reads it."""
    return [url for location in index_locations(client) for url in page_urls(client, location)]


@pytest.fixture
def magazine():
    ada = PersonFactory(name="Ada Quill", slug="ada-quill")
    ghost = PersonFactory(name="Ghost Writer", slug="ghost-writer")
    practice = CategoryFactory(name="Clinical Practice", slug="clinical-practice")
    secret_category = CategoryFactory(name="Unannounced", slug="unannounced")
    grief = TagFactory(name="grief", slug="grief")
    secret_tag = TagFactory(name="embargoed", slug="embargoed")
    PostFactory(
        title="On Listening",
        slug="on-listening",
        authors=[ada],
        categories=[practice],
        tags=[grief],
        published_at=at(2024, 3, 1),
    )
    hidden = {"authors": [ghost], "categories": [secret_category], "tags": [secret_tag]}
    PostFactory(title="Draft Piece", slug="draft-piece", draft=True, **hidden)
    PostFactory(title="Pending Piece", slug="pending-piece", pending=True, **hidden)
    PostFactory(title="Scheduled Piece", slug="scheduled-piece", scheduled=True, **hidden)
    PostFactory(title="Private Piece", slug="private-piece", private=True, **hidden)
    about = PageFactory(title="About", slug="about")
    PageFactory(title="Editorial Standards", slug="editorial-standards", parent=about)
    PageFactory(title="Masthead", slug="masthead", status="draft")


def test_the_sitemap_lists_what_readers_can_open(client, magazine) -> None:
    urls = sitemap_urls(client)
    for path in [
        "/",
        "/2024/03/on-listening/",
        "/about/",
        "/about/editorial-standards/",
        "/category/clinical-practice/",
        "/tag/grief/",
        "/author/ada-quill/",
    ]:
        assert f"{BASE}{path}" in urls
    assert len(urls) == len(set(urls)) == 7


def test_the_sitemap_leaves_out_unpublished_and_private_posts(client, magazine) -> None:
    listed = "\n".join(sitemap_urls(client))
    for slug in ["draft-piece", "pending-piece", "scheduled-piece", "private-piece", "preview"]:
        assert slug not in listed
    assert "/masthead/" not in listed


def test_the_sitemap_leaves_out_archives_with_nothing_published(client, magazine) -> None:
    listed = sitemap_urls(client)
    assert f"{BASE}/category/unannounced/" not in listed
    assert f"{BASE}/tag/embargoed/" not in listed
    assert f"{BASE}/author/ghost-writer/" not in listed


def test_the_sitemap_gives_the_newest_post_time_as_an_archives_lastmod(client, magazine) -> None:
    root = parse_xml(client.get("/sitemap-categories.xml").content)
    lastmod = {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in root.iterfind("sm:url", NS)
    }
    newest = timezone.localdate(at(2024, 3, 1))
    assert lastmod[f"{BASE}/category/clinical-practice/"] == f"{newest:%Y-%m-%d}"
    # The index gives each section the newest of its lastmods.
    index = parse_xml(client.get("/sitemap.xml").content)
    sections = {
        entry.findtext("sm:loc", namespaces=NS): entry.findtext("sm:lastmod", namespaces=NS)
        for entry in index.iterfind("sm:sitemap", NS)
    }
    assert sections[f"{BASE}/sitemap-categories.xml"].startswith(f"{newest:%Y-%m-%d}")


def test_a_scheduled_post_joins_the_sitemap_once_its_time_has_passed(
    client, magazine, monkeypatch
) -> None:
    later = timezone.now() + dt.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    listed = "\n".join(sitemap_urls(client))
    assert "/scheduled-piece/" in listed
    assert f"{BASE}/category/unannounced/" in listed


def test_the_sitemap_is_an_index_of_one_sitemap_per_section(client, magazine) -> None:
    assert index_locations(client) == [
        f"{BASE}/sitemap-{section}.xml"
        for section in ("home", "posts", "pages", "categories", "tags", "people")
    ]


def test_no_sitemap_page_lists_more_than_the_protocol_allows(client, magazine) -> None:
    assert sitemaps.URLS_PER_PAGE == 50_000  # https://www.sitemaps.org/protocol.html
    for sitemap in sitemaps.SITEMAPS.values():
        assert sitemap.limit == sitemaps.URLS_PER_PAGE


def test_a_section_longer_than_a_page_is_split_into_pages_the_index_names(
    client, magazine, monkeypatch
) -> None:
    for n in range(4):
        PostFactory(slug=f"more-{n}", published_at=at(2023, 1, n + 1))
    monkeypatch.setattr(sitemaps.StoaSitemap, "limit", 2)

    locations = index_locations(client)
    posts = [location for location in locations if "/sitemap-posts.xml" in location]
    assert posts == [
        f"{BASE}/sitemap-posts.xml",
        f"{BASE}/sitemap-posts.xml?p=2",
        f"{BASE}/sitemap-posts.xml?p=3",
    ]
    pages = [page_urls(client, location) for location in locations]
    assert all(len(urls) <= 2 for urls in pages)
    listed = [url for urls in pages for url in urls]
    assert len(listed) == len(set(listed))
    for n in range(4):
        assert f"{BASE}/2023/01/more-{n}/" in listed
    assert f"{BASE}/2024/03/on-listening/" in listed
    assert not any("-piece/" in url for url in listed)  # drafts, pending, scheduled, private
    assert client.get("/sitemap-posts.xml?p=4").status_code == 404


def test_an_unknown_section_or_page_is_not_found(client, magazine) -> None:
    assert client.get("/sitemap-drafts.xml").status_code == 404
    assert client.get("/sitemap-posts.xml?p=two").status_code == 404
    assert client.get("/sitemap-posts.xml?p=2").status_code == 404


def test_each_section_says_what_djangos_own_sitemap_view_says(client, magazine, rf) -> None:
    # The sections are written as text, not through Django's template: the same entries.
    from django.contrib.sitemaps.views import sitemap as django_sitemap

    def entries(content: bytes) -> list[tuple[str | None, ...]]:
        root = parse_xml(content)
        return [
            tuple(url.findtext(f"sm:{name}", namespaces=NS) for name in sitemaps_fields)
            for url in root.iterfind("sm:url", NS)
        ]

    sitemaps_fields = ("loc", "lastmod", "changefreq", "priority")
    for name in sitemaps.SITEMAPS:
        ours = client.get(f"/sitemap-{name}.xml")
        theirs = django_sitemap(rf.get(f"/sitemap-{name}.xml"), sitemaps.SITEMAPS, section=name)
        theirs.render()
        assert entries(ours.content) == entries(theirs.content), name
        assert ours["X-Robots-Tag"] == theirs["X-Robots-Tag"]
        assert ours.get("Last-Modified") == theirs.get("Last-Modified"), name


def test_the_posts_sitemap_dates_and_quotes_as_djangos_own_view_does(client, rf) -> None:
    # The posts' page is written from raw rows (issue 12): each address's year and month and
    # each lastmod in the site's time zone; a slug quoted as reverse() quotes it (one written
    # without validation, as a bulk path may); a page before the first or past the last is
    # not found.
    from django.contrib.sitemaps.views import sitemap as django_sitemap

    edge = dt.datetime(2024, 4, 1, 2, tzinfo=dt.UTC)  # still March 31 in New York
    odd = PostFactory(slug="cafe-au-lait", published_at=edge)
    Post.objects.filter(pk=odd.pk).update(slug="café&lait", updated_at=edge)
    PostFactory(slug="plain-words", published_at=at(2023, 12, 31))
    ours = client.get("/sitemap-posts.xml")
    theirs = django_sitemap(rf.get("/sitemap-posts.xml"), sitemaps.SITEMAPS, section="posts")
    theirs.render()
    fields = ("loc", "lastmod", "changefreq", "priority")
    listed = [
        [tuple(url.findtext(f"sm:{name}", namespaces=NS) for name in fields) for url in urls]
        for urls in (parse_xml(page.content).iterfind("sm:url", NS) for page in (ours, theirs))
    ]
    assert listed[0] == listed[1]
    assert listed[0][0][:2] == (f"{BASE}/2024/03/caf%C3%A9&lait/", "2024-03-31")
    assert f"{BASE}/2024/03/caf%C3%A9&lait/" in page_urls(client, f"{BASE}/sitemap-posts.xml")
    assert client.get("/sitemap-posts.xml?p=0").status_code == 404
    assert client.get("/sitemap-posts.xml?p=2").status_code == 404


def test_the_sitemap_costs_the_same_queries_however_many_posts_there_are(client, magazine) -> None:
    locations = index_locations(client)

    def read_all() -> CaptureQueriesContext:
        with CaptureQueriesContext(connection) as captured:
            client.get("/sitemap.xml")
            for location in locations:
                client.get(location.removeprefix(BASE))
        return captured

    small = read_all()
    for _ in range(20):
        PostFactory(tags=[TagFactory(), TagFactory()], authors=[PersonFactory(), PersonFactory()])
    PageFactory()
    large = read_all()
    # One post's row must not cost a query of its own (each post's permalink needs its
    # status), nor the index's lastmod a read of every post.
    grown = shapes(large) - shapes(small)
    assert len(large.captured_queries) == len(small.captured_queries), grown


def test_robots_txt_disallows_the_admin_and_names_the_sitemap(client) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    assert index_locations(client)  # the index, not one long list
