"""Members-only posts: who reads them whole, what everyone else is shown, and that the body
never reaches a non-member by another road (listings, feeds, the shared caches). The
discussion under such a post is the assembled site's: stoa/tests/test_members_only.py."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import feedparser
import lxml.html
import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import resolve_url
from django.test import Client
from django.utils import timezone

from stoa.core.pagecache import MIDDLEWARE_PATH
from stoa.members.roles import Role
from stoa.publishing.models import Post, PostVisibility, can_read_full_post
from stoa.publishing.services import save_post, set_featured
from stoa.publishing.tests.factories import (
    PersonFactory,
    PostFactory,
    SuperuserFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "The whole method rests on one sentence said early"
TEASER = "Why the fee conversation goes wrong, and what to do first."
INVITATION = "This article is for members. Log in or join to read it."


def page(response: Any) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def words(node: lxml.html.HtmlElement) -> str:
    return " ".join(node.text_content().split())


def invitation(response: Any) -> lxml.html.HtmlElement | None:
    found = page(response).xpath('//aside[contains(@class, "members-only")]')
    return found[0] if found else None


@pytest.fixture
def members_post() -> Post:
    return PostFactory(
        title="Raising Your Fee",
        dek="A guide to the conversation most therapists dread",
        excerpt=TEASER,
        body=f"<p>{SECRET}.</p><p>And then the rest of it.</p>",
        authors=[PersonFactory(name="Priya Venkataraman")],
        members_only=True,
    )


@pytest.fixture
def public_post() -> Post:
    return PostFactory(title="Open Letter", body="<p>Everyone may read this body.</p>")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The rule ---------------------------------------------------------------------------------

READERS: dict[str, Callable[[], Any]] = {
    "anonymous": AnonymousUser,
    "member": UserFactory,
    "inactive member": lambda: UserFactory(is_active=False),
    "staff without any permission": lambda: UserFactory(is_staff=True),
    "author": lambda: UserFactory(role=Role.AUTHOR),
    "editor": lambda: UserFactory(role=Role.EDITOR),
    "inactive editor": lambda: UserFactory(role=Role.EDITOR, is_active=False),
    "moderator": lambda: UserFactory(role=Role.MODERATOR),
    "administrator": lambda: UserFactory(role=Role.ADMINISTRATOR),
    "superuser": SuperuserFactory,
}
# Who reads a members-only post whole: any signed-in, active account; nobody inactive.
READS_MEMBERS_POSTS = {
    "anonymous": False,
    "member": True,
    "inactive member": False,
    "staff without any permission": True,
    "author": True,
    "editor": True,
    "inactive editor": False,
    "moderator": True,
    "administrator": True,
    "superuser": True,
}


@pytest.mark.parametrize("reader", READERS)
def test_who_reads_a_members_only_post_whole(reader: str) -> None:
    post = PostFactory(members_only=True)
    assert can_read_full_post(READERS[reader](), post) is READS_MEMBERS_POSTS[reader]


@pytest.mark.parametrize("reader", READERS)
def test_everyone_reads_a_public_post_whole(reader: str) -> None:
    post = PostFactory()
    assert post.visibility == PostVisibility.PUBLIC
    assert can_read_full_post(READERS[reader](), post) is True


# --- The post page ----------------------------------------------------------------------------


def test_a_reader_not_signed_in_gets_the_teaser_and_an_invitation(members_post) -> None:
    url = members_post.get_absolute_url()

    response = Client().get(url)

    assert response.status_code == 200
    doc = page(response)
    assert words(doc.xpath("//h1")[0]) == "Raising Your Fee"
    assert "A guide to the conversation most therapists dread" in words(doc)
    assert words(doc.xpath('//*[contains(@class, "byline")]')[0]).startswith(
        "By Priya Venkataraman"
    )
    assert words(doc.xpath('//*[contains(@class, "post__teaser")]')[0]) == TEASER
    assert SECRET not in response.content.decode()
    assert not doc.xpath('//*[contains(@class, "post__body")]')
    box = invitation(response)
    assert box is not None
    assert words(box) == INVITATION
    links = {a.text_content(): a.get("href") for a in box.xpath(".//a")}
    login = resolve_url(settings.LOGIN_URL)
    assert links == {"Log in": f"{login}?next={url}", "join": f"/accounts/signup/?next={url}"}


@pytest.mark.parametrize(
    ("login_url", "address"),
    [("account_login", "/accounts/login/"), ("admin:login", "/admin/login/"), ("/in/", "/in/")],
)
def test_the_invitation_logs_in_where_login_url_says(
    settings, members_post, login_url, address
) -> None:
    settings.LOGIN_URL = login_url
    url = members_post.get_absolute_url()

    box = invitation(Client().get(url))

    assert box is not None
    assert box.xpath(".//a")[0].get("href") == f"{address}?next={url}"


def test_a_member_reads_the_whole_post(members_post) -> None:
    response = signed_in(UserFactory()).get(members_post.get_absolute_url())

    assert response.status_code == 200
    assert SECRET in response.content.decode()
    assert invitation(response) is None
    assert not page(response).xpath('//*[contains(@class, "post__teaser")]')


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_whole_post(members_post, role) -> None:
    response = signed_in(UserFactory(role=role)).get(members_post.get_absolute_url())

    assert SECRET in response.content.decode()
    assert invitation(response) is None


def test_a_public_post_is_whole_for_a_reader_not_signed_in(public_post) -> None:
    response = Client().get(public_post.get_absolute_url())

    assert "Everyone may read this body." in response.content.decode()
    assert invitation(response) is None
    assert not page(response).xpath('//*[contains(@class, "flag--members")]')


def test_a_members_only_post_is_labelled_for_everyone(members_post) -> None:
    for client in (Client(), signed_in(UserFactory())):
        doc = page(client.get(members_post.get_absolute_url()))
        flags = doc.xpath('//header[contains(@class, "post__header")]//*[contains(@class, "flag")]')
        assert [words(flag) for flag in flags] == ["Members"]


def main_of(response: Any) -> str:
    """The page's main content, as HTML (the sidebar's widgets are not the post's)."""
    (main,) = page(response).xpath("//main")
    return lxml.html.tostring(main, encoding="unicode")


