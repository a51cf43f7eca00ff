"""Reader-facing pages through the test client: what they show, to whom, and at what cost."""

from __future__ import annotations

import datetime as dt
import re

import lxml.html
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stoa.core.conf import stoa_setting
from stoa.publishing.models import Post, PostStatus
from stoa.publishing.tests.factories import (
    CategoryFactory,
    EditorFactory,
    PageFactory,
    PersonFactory,
    PostFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOT_FOUND = "We couldn't find that page"
SITE = "The Practice Review"


def at(year: int, month: int, day: int = 15, hour: int = 12) -> dt.datetime:
    """A moment safely inside the given local day, whatever the site's time zone."""
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


def html(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def text_of(response) -> str:
    return response.content.decode()


_STEP = re.compile(
    r"^(?P<tag>[a-z0-9]*)(?P<classes>(?:\.[\w-]+)*)(?:\[(?P<attr>\w+)=(?P<value>[\w-]+)\])?$"
)


def select(node, selector: str) -> list:
    """The elements under node matching a small CSS subset: `tag.class[attr=value]` steps."""
    path = "."
    for step in selector.split():
        match = _STEP.match(step)
        assert match, step
        conditions = [
            f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
            for name in match["classes"].split(".")
            if name
        ]
        if match["attr"]:
            conditions.append(f'@{match["attr"]}="{match["value"]}"')
        path += "//" + (match["tag"] or "*") + "".join(f"[{c}]" for c in conditions)
    return node.xpath(path)


def title_of(response) -> str:
    return html(response).findtext(".//title").strip()


def meta(response, **attrs: str) -> str | None:
    ((key, value),) = attrs.items()
    key = {"property_": "property"}.get(key, key)
    found = html(response).xpath(f'//meta[@{key}="{value}"]/@content')
    return found[0] if found else None


def canonical(response) -> str | None:
    found = html(response).xpath('//link[@rel="canonical"]/@href')
    return found[0] if found else None


def summary_titles(response) -> list[str]:
    return [a.text_content() for a in select(html(response), "article.summary h2 a")]


def teaser_deks(response) -> list[str]:
    return [p.text_content() for p in select(html(response), ".widget--featured .teaser__dek")]


def assert_styled_404(response) -> None:
    assert response.status_code == 404
    assert NOT_FOUND in text_of(response)
    assert '<main id="content"' in text_of(response)


@pytest.fixture(autouse=True)
def _site_name(settings):
    settings.STOA = {**settings.STOA, "SITE_NAME": SITE}


@pytest.fixture
def member(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def editor(client):
    user = EditorFactory()
    client.force_login(user)
    return user


@pytest.fixture
def story():
    """Three posts in a row in March 2024; the middle one is fully dressed."""
    ada = PersonFactory(name="Ada Quill", slug="ada-quill")
    ben = PersonFactory(name="Ben Ort", slug="ben-ort")
    practice = CategoryFactory(name="Clinical Practice", slug="clinical-practice")
    alpha, beta = TagFactory(name="alpha", slug="alpha"), TagFactory(name="beta", slug="beta")
    older = PostFactory(title="Older Thoughts", slug="older-thoughts", published_at=at(2024, 3, 10))
    middle = PostFactory(
        title="On Listening",
        slug="on-listening",
        dek="What the silence in a session is for",
        body="<p>Listening is the whole of the work.</p>",
        authors=[ada, ben],
        categories=[practice],
        tags=[alpha, beta],
        published_at=at(2024, 3, 15),
    )
    newer = PostFactory(title="Newer Thoughts", slug="newer-thoughts", published_at=at(2024, 3, 20))
    return {"older": older, "post": middle, "newer": newer, "ada": ada, "category": practice}


# --- Home -------------------------------------------------------------------------------------


def test_home_lists_published_posts_under_the_site_name(client, story) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert title_of(response) == SITE
    assert meta(response, name="description") == stoa_setting("TAGLINE")
    assert canonical(response) == "http://testserver/"
    assert summary_titles(response) == ["Newer Thoughts", "On Listening", "Older Thoughts"]


def test_every_page_has_a_skip_link_a_main_landmark_and_a_log_in_link(client, story) -> None:
    response = client.get("/")
    page = text_of(response)
    assert '<a class="skip-link" href="#content">Skip to content</a>' in page
    assert '<main id="content"' in page
    log_in = html(response).xpath('//nav[@class="account-nav"]//a[text()="Log in"]/@href')
    assert log_in == ["/accounts/login/?next=/"]


def test_the_menu_shows_published_menu_pages_in_order(client, story) -> None:
    PageFactory(title="Contact", slug="contact", show_in_menu=True, menu_order=2)
    PageFactory(title="About", slug="about", show_in_menu=True, menu_order=1)
    PageFactory(title="Hidden", slug="hidden", show_in_menu=False)
    PageFactory(title="Unfinished", slug="unfinished", show_in_menu=True, status="draft")
    response = client.get("/")
    nav = select(html(response), "nav.site-nav a")
    assert [(a.text_content(), a.get("href")) for a in nav] == [
        ("Home", "/"),
        ("About", "/about/"),
        ("Contact", "/contact/"),
    ]


def test_a_sticky_post_comes_first_on_home(client, story) -> None:
    PostFactory(title="Read Me First", is_sticky=True, published_at=at(2023, 1, 1))
    response = client.get("/")
    assert summary_titles(response)[0] == "Read Me First"
    first = select(html(response), "article.summary")[0]
    assert "summary--sticky" in first.get("class")
    assert "Editor's note" in first.text_content()


def test_a_sticky_post_is_not_first_in_its_archive(client, story) -> None:
    PostFactory(
        title="Read Me First",
        is_sticky=True,
        categories=[story["category"]],
        published_at=at(2023, 1, 1),
    )
    response = client.get("/category/clinical-practice/")
    assert summary_titles(response) == ["On Listening", "Read Me First"]


def test_the_featured_teaser_cuts_a_long_dek_at_a_word_boundary(client, story) -> None:
    PostFactory(
        title="Supervising Supervisors",
        dek="Supervision changes the supervisor as much as it changes the trainee",
        is_featured=True,
    )
    response = client.get("/")
    assert teaser_deks(response) == ["Supervision changes the supervisor as ..."]
    teaser = select(html(response), ".widget--featured a.teaser__title")[0]
    assert teaser.text_content() == "Supervising Supervisors"


def test_a_short_featured_dek_is_shown_whole(client, story) -> None:
    PostFactory(title="Short", dek="Brief and whole", is_featured=True)
    response = client.get("/")
    assert teaser_deks(response) == ["Brief and whole"]


def test_the_category_widget_counts_published_posts(client, story) -> None:
    PostFactory(title="Hidden draft", draft=True, categories=[story["category"]])
    response = client.get("/")
    items = select(html(response), ".widget--categories li")
    texts = [" ".join(li.text_content().split()) for li in items]
    assert "Clinical Practice (1)" in texts


# --- Post page --------------------------------------------------------------------------------


def test_a_post_page_shows_title_description_canonical_and_opengraph(client, story) -> None:
    response = client.get("/2024/03/on-listening/")
    assert response.status_code == 200
    assert title_of(response) == f"On Listening | {SITE}"
    assert meta(response, name="description") == "What the silence in a session is for"
    assert canonical(response) == "http://testserver/2024/03/on-listening/"
    assert meta(response, property_="og:title") == "On Listening"
    assert meta(response, property_="og:type") == "article"
    assert meta(response, property_="og:url") == "http://testserver/2024/03/on-listening/"
    assert meta(response, name="robots") is None


def test_a_post_page_shows_the_dek_the_byline_and_the_body(client, story) -> None:
    response = client.get("/2024/03/on-listening/")
    doc = html(response)
    assert select(doc, "h1.post__title")[0].text_content() == "On Listening"
    assert select(doc, "p.dek")[0].text_content() == "What the silence in a session is for"
    byline = select(doc, "article.post p.byline")[0]
    authors = [(a.text_content(), a.get("href"), a.get("rel")) for a in select(byline, "a")]
    assert authors == [
        ("Ada Quill", "/author/ada-quill/", "author"),
        ("Ben Ort", "/author/ben-ort/", "author"),
    ]
    assert "By Ada Quill and Ben Ort" in byline.text_content()
    assert "Listening is the whole of the work." in select(doc, ".post__body")[0].text_content()


def test_a_post_page_files_the_post_and_links_its_permalink(client, story) -> None:
    page = text_of(client.get("/2024/03/on-listening/"))
    line = re.compile(
        r'Posted in <a [^>]*href="/category/clinical-practice/"[^>]*>Clinical Practice</a>'
        r' \| Tagged <a [^>]*href="/tag/alpha/"[^>]*>alpha</a>, '
        r'<a [^>]*href="/tag/beta/"[^>]*>beta</a>\. '
        r'Bookmark the <a (?=[^>]*href="/2024/03/on-listening/")(?=[^>]*rel="bookmark")[^>]*>'
        r"permalink</a>\."
    )
    assert line.search(page), page


def test_a_post_without_tags_has_no_tagged_part(client, story) -> None:
    page = text_of(client.get(story["older"].get_absolute_url()))
    assert "Posted in <a " in page
    assert "| Tagged" not in page


def test_a_post_page_links_the_previous_and_next_posts(client, story) -> None:
    doc = html(client.get("/2024/03/on-listening/"))
    previous = select(doc, "nav.post-nav a[rel=prev]")[0]
    following = select(doc, "nav.post-nav a[rel=next]")[0]
    assert previous.get("href") == "/2024/03/older-thoughts/"
    assert "Older Thoughts" in previous.text_content()
    assert following.get("href") == "/2024/03/newer-thoughts/"
    assert "Newer Thoughts" in following.text_content()


def test_the_newest_post_has_no_next_link(client, story) -> None:
    doc = html(client.get("/2024/03/newer-thoughts/"))
    assert select(doc, "nav.post-nav a[rel=prev]")
    assert not select(doc, "nav.post-nav a[rel=next]")


def test_previous_and_next_skip_posts_readers_cannot_see(client, story) -> None:
    PostFactory(title="Secret Middle", draft=True)
    PostFactory(title="Private Middle", private=True, published_at=at(2024, 3, 17))
    doc = html(client.get("/2024/03/on-listening/"))
    assert select(doc, "nav.post-nav a[rel=next]")[0].get("href") == "/2024/03/newer-thoughts/"


def test_a_permalink_with_a_wrong_date_redirects_permanently(client, story) -> None:
    response = client.get("/2019/11/on-listening/")
    assert response.status_code == 301
    assert response["Location"] == "/2024/03/on-listening/"


def test_the_preview_of_a_live_post_redirects_to_its_permalink(client, story, editor) -> None:
    response = client.get(f"/preview/{story['post'].pk}/")
    assert response.status_code == 301
    assert response["Location"] == "/2024/03/on-listening/"


# --- Archives ---------------------------------------------------------------------------------


def test_a_category_archive_lists_its_posts(client, story) -> None:
    PostFactory(title="Elsewhere")
    response = client.get("/category/clinical-practice/")
    assert response.status_code == 200
    assert title_of(response) == f"Category: Clinical Practice | {SITE}"
    assert meta(response, name="description") == "Category: Clinical Practice"
    assert canonical(response) == "http://testserver/category/clinical-practice/"
    assert summary_titles(response) == ["On Listening"]
    feed = html(response).xpath('//link[@type="application/rss+xml"]/@href')
    assert "/category/clinical-practice/feed/" in feed


def test_a_category_archive_includes_posts_of_child_categories(client, story) -> None:
    child = CategoryFactory(name="Couples Work", slug="couples", parent=story["category"])
    grandchild = CategoryFactory(name="Premarital", slug="premarital", parent=child)
    PostFactory(title="Two in the Room", categories=[child], published_at=at(2024, 4, 1))
    PostFactory(title="Before the Vows", categories=[grandchild], published_at=at(2024, 5, 1))
    response = client.get("/category/clinical-practice/")
    assert summary_titles(response) == ["Before the Vows", "Two in the Room", "On Listening"]
    assert summary_titles(client.get("/category/couples/")) == [
        "Before the Vows",
        "Two in the Room",
    ]


def test_a_post_in_a_category_and_its_child_is_listed_once(client, story) -> None:
    child = CategoryFactory(name="Couples Work", slug="couples", parent=story["category"])
    PostFactory(title="Both", categories=[story["category"], child], published_at=at(2024, 4, 1))
    response = client.get("/category/clinical-practice/")
    assert summary_titles(response) == ["Both", "On Listening"]


def test_a_category_description_is_the_meta_description(client, story) -> None:
    CategoryFactory(name="Ethics", slug="ethics", description="Hard cases, plainly argued.")
    response = client.get("/category/ethics/")
    assert response.status_code == 200
    assert meta(response, name="description") == "Hard cases, plainly argued."
    assert "Nothing has been published here yet." in text_of(response)


def test_a_tag_archive_lists_its_posts(client, story) -> None:
    response = client.get("/tag/alpha/")
    assert response.status_code == 200
    assert title_of(response) == f"Tag: alpha | {SITE}"
    assert canonical(response) == "http://testserver/tag/alpha/"
    assert summary_titles(response) == ["On Listening"]


def test_an_author_archive_shows_the_bio_and_their_posts(client, story) -> None:
    PostFactory(title="Solo Piece", authors=[story["ada"]], published_at=at(2024, 6, 1))
    response = client.get("/author/ada-quill/")
    assert response.status_code == 200
    assert title_of(response) == f"Author: Ada Quill | {SITE}"
    assert meta(response, name="description") == "Ada Quill writes about clinical supervision."
    assert "Ada Quill writes about clinical supervision." in text_of(response)
    assert summary_titles(response) == ["Solo Piece", "On Listening"]


def test_a_year_archive_lists_that_years_posts(client, story) -> None:
    PostFactory(title="Last Year", published_at=at(2023, 6, 1))
    response = client.get("/2024/")
    assert response.status_code == 200
    assert title_of(response) == f"Yearly archives: 2024 | {SITE}"
    assert summary_titles(response) == ["Newer Thoughts", "On Listening", "Older Thoughts"]
    assert summary_titles(client.get("/2023/")) == ["Last Year"]


def test_a_month_archive_lists_that_months_posts(client, story) -> None:
    PostFactory(title="April Piece", published_at=at(2024, 4, 2))
    response = client.get("/2024/03/")
    assert response.status_code == 200
    assert title_of(response) == f"Monthly archives: March 2024 | {SITE}"
    assert summary_titles(response) == ["Newer Thoughts", "On Listening", "Older Thoughts"]
    assert summary_titles(client.get("/2024/04/")) == ["April Piece"]


def test_a_month_archive_follows_the_site_time_zone(client, settings, story) -> None:
    settings.TIME_ZONE = "America/New_York"
    # 03:00 UTC on 1 May is still 30 April in New York.
    PostFactory(title="Late April", published_at=dt.datetime(2024, 5, 1, 3, tzinfo=dt.UTC))
    assert summary_titles(client.get("/2024/04/")) == ["Late April"]
    assert summary_titles(client.get("/2024/05/")) == []


def test_a_month_that_does_not_exist_is_not_found(client, story) -> None:
    assert_styled_404(client.get("/2024/13/"))
    assert_styled_404(client.get("/0000/"))


# --- Pagination -------------------------------------------------------------------------------


@pytest.fixture
def many_posts(settings):
    settings.STOA = {**settings.STOA, "POSTS_PER_PAGE": 2}
    return [PostFactory(title=f"Entry {n}", published_at=at(2024, 1, n)) for n in range(1, 6)]


def test_home_pages_through_older_posts(client, many_posts) -> None:
    first = client.get("/")
    assert summary_titles(first) == ["Entry 5", "Entry 4"]
    older = select(html(first), "a.pagination__older")[0]
    assert older.get("href") == "?page=2"
    second = client.get("/?page=2")
    assert second.status_code == 200
    assert summary_titles(second) == ["Entry 3", "Entry 2"]
    assert title_of(second) == f"{SITE} – Page 2"
    assert "Page 2 of 3" in text_of(second)
    newer = select(html(second), "a.pagination__newer")[0]
    assert newer.get("href") == "/"
    assert summary_titles(client.get("/?page=3")) == ["Entry 1"]


def test_an_archive_pages_and_names_the_page_in_title_and_canonical(client, many_posts) -> None:
    response = client.get("/2024/01/?page=2")
    assert response.status_code == 200
    assert title_of(response) == f"Monthly archives: January 2024 – Page 2 | {SITE}"
    assert canonical(response) == "http://testserver/2024/01/?page=2"


@pytest.mark.parametrize("page", ["99", "abc", "0", "-1"])
def test_a_page_number_out_of_range_or_not_a_number_is_not_found(client, many_posts, page):
    assert_styled_404(client.get(f"/?page={page}"))
    assert_styled_404(client.get(f"/2024/?page={page}"))


# --- Static pages -----------------------------------------------------------------------------


@pytest.fixture
def about():
    about = PageFactory(
        title="About", slug="about", body="<p>We are a magazine for practitioners.</p>"
    )
    standards = PageFactory(
        title="Editorial Standards",
        slug="editorial-standards",
        parent=about,
        body="<p>Every claim is sourced. Every case is disguised.</p>",
    )
    return about, standards


def test_a_static_page_answers_at_its_slug(client, about) -> None:
    response = client.get("/about/")
    assert response.status_code == 200
    assert title_of(response) == f"About | {SITE}"
    assert meta(response, name="description") == "We are a magazine for practitioners."
    assert canonical(response) == "http://testserver/about/"
    assert "We are a magazine for practitioners." in text_of(response)
    assert "Preview: this post" not in text_of(response)


def test_a_child_page_answers_below_its_parent(client, about) -> None:
    response = client.get("/about/editorial-standards/")
    assert response.status_code == 200
    assert title_of(response) == f"Editorial Standards | {SITE}"
    assert canonical(response) == "http://testserver/about/editorial-standards/"
    assert "Every claim is sourced." in text_of(response)


def test_a_child_page_is_not_found_at_its_bare_slug(client, about) -> None:
    assert_styled_404(client.get("/editorial-standards/"))


def test_a_draft_page_is_not_visible_to_readers_but_is_to_editors(client, about) -> None:
    PageFactory(title="Masthead", slug="masthead", status="draft")
    assert_styled_404(client.get("/masthead/"))
    client.force_login(UserFactory())
    assert_styled_404(client.get("/masthead/"))
    client.force_login(EditorFactory())
    response = client.get("/masthead/")
    assert response.status_code == 200
    assert "Preview: this page is a draft" in text_of(response)


# --- robots.txt -------------------------------------------------------------------------------


def test_robots_txt_keeps_crawlers_out_of_the_back_office(client) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Disallow: /preview/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


# --- Not found --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/no-such-page/",
        "/about/no-such-child/",
        "/2024/03/no-such-post/",
        "/category/no-such-category/",
        "/tag/no-such-tag/",
        "/author/no-such-author/",
        "/preview/999999/",
    ],
)
def test_an_unknown_address_gets_the_styled_404_page(client, story, url) -> None:
    response = client.get(url)
    assert_styled_404(response)
    assert title_of(response) == f"Page not found | {SITE}"
    assert meta(response, name="robots") == "noindex"


# --- Who sees what ----------------------------------------------------------------------------


@pytest.fixture
def hidden(story):
    """Posts readers may not see (draft, pending, scheduled, private), featured and sticky."""
    filing = {
        "authors": [story["ada"]],
        "categories": [story["category"]],
        "tags": list(story["post"].tags.all()),
        "is_featured": True,
        "is_sticky": True,
    }
    return {
        "draft": PostFactory(title="Draft Piece", slug="draft-piece", draft=True, **filing),
        "pending": PostFactory(title="Pending Piece", slug="pending-piece", pending=True, **filing),
        "scheduled": PostFactory(
            title="Scheduled Piece", slug="scheduled-piece", scheduled=True, **filing
        ),
        "private": PostFactory(title="Private Piece", slug="private-piece", private=True, **filing),
    }


def permalink(post: Post) -> str:
    """The address the post would have as a published post (today's date for undated ones)."""
    local = timezone.localtime(post.published_at or timezone.now())
    return f"/{local:%Y}/{local:%m}/{post.slug}/"


HIDDEN_KINDS = ["draft", "pending", "scheduled"]


def test_the_hidden_fixture_has_the_statuses_it_claims(hidden) -> None:
    assert {kind: post.status for kind, post in hidden.items()} == {
        "draft": PostStatus.DRAFT,
        "pending": PostStatus.PENDING,
        "scheduled": PostStatus.SCHEDULED,
        "private": PostStatus.PRIVATE,
    }


@pytest.mark.parametrize("kind", HIDDEN_KINDS)
def test_an_unpublished_post_is_not_visible_to_readers(client, hidden, kind) -> None:
    post = hidden[kind]
    assert_styled_404(client.get(permalink(post)))
    assert_styled_404(client.get(f"/preview/{post.pk}/"))


@pytest.mark.parametrize("kind", HIDDEN_KINDS)
def test_an_unpublished_post_is_not_visible_to_a_member(client, hidden, member, kind) -> None:
    post = hidden[kind]
    assert_styled_404(client.get(permalink(post)))
    assert_styled_404(client.get(f"/preview/{post.pk}/"))


@pytest.mark.parametrize("kind", HIDDEN_KINDS)
def test_an_editor_sees_the_preview_of_an_unpublished_post(client, hidden, editor, kind) -> None:
    post = hidden[kind]
    response = client.get(f"/preview/{post.pk}/")
    assert response.status_code == 200
    assert title_of(response) == f"{post.title} | {SITE}"
    notice = select(html(response), "p.notice")[0].text_content()
    assert notice.startswith("Preview: this post is")
    assert post.get_status_display().lower() in notice
    assert meta(response, name="robots") == "noindex"


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/category/clinical-practice/",
        "/tag/alpha/",
        "/author/ada-quill/",
        "/2024/",
        "/2024/03/",
        "/{year}/",
        "/{year}/{month}/",
    ],
)
def test_unpublished_and_private_posts_are_absent_from_home_and_archives(
    client, hidden, url
) -> None:
    now = timezone.localtime()
    later = timezone.localtime(hidden["scheduled"].published_at)
    for moment in (now, later):
        response = client.get(url.format(year=f"{moment:%Y}", month=f"{moment:%m}"))
        assert response.status_code == 200
        page = text_of(response)
        for title in ("Draft Piece", "Pending Piece", "Scheduled Piece", "Private Piece"):
            assert title not in page


