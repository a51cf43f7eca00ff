"""Old addresses of a WordPress site's content (stoa.wordpress.links), as tables: each
structure, a site in a subdirectory, and the sample export's own site."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from stoa.wordpress import links
from stoa.wordpress.links import OldSite

SAMPLE = Path(__file__).parent / "data" / "sample-export.wordpress.xml"
SAMPLE_BASE = "https://practice-sample.example"
SAMPLE_STRUCTURE = "/%year%/%monthnum%/%day%/%postname%/"
# A post's local date as WordPress writes it (wp:post_date): wall-clock time, no zone.
WHEN = dt.datetime(2024, 3, 5, 9, 15, 7)  # noqa: DTZ001

sample = OldSite(SAMPLE_BASE, SAMPLE_STRUCTURE)


@pytest.mark.parametrize(
    ("structure", "expected"),
    [
        ("", "/?p=4"),
        ("/%year%/%monthnum%/%day%/%postname%/", "/2024/03/05/first-session/"),
        ("/%year%/%monthnum%/%postname%/", "/2024/03/first-session/"),
        ("/%postname%/", "/first-session/"),
        ("/%postname%", "/first-session"),
        ("/archives/%post_id%", "/archives/4"),
        ("/%category%/%postname%/", "/clinical-practice/trauma-work/first-session/"),
        ("/%author%/%postname%/", "/maria-editor/first-session/"),
        ("/%year%/%hour%-%minute%-%second%/%postname%.html", "/2024/09-15-07/first-session.html"),
        ("%year%/%postname%/", "/2024/first-session/"),
    ],
)
def test_a_posts_permalink_under_each_structure(structure: str, expected: str) -> None:
    site = OldSite("https://example.com", structure)
    made = links.permalink(
        site,
        post_id=4,
        slug="first-session",
        date=WHEN,
        category="clinical-practice/trauma-work",
        author="maria.editor",
    )
    assert made == expected


def test_a_post_without_a_slug_is_at_its_id_whatever_the_structure() -> None:
    assert links.permalink(sample, post_id=9, slug="", date=WHEN) == "/?p=9"


def test_every_old_address_of_a_post_its_permalink_first() -> None:
    paths = links.post_paths(
        sample,
        post_id=4,
        slug="notes-from-a-first-session",
        date=WHEN,
        link="https://practice-sample.example/2024/03/05/notes-from-a-first-session",
    )
    assert paths == [
        "/2024/03/05/notes-from-a-first-session/",
        "/?p=4",
        "/2024/03/notes-from-a-first-session/",
        "/notes-from-a-first-session/",
        "/2024/03/05/notes-from-a-first-session",
    ]


def test_a_post_filed_by_category_has_its_category_address_too() -> None:
    site = OldSite("https://example.com", "/%category%/%postname%/")
    paths = links.post_paths(
        site, post_id=4, slug="a-post", date=WHEN, category="clinical-practice/trauma-work"
    )
    assert paths[0] == "/clinical-practice/trauma-work/a-post/"
    assert "/?p=4" in paths and "/2024/03/05/a-post/" in paths


@pytest.mark.parametrize(
    ("site", "atom", "expected"),
    [
        (
            sample,
            False,
            [
                "/2024/03/05/a-post/feed/",
                "/2024/03/05/a-post/feed/rss2/",
                "/2024/03/05/a-post/feed/rss/",
                "/2024/03/05/a-post/feed/rdf/",
                "/a-post/feed/",
                "/?p=4&feed=rss2",
            ],
        ),
        (
            sample,
            True,
            ["/2024/03/05/a-post/feed/atom/", "/a-post/feed/atom/", "/?p=4&feed=atom"],
        ),
        (OldSite("https://example.com"), False, ["/a-post/feed/", "/?p=4&feed=rss2"]),
        (
            OldSite("https://example.com", "/archives/%post_id%"),
            True,
            ["/archives/4/feed/atom", "/a-post/feed/atom", "/?p=4&feed=atom"],
        ),
    ],
)
def test_a_posts_comment_feed(site: OldSite, atom: bool, expected: list[str]) -> None:
    paths = links.post_comment_feed_paths(site, post_id=4, slug="a-post", date=WHEN, atom=atom)
    assert paths == expected


def test_pages_nest_by_their_parents_as_in_the_sample() -> None:
    nested = links.nested_paths({18: ("about", None), 19: ("team", 18), 20: ("history", 19)})
    assert nested == {18: "about", 19: "about/team", 20: "about/team/history"}
    assert links.page_paths(sample, page_id=20, path=nested[20]) == [
        "/about/team/history/",
        "/?page_id=20",
    ]


def test_a_broken_hierarchy_still_gives_paths() -> None:
    nested = links.nested_paths({1: ("a", 2), 2: ("b", 1), 3: ("c", 99)})
    assert nested == {1: "b/a", 2: "a/b", 3: "c"}


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        (
            lambda s: links.category_paths(s, term_id=3, path="clinical-practice/trauma-work"),
            ["/category/clinical-practice/trauma-work/", "/?cat=3"],
        ),
        (
            lambda s: links.category_feed_paths(s, path="greek", atom=True),
            ["/category/greek/feed/atom/"],
        ),
        (lambda s: links.tag_paths(s, slug="intake"), ["/tag/intake/", "/?tag=intake"]),
        (
            lambda s: links.tag_paths(s, slug="%d8%b9%d9%84%d8%a7%d8%ac"),
            ["/tag/%d8%b9%d9%84%d8%a7%d8%ac/", "/?tag=%d8%b9%d9%84%d8%a7%d8%ac"],
        ),
        (lambda s: links.tag_feed_paths(s, slug="intake")[0], "/tag/intake/feed/"),
        (
            lambda s: links.author_paths(s, login="maria.editor", author_id=2),
            ["/author/maria-editor/", "/?author=2"],
        ),
        (lambda s: links.author_feed_paths(s, login="tom")[0], "/author/tom/feed/"),
        (
            lambda s: links.site_feed_paths(s),
            [
                "/feed/",
                "/feed/rss2/",
                "/feed/rss/",
                "/feed/rdf/",
                "/?feed=rss2",
                "/?feed=rss",
                "/?feed=rdf",
            ],
        ),
        (lambda s: links.site_feed_paths(s, atom=True), ["/feed/atom/", "/?feed=atom"]),
        (
            lambda s: links.comments_feed_paths(s),
            [
                "/comments/feed/",
                "/comments/feed/rss2/",
                "/comments/feed/rss/",
                "/comments/feed/rdf/",
                "/?feed=comments-rss2",
            ],
        ),
        (lambda s: links.listing_page_path(s, 2), "/page/2/"),
        (
            lambda s: links.listing_page_path(s, 3, under="/category/greek/"),
            "/category/greek/page/3/",
        ),
        (
            lambda s: links.attachment_paths(
                s, attachment_id=5, link="https://practice-sample.example/?attachment_id=5"
            ),
            ["/?attachment_id=5"],
        ),
        (
            lambda s: links.upload_path(s, "/wp-content/uploads/2024/03/waiting-room.jpg"),
            "/wp-content/uploads/2024/03/waiting-room.jpg",
        ),
        (
            lambda s: links.upload_path(
                s, "https://www.practice-sample.example/wp-content/uploads/2024/03/a%20b.jpg?v=2"
            ),
            "/wp-content/uploads/2024/03/a%20b.jpg",
        ),
        (
            lambda s: links.upload_name(s, "/wp-content/uploads/2024/03/a%20b.jpg"),
            "2024/03/a b.jpg",
        ),
        (
            lambda s: links.upload_path(s, "https://elsewhere.example/wp-content/uploads/x.jpg"),
            None,
        ),
        (lambda s: links.upload_path(s, "/2024/03/05/a-post/"), None),
    ],
)
def test_terms_authors_feeds_and_uploads(made, expected) -> None:
    assert made(sample) == expected


def test_other_bases_of_categories_and_tags() -> None:
    site = OldSite(SAMPLE_BASE, SAMPLE_STRUCTURE, category_base="topics", tag_base="keyword")
    assert links.category_paths(site, path="greek")[0] == "/topics/greek/"
    assert links.tag_paths(site, slug="intake")[0] == "/keyword/intake/"


@pytest.mark.parametrize(
    ("keep", "expected"),
    [
        (
            False,
            {
                "post": ["/2024/03/05/a-post/", "/?p=4", "/2024/03/a-post/", "/a-post/"],
                "page": ["/about/", "/?page_id=18"],
                "feed": "/feed/",
                "upload": "/wp-content/uploads/2024/03/a.jpg",
                "link": "/2024/03/05/a-post/",
                "outside": None,
            },
        ),
        (
            True,
            {
                "post": [
                    "/blog/2024/03/05/a-post/",
                    "/blog/?p=4",
                    "/blog/2024/03/a-post/",
                    "/blog/a-post/",
                ],
                "page": ["/blog/about/", "/blog/?page_id=18"],
                "feed": "/blog/feed/",
                "upload": "/blog/wp-content/uploads/2024/03/a.jpg",
                "link": "/blog/2024/03/05/a-post/",
                "outside": None,
            },
        ),
    ],
)
def test_a_site_in_a_subdirectory(keep: bool, expected: dict[str, object]) -> None:
    site = OldSite("https://example.com/blog/", SAMPLE_STRUCTURE, keep_subdirectory=keep)
    assert site.subdirectory == "/blog"
    made = {
        "post": links.post_paths(site, post_id=4, slug="a-post", date=WHEN),
        "page": links.page_paths(site, page_id=18, path="about"),
        "feed": links.site_feed_paths(site)[0],
        "upload": links.upload_path(
            site, "https://example.com/blog/wp-content/uploads/2024/03/a.jpg"
        ),
        "link": site.relative("https://example.com/blog/2024/03/05/a-post/"),
        "outside": site.relative("https://example.com/shop/cart/"),
    }
    assert made == expected


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://example.com/?p=4", ""),
        ("https://example.com/2024/03/05/a-post/", "/%year%/%monthnum%/%day%/%postname%/"),
        ("https://example.com/2024/03/a-post/", "/%year%/%monthnum%/%postname%/"),
        ("https://example.com/a-post/", "/%postname%/"),
        ("https://example.com/archives/4", "/archives/%post_id%"),
        ("https://example.com/clinical/a-post/", "/%category%/%postname%/"),
        ("https://example.com/a/b/c/", None),
        ("https://elsewhere.example/a-post/", None),
    ],
)
def test_the_structure_is_found_from_a_posts_link(link: str, expected: str | None) -> None:
    site = OldSite("https://example.com")
    found = links.guess_structure(
        site, link=link, post_id=4, slug="a-post", date=WHEN, category="clinical"
    )
    assert found == expected


@pytest.mark.parametrize(
    ("login", "nicename"),
    [("maria.editor", "maria-editor"), ("Tom Baptiste", "tom-baptiste"), ("ana@x", "anax")],
)
def test_an_authors_address_name_is_derived_from_their_login(login: str, nicename: str) -> None:
    assert links.nicename(login) == nicename


# ---------------------------------------------------------------------------- the sample


WP = "{http://wordpress.org/export/1.2/}"


def sample_posts() -> list[dict[str, str]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(SAMPLE), parser).getroot()
    return [
        {
            "link": item.findtext("link") or "",
            "id": item.findtext(f"{WP}post_id") or "",
            "slug": item.findtext(f"{WP}post_name") or "",
            "date": item.findtext(f"{WP}post_date") or "",
            "type": item.findtext(f"{WP}post_type") or "",
            "status": item.findtext(f"{WP}status") or "",
        }
        for item in root.iter("item")
    ]


def test_the_sample_exports_published_posts_are_where_their_links_say() -> None:
    published = [p for p in sample_posts() if p["type"] == "post" and p["status"] == "publish"]
    assert len(published) >= 5
    for post in published:
        date = dt.datetime.fromisoformat(post["date"])
        paths = links.post_paths(
            sample, post_id=int(post["id"]), slug=post["slug"], date=date, link=post["link"]
        )
        # The sample's links lack the structure's trailing slash (WordPress wrote them before
        # its rewrite rules took the new structure in); the redirects answer both spellings.
        assert paths[0] == sample.relative(post["link"]) + "/"
        assert f"/?p={post['id']}" in paths
        guessed = links.guess_structure(
            sample, link=post["link"], post_id=int(post["id"]), slug=post["slug"], date=date
        )
        assert guessed == SAMPLE_STRUCTURE.rstrip("/")