def header_piece(request, post, state) -> str:
    """Stands in for a clip: whatever an app puts in the POST_HEADER slot."""
    return "<p>Seen in the header slot.</p>"


def test_what_plugs_into_the_post_header_is_for_members_too(settings, members_post) -> None:
    settings.STOA = {
        **settings.STOA,
        "POST_HEADER": [f"{__name__}.header_piece"],
        "POST_FOOTER": [],
    }
    url = members_post.get_absolute_url()

    assert "Seen in the header slot." not in main_of(Client().get(url))
    assert "Seen in the header slot." in main_of(signed_in(UserFactory()).get(url))


# --- The shared caches ------------------------------------------------------------------------


def test_the_cached_post_never_decides_who_reads_the_body(members_post) -> None:
    # Members and anonymous readers share the post kept in the cache (publishing.views):
    # whoever fills it, the body goes only to a member.
    url = members_post.get_absolute_url()
    member, anonymous = signed_in(UserFactory()), Client()

    assert SECRET in member.get(url).content.decode()
    assert SECRET not in anonymous.get(url).content.decode()
    assert SECRET in member.get(url).content.decode()


def test_an_anonymous_reader_first_does_not_keep_the_body_from_a_member(members_post) -> None:
    url = members_post.get_absolute_url()
    member, anonymous = signed_in(UserFactory()), Client()

    assert SECRET not in anonymous.get(url).content.decode()
    assert SECRET in member.get(url).content.decode()
    assert SECRET not in anonymous.get(url).content.decode()


@pytest.fixture
def page_cache(settings: Any) -> None:
    """PageCacheMiddleware first in MIDDLEWARE, as in production (conftest takes it out)."""
    settings.MIDDLEWARE = [
        MIDDLEWARE_PATH,
        *(m for m in settings.MIDDLEWARE if m != MIDDLEWARE_PATH),
    ]