def test_unpublished_posts_are_absent_even_for_editors_on_home(client, hidden, editor) -> None:
    titles = summary_titles(client.get("/"))
    assert titles == ["Newer Thoughts", "On Listening", "Older Thoughts"]


def test_a_private_post_is_not_visible_to_readers_or_members(client, hidden) -> None:
    url = hidden["private"].get_absolute_url()
    assert url == permalink(hidden["private"])
    assert_styled_404(client.get(url))
    client.force_login(UserFactory())
    assert_styled_404(client.get(url))


def test_a_private_post_is_visible_to_an_editor(client, hidden, editor) -> None:
    response = client.get(hidden["private"].get_absolute_url())
    assert response.status_code == 200
    assert "Private: only staff can see this post." in text_of(response)


def test_a_scheduled_post_appears_by_itself_once_its_time_has_passed(
    client, story, monkeypatch
) -> None:
    post = PostFactory(
        title="Tomorrow's Piece",
        slug="tomorrows-piece",
        categories=[story["category"]],
        published_at=timezone.now() + dt.timedelta(days=1),
    )
    assert post.status == PostStatus.SCHEDULED
    url = post.get_absolute_url()
    updated_at = post.updated_at
    assert "Tomorrow&#x27;s Piece" not in text_of(client.get("/"))
    assert_styled_404(client.get(url))

    later = timezone.now() + dt.timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert summary_titles(client.get("/"))[0] == "Tomorrow's Piece"
    response = client.get(url)
    assert response.status_code == 200
    assert "Preview: this post" not in text_of(response)
    assert "Tomorrow's Piece" in summary_titles(client.get("/category/clinical-practice/"))
    # Nobody re-saved it: the row still says "scheduled".
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    assert post.updated_at == updated_at


