"""sitemap.xml lists what readers can open, and robots.txt points crawlers at it."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

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


def sitemap_urls(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = parse_xml(response.content)
    assert root.tag == f"{{{NS['sm']}}}urlset"
    return [loc.text for loc in root.iterfind("sm:url/sm:loc", NS)]


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
    root = parse_xml(client.get("/sitemap.xml").content)
    lastmod = {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in root.iterfind("sm:url", NS)
    }
    newest = timezone.localdate(at(2024, 3, 1))
    assert lastmod[f"{BASE}/category/clinical-practice/"] == f"{newest:%Y-%m-%d}"


def test_a_scheduled_post_joins_the_sitemap_once_its_time_has_passed(
    client, magazine, monkeypatch
) -> None:
    later = timezone.now() + dt.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    listed = "\n".join(sitemap_urls(client))
    assert "/scheduled-piece/" in listed
    assert f"{BASE}/category/unannounced/" in listed


def test_the_sitemap_costs_the_same_queries_however_many_posts_there_are(client, magazine) -> None:
    with CaptureQueriesContext(connection) as small:
        client.get("/sitemap.xml")
    for _ in range(20):
        PostFactory(tags=[TagFactory(), TagFactory()], authors=[PersonFactory(), PersonFactory()])
    PageFactory()
    with CaptureQueriesContext(connection) as large:
        client.get("/sitemap.xml")
    # One post's row must not cost a query of its own (each post's permalink needs its status).
    grown = shapes(large) - shapes(small)
    assert len(large.captured_queries) == len(small.captured_queries), grown


def test_robots_txt_disallows_the_admin_and_names_the_sitemap(client) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