def test_the_page_cache_keeps_the_teaser_after_a_member_read_the_post(
    page_cache, members_post
) -> None:
    url = members_post.get_absolute_url()
    member, anonymous = signed_in(UserFactory()), Client()

    assert SECRET in member.get(url).content.decode()
    stored = anonymous.get(url)
    served = anonymous.get(url)
    again = member.get(url)

    assert stored["X-Stoa-Cache"] == "miss"
    assert served["X-Stoa-Cache"] == "hit"
    for response in (stored, served):
        assert SECRET not in response.content.decode()
        assert invitation(response) is not None
    # The member's session sends them past the cache, to the whole post.
    assert "X-Stoa-Cache" not in again
    assert SECRET in again.content.decode()


def test_the_page_cache_gives_a_member_the_whole_post_after_the_teaser_was_kept(
    page_cache, members_post
) -> None:
    url = members_post.get_absolute_url()
    member, anonymous = signed_in(UserFactory()), Client()

    assert anonymous.get(url)["X-Stoa-Cache"] == "miss"
    assert anonymous.get(url)["X-Stoa-Cache"] == "hit"
    response = member.get(url)

    assert "X-Stoa-Cache" not in response
    assert SECRET in response.content.decode()
    assert invitation(response) is None


# --- Listings, feeds, sitemap -----------------------------------------------------------------


def test_listings_label_members_only_posts_and_show_their_teaser(members_post, public_post) -> None:
    response = Client().get("/")

    labelled = {
        words(summary.xpath(".//h2")[0])
        for summary in page(response).xpath('//article[contains(@class, "summary")]')
        if summary.xpath('.//*[contains(@class, "flag--members")]')
    }
    assert labelled == {"Raising Your Fee"}
    assert TEASER in response.content.decode()
    assert SECRET not in response.content.decode()


# A members-only post with no excerpt: WordPress would derive its teaser from the body's first
# 55 words, which are for members too. Nothing of the body may reach anyone else.
OPENING = "Members read that the opening lines carry the method"
NEUTRAL = "An article for members of The Practice Review."


@pytest.fixture
def closed_post(settings: Any) -> Post:
    settings.STOA = {**settings.STOA, "SITE_NAME": "The Practice Review"}
    return PostFactory(
        title="Closed Without Excerpt",
        body=f"<p>{OPENING}, and {SECRET}.</p>",
        authors=[PersonFactory(name="Ines Closed", slug="ines-closed")],
        tags=[TagFactory(name="fees", slug="fees")],
        members_only=True,
    )


def everything_but_the_body(post: Post) -> list[str]:
    """Where the addresses that list or describe the post live, for someone not signed in."""
    category = post.categories.get()
    published = timezone.localtime(post.published_at)
    return [
        "/",
        f"/category/{category.slug}/",
        "/tag/fees/",
        "/author/ines-closed/",
        f"/{published.year}/",
        f"/{published.year}/{published.month:02d}/",
    ]


def test_a_members_only_post_without_an_excerpt_is_listed_with_a_neutral_line(closed_post) -> None:
    for address in everything_but_the_body(closed_post):
        response = Client().get(address)

        assert response.status_code == 200, address
        (summary,) = page(response).xpath('//article[contains(@class, "summary")]')
        assert words(summary.xpath('.//*[@class="summary__text"]')[0]) == NEUTRAL, address
        assert OPENING not in response.content.decode(), address
        assert SECRET not in response.content.decode(), address


FEEDS = [
    "/feed/",
    "/feed/atom/",
    "/tag/fees/feed/",
    "/tag/fees/feed/atom/",
    "/author/ines-closed/feed/",
    "/author/ines-closed/feed/atom/",
]


@pytest.mark.parametrize("address", FEEDS)
def test_feeds_give_a_members_only_post_without_an_excerpt_a_neutral_line(
    closed_post, address
) -> None:
    response = Client().get(address)

    (entry,) = feedparser.parse(response.content).entries
    assert entry.title == "Closed Without Excerpt"
    assert entry.summary == NEUTRAL
    assert OPENING not in response.content.decode()
    assert SECRET not in response.content.decode()


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_category_feeds_give_it_a_neutral_line_too(closed_post, kind) -> None:
    category = closed_post.categories.get()
    address = f"/category/{category.slug}/feed/" + ("atom/" if kind == "atom" else "")

    (entry,) = feedparser.parse(Client().get(address).content).entries

    assert entry.summary == NEUTRAL