# --- Query counts -----------------------------------------------------------------------------


def queries_for(client, url: str) -> int:
    """Queries for one view of url with a cold cache: the worst case a reader meets."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.fixture
def small_site(settings):
    settings.STOA = {**settings.STOA, "POSTS_PER_PAGE": 10, "FEED_ITEMS": 20}
    category = CategoryFactory(name="Practice", slug="practice")
    CategoryFactory(name="Sub Practice", slug="sub-practice", parent=category)
    person = PersonFactory(name="Ada Quill", slug="ada-quill")
    tag = TagFactory(name="supervision", slug="supervision")
    first = PostFactory(title="First", categories=[category], published_at=at(2024, 1, 1))
    middle = PostFactory(
        title="Middle",
        categories=[category],
        authors=[person],
        tags=[tag],
        is_featured=True,
        published_at=at(2024, 1, 2),
    )
    PostFactory(title="Last", categories=[category], published_at=at(2024, 1, 3))
    PageFactory(title="About", slug="about", show_in_menu=True)
    return {"category": category, "person": person, "tag": tag, "first": first, "middle": middle}


def grow(site: dict, n: int = 30) -> Post:
    """Add many posts, each with several authors, categories and tags; return one in the middle."""
    children = [
        CategoryFactory(parent=site["category"]),
        CategoryFactory(parent=site["category"]),
    ]
    people = [site["person"], *(PersonFactory() for _ in range(5))]
    tags = [site["tag"], *(TagFactory() for _ in range(7))]
    PageFactory(title="Contact", slug="contact", show_in_menu=True)
    posts = []
    for i in range(n):
        posts.append(
            PostFactory(
                title=f"Grown {i}",
                categories=[site["category"], children[i % 2], CategoryFactory()],
                authors=[people[0], *people[1 + i % 3 : 3 + i % 3]],
                tags=[tags[0], *tags[1 + i % 3 : 5 + i % 3]],
                is_featured=i % 3 == 0,
                is_sticky=i == 5,
                published_at=at(2024, 1 + i % 2, 1 + i % 28, hour=8 + i % 8),
            )
        )
    return posts[n // 2]


QUERY_COUNTED = {
    "home": "/",
    "category archive": "/category/practice/",
    "tag archive": "/tag/supervision/",
    "author archive": "/author/ada-quill/",
    "year archive": "/2024/",
    "month archive": "/2024/01/",
    "feed": "/feed/",
    "atom feed": "/feed/atom/",
    "category feed": "/category/practice/feed/",
    "tag feed": "/tag/supervision/feed/",
    "author feed": "/author/ada-quill/feed/",
}


def test_query_counts_do_not_grow_with_the_content(client, small_site) -> None:
    before = {name: queries_for(client, url) for name, url in QUERY_COUNTED.items()}
    before["post"] = queries_for(client, small_site["middle"].get_absolute_url())
    before["home page 2"] = before["home"]

    busy = grow(small_site)
    assert busy.authors.count() == 3 and busy.tags.count() == 5 and busy.categories.count() == 3
    after = {name: queries_for(client, url) for name, url in QUERY_COUNTED.items()}
    after["post"] = queries_for(client, busy.get_absolute_url())
    after["home page 2"] = queries_for(client, "/?page=2")

    assert after == before


def test_the_observed_query_counts(client, small_site, django_assert_num_queries) -> None:
    busy = grow(small_site)
    # Cold: the chrome costs four queries (menu, featured, recent comments, categories),
    # working out the content version two more (each content clock: scheduled posts, series
    # windows), the discussion settings one, and a post page's neighbours two, its clip one
    # and its related reading one (the search index's, kept per content version);
    # a feed, kept under the content version too, its four and the version's two.
    expected = {"/": 11, busy.get_absolute_url(): 16, "/category/practice/": 13, "/feed/": 6}
    for url, count in expected.items():
        cache.clear()
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


def test_the_sites_chrome_comes_from_the_cache_once_warm(
    client, small_site, django_assert_num_queries
) -> None:
    busy = grow(small_site)
    # Navigation, teasers, categories and recent comments no longer cost a query each, a
    # post page (the post, its neighbours, its thread) comes from the cache whole, and so do
    # a listing's content and a feed.
    expected = {"/": 0, busy.get_absolute_url(): 0, "/category/practice/": 0, "/feed/": 0}
    for url, count in expected.items():
        client.get(url)
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


def test_a_new_post_shows_in_the_cached_chrome_at_once(client, small_site) -> None:
    client.get("/")
    PostFactory(title="Fresh Feature", is_featured=True, categories=[small_site["category"]])
    assert "Fresh Feature" in text_of(client.get("/about/"))


def test_a_scheduled_featured_post_enters_the_cached_chrome_when_its_time_comes(
    client, small_site, monkeypatch
) -> None:
    post = PostFactory(
        title="Due Soon",
        is_featured=True,
        categories=[small_site["category"]],
        published_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert post.status == PostStatus.SCHEDULED
    assert "Due Soon" not in text_of(client.get("/about/"))
    later = timezone.now() + dt.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "Due Soon" in text_of(client.get("/about/"))


def test_the_home_page_costs_at_most_eleven_queries_cold(
    client, small_site, django_assert_max_num_queries
) -> None:
    grow(small_site)
    with django_assert_max_num_queries(11):
        client.get("/")


def test_a_post_page_costs_at_most_sixteen_queries_after_a_change(
    client, small_site, django_assert_max_num_queries
) -> None:
    busy = grow(small_site)
    with django_assert_max_num_queries(16):
        client.get(busy.get_absolute_url())


def test_a_category_archive_costs_at_most_thirteen_queries_cold(
    client, small_site, django_assert_max_num_queries
) -> None:
    grow(small_site)
    with django_assert_max_num_queries(13):
        client.get("/category/practice/")


def test_the_feed_costs_at_most_six_queries_cold(
    client, small_site, django_assert_max_num_queries
) -> None:
    grow(small_site)
    with django_assert_max_num_queries(6):
        client.get("/feed/")


# ---------------------------------------------------------------------------- the post's head


def head_link(request, post) -> str:
    return f'<link rel="alternate" href="/feeds/{post.pk}/" title="{post.title}">'


def test_apps_put_links_in_a_post_pages_head_through_the_post_head_slot(client, settings) -> None:
    settings.STOA = {**settings.STOA, "POST_HEAD": [f"{__name__}.head_link"]}
    post = PostFactory(title="On listening")
    page = client.get(post.get_absolute_url()).content.decode()
    head = page.split("</head>")[0]
    assert f'<link rel="alternate" href="/feeds/{post.pk}/" title="On listening">' in head