@pytest.mark.parametrize("address", ["/feed/", "/feed/atom/"])
def test_feeds_give_a_members_only_post_its_excerpt(members_post, address) -> None:
    response = Client().get(address)

    (entry,) = feedparser.parse(response.content).entries
    assert entry.summary == TEASER
    assert SECRET not in response.content.decode()


def descriptions(response: Any) -> dict[str, str]:
    doc = page(response)
    return {
        "description": doc.xpath('//meta[@name="description"]/@content')[0],
        "og:description": doc.xpath('//meta[@property="og:description"]/@content')[0],
    }


def test_the_post_page_describes_it_with_the_neutral_line_to_everyone(closed_post) -> None:
    url = closed_post.get_absolute_url()
    outside, inside = Client().get(url), signed_in(UserFactory()).get(url)

    # The meta tags are what search engines and link previews show: the same for members.
    assert descriptions(outside) == {"description": NEUTRAL, "og:description": NEUTRAL}
    assert descriptions(inside) == {"description": NEUTRAL, "og:description": NEUTRAL}
    assert words(page(outside).xpath('//*[contains(@class, "post__teaser")]')[0]) == NEUTRAL
    assert OPENING not in outside.content.decode()
    assert OPENING in inside.content.decode()


def test_the_post_page_describes_it_by_its_dek_when_it_has_one(closed_post) -> None:
    closed_post.dek = "A guide for the first conversation"
    save_post(post=closed_post)

    found = descriptions(Client().get(closed_post.get_absolute_url()))

    assert found == {"description": closed_post.dek, "og:description": closed_post.dek}


def test_the_featured_widget_shows_no_words_of_the_body(closed_post) -> None:
    set_featured(post=closed_post, featured=True)

    response = Client().get("/")

    (widget,) = page(response).xpath('//section[contains(@class, "widget--featured")]')
    assert "Closed Without Excerpt" in words(widget)
    assert OPENING not in lxml.html.tostring(widget, encoding="unicode")


def test_making_a_post_members_only_stops_deriving_its_summary_from_the_body() -> None:
    post = PostFactory(body=f"<p>{OPENING}.</p>")
    assert post.teaser.startswith(OPENING)

    post.visibility = PostVisibility.MEMBERS
    save_post(post=post)
    assert Post.objects.get(pk=post.pk).summary == ""
    assert OPENING not in post.teaser

    post.visibility = PostVisibility.PUBLIC
    save_post(post=post)
    assert Post.objects.get(pk=post.pk).teaser.startswith(OPENING)


def test_the_migration_forgets_summaries_taken_from_members_only_bodies(
    closed_post, members_post
) -> None:
    migration = importlib.import_module("stoa.publishing.migrations.0006_members_only_summary")
    Post.objects.filter(pk=closed_post.pk).update(summary=f"{OPENING} ...")

    migration.forget_members_bodies(django_apps, None)

    assert Post.objects.get(pk=closed_post.pk).summary == ""
    assert Post.objects.get(pk=members_post.pk).summary == TEASER  # its excerpt stays


def test_the_sitemap_lists_members_only_posts(members_post) -> None:
    # Their teaser page is public, as WordPress membership plugins leave it to search engines.
    response = Client().get("/sitemap-posts.xml")

    assert f"http://testserver{members_post.get_absolute_url()}" in response.content.decode()


# --- The back office --------------------------------------------------------------------------


def test_the_post_changelist_shows_and_filters_by_visibility(members_post, public_post) -> None:
    client = signed_in(SuperuserFactory())

    everything = client.get("/admin/publishing/post/")
    members = client.get("/admin/publishing/post/", {"visibility__exact": "members"})

    assert "Members only" in words(page(everything).xpath('//table[@id="result_list"]')[0])
    assert list(members.context["cl"].result_list) == [members_post]
