"""Old links of the sample site through the test client, after its import: each answers 301
to its new address (one hop) and the new address answers 200. Old comment anchors:
/wordpress/comment/<WordPress id>/ leads to the comment, and the post pages of moved posts
carry the script that goes there when #comment-<id> names nothing."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from stoa.discussion.models import Comment
from stoa.publishing.models import Person, Post
from stoa.publishing.tests.factories import PostFactory
from stoa.wordpress import services
from stoa.wordpress.models import Mapping, ObjectKind

SAMPLE = Path(__file__).parent / "data" / "sample-export.wordpress.xml"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sample(temporary_media: Path) -> None:
    services.import_wordpress(source=SAMPLE)


def stoa_comment(wp_id: int) -> Comment:
    mapping = Mapping.objects.get(kind=ObjectKind.COMMENT, source_key=str(wp_id))
    return Comment.objects.get(pk=mapping.object_id)


def stoa_post(wp_id: int) -> Post:
    mapping = Mapping.objects.get(kind=ObjectKind.POST, source_key=str(wp_id))
    return Post.objects.get(pk=mapping.object_id)


def moved_to(client, old: str) -> str:
    """Where an old address sends the reader: a 301, its Location."""
    response = client.get(old)
    assert response.status_code == 301, (old, response.status_code)
    return response["Location"]


def shown(client, new: str) -> str:
    """A new address answers 200; its body."""
    response = client.get(new)
    assert response.status_code == 200, (new, response.status_code)
    return response.content.decode()


def page_text(client, new: str) -> str:
    """A new page answers 200; its text as a reader sees it (entities decoded)."""
    return lxml.html.fromstring(shown(client, new)).text_content()


def test_an_old_comment_id_redirects_to_the_comment(client):
    response = client.get("/wordpress/comment/8/")
    assert response.status_code == 301
    comment = stoa_comment(8)
    assert response["Location"] == f"{comment.post.get_absolute_url()}#comment-{comment.pk}"


def test_an_old_comment_id_lands_on_the_page_that_shows_that_comment_at_its_anchor(client):
    location = moved_to(client, "/wordpress/comment/8/")
    address, _, anchor = location.partition("#")
    page = lxml.html.fromstring(shown(client, address))
    (target,) = page.xpath(f'//*[@id="{anchor}"]')
    assert "Say it early." in target.text_content()
    assert "Dr. Lee" in target.text_content()


@pytest.mark.parametrize("wp_id", [10, 12, 424242])
def test_a_held_trashed_or_unknown_comment_is_not_found(client, wp_id):
    assert client.get(f"/wordpress/comment/{wp_id}/").status_code == 404


def test_an_old_post_link_with_a_comment_anchor_reaches_the_comment(client):
    # /?p=22#comment-8: the browser keeps the fragment through the 301 to the post page,
    # whose script finds no #comment-8 there and asks for /wordpress/comment/8/.
    post_page = client.get("/?p=22")["Location"]
    page = client.get(post_page).content.decode()
    assert (
        'src="/static/wordpress/comment-anchors.js" data-comment-base="/wordpress/comment/"' in page
    )


# A fresh site: its comment ids start at 1, as the old site's did (on every database).
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_an_old_post_link_with_a_comment_anchor_lands_on_that_comment_not_another(client):
    # On a fresh site the imported comments keep their WordPress ids, so #comment-8 names
    # the same comment on the new page as on the old. What a browser does with
    # /?p=22#comment-8: follow the 301 keeping the fragment, then
    # run comment-anchors.js, which stays on the page when an element has that id and else
    # goes to /wordpress/comment/8/ (carrying the fragment the redirect gives).
    post_page = moved_to(client, "/?p=22")
    assert post_page == stoa_post(22).get_absolute_url()
    page = lxml.html.fromstring(shown(client, post_page))
    named = page.xpath('//*[@id="comment-8"]')
    if not named:
        address, _, anchor = moved_to(client, "/wordpress/comment/8/").partition("#")
        named = lxml.html.fromstring(shown(client, address)).xpath(f'//*[@id="{anchor}"]')
    (target,) = named
    assert "Say it early." in target.text_content()


def test_when_two_sites_had_a_comment_of_that_id_the_one_imported_last_wins(client, tmp_path):
    second = tmp_path / "second.xml"
    second.write_text(
        SAMPLE.read_text()
        .replace("practice-sample.example", "second-sample.example")
        .replace("Say it early.", "Said on the second site.")
    )
    services.import_wordpress(source=second)
    assert "Said on the second site." in page_text(
        client, moved_to(client, "/wordpress/comment/8/")
    )
    # The first site's comment 8, deleted here and brought again by a newer import of that
    # site, takes its free id back (8, below the second site's): the newer import wins.
    first = Comment.objects.get(pk=8)
    assert "Say it early." in first.text
    first.delete()
    services.import_wordpress(source=SAMPLE)
    assert Comment.objects.get(pk=8).text == first.text
    assert "Say it early." in page_text(client, moved_to(client, "/wordpress/comment/8/"))


def test_a_post_without_comments_does_not_carry_the_script(client):
    post = PostFactory()
    assert "comment-anchors.js" not in client.get(post.get_absolute_url()).content.decode()


# ------------------------------------------------------------------ the old site's links


def test_the_old_site_feeds_of_posts_and_of_comments_lead_to_stoas(client):
    # Stoa's feeds are where WordPress's were (/feed/, /comments/feed/): those answer at
    # once; the old site's own spelling (its permalinks end without a slash) and the other
    # names of the same feeds are moved there.
    latest = stoa_post(22)
    assert latest.title in shown(client, "/feed/")
    for old in ("/feed", "/feed/rss2", "/feed/rss2/", "/feed/rdf", "/?feed=rss2"):
        assert moved_to(client, old) == "/feed/", old
    assert moved_to(client, "/feed/atom") == "/feed/atom/"
    assert latest.title in shown(client, "/feed/atom/")
    assert "Say it early." in shown(client, "/comments/feed/")
    for old in ("/comments/feed", "/comments/feed/rss2", "/?feed=comments-rss2"):
        assert moved_to(client, old) == "/comments/feed/", old
    assert moved_to(client, "/comments/feed/atom") == "/comments/feed/atom/"
    assert "Say it early." in shown(client, "/comments/feed/atom/")


def test_a_posts_old_day_and_month_addresses_lead_to_it_across_a_month_boundary(client):
    # Post 17 was written at 23:59 on 30 June, the old site's time: 1 July in UTC, the
    # month Stoa's address has.
    post = stoa_post(17)
    new = post.get_absolute_url()
    assert new.startswith("/2024/07/")
    slug = post.slug
    for old in (
        f"/2024/06/30/{slug}",  # the old site's own permalink (its <link>)
        f"/2024/06/30/{slug}/",
        f"/2024/06/{slug}/",
        f"/2024/06/{slug}",
        "/?p=17",
    ):
        assert moved_to(client, old) == new, old
    assert post.title in page_text(client, new)
    # Where the dates agree, /YYYY/MM/slug/ is Stoa's own address: it answers at once.
    first = stoa_post(4)
    assert first.get_absolute_url() == "/2024/03/notes-from-a-first-session/"
    assert first.title in page_text(client, "/2024/03/notes-from-a-first-session/")
    assert moved_to(client, "/2024/03/05/notes-from-a-first-session") == first.get_absolute_url()


def test_a_posts_old_comment_feed_leads_to_its_comment_feed(client):
    post = stoa_post(22)
    feed = f"/comments/post/{post.pk}/feed/"
    for old in (
        "/2024/02/14/when-the-client-googles-you/feed",
        "/2024/02/14/when-the-client-googles-you/feed/",
        "/2024/02/14/when-the-client-googles-you/feed/rss2/",
        "/?p=22&feed=rss2",
    ):
        assert moved_to(client, old) == feed, old
    assert "Say it early." in shown(client, feed)
    atom = f"/comments/post/{post.pk}/feed/atom/"
    assert moved_to(client, "/2024/02/14/when-the-client-googles-you/feed/atom") == atom
    assert "Say it early." in shown(client, atom)


def test_a_posts_comment_feed_at_its_bare_slug_leads_to_its_comment_feed(client):
    post = stoa_post(22)
    feed = f"/comments/post/{post.pk}/feed/"
    assert moved_to(client, "/when-the-client-googles-you/") == post.get_absolute_url()
    assert moved_to(client, "/when-the-client-googles-you/feed/") == feed
    assert "Say it early." in shown(client, feed)


def listed(client, address: str) -> list[str]:
    """The titles a listing page (answering 200) shows, in its order."""
    page = lxml.html.fromstring(shown(client, address))
    return [title.text_content() for title in page.xpath('//h2[@class="summary__title"]')]


def test_a_listings_old_page_number_leads_to_the_same_page_here(client, settings):
    settings.STOA = {**settings.STOA, "POSTS_PER_PAGE": 2}
    assert moved_to(client, "/page/2/") == "/?page=2"
    assert moved_to(client, "/page/2") == "/?page=2"
    assert moved_to(client, "/page/1/") == "/"
    first, second = listed(client, "/"), listed(client, "/?page=2")
    # Two posts a page: the second page lists the next two.
    assert len(first) == len(second) == 2
    assert not set(first) & set(second)
    assert "Page 2 of" in page_text(client, "/?page=2")


def test_an_old_search_leads_to_the_sites_search_with_the_same_term(client):
    assert moved_to(client, "/?s=intake") == "/search/?q=intake"
    assert stoa_post(4).title in page_text(client, "/search/?q=intake")
    assert moved_to(client, "/?s=first+session") == "/search/?q=first+session"


def test_an_old_category_by_id_leads_to_the_category(client):
    # (/?cat=3's Location is test_services' test_old_addresses_answer_...; here the parent
    # and that the page answers.)
    assert moved_to(client, "/?cat=2") == "/category/clinical-practice/"
    assert stoa_post(4).title in page_text(client, "/category/clinical-practice/")
    assert moved_to(client, "/?cat=3") == "/category/trauma-work/"
    assert stoa_post(13).title in page_text(client, "/category/trauma-work/")


def test_an_old_author_archive_leads_to_the_person(client):
    maria = Person.objects.get(name="María Ortega")
    # WordPress's address is by the login's nicename: maria.editor → /author/maria-editor/.
    assert moved_to(client, "/author/maria-editor") == maria.get_absolute_url()
    assert moved_to(client, "/?author=2") == maria.get_absolute_url()
    assert maria.name in page_text(client, maria.get_absolute_url())
    assert moved_to(client, "/author/maria-editor/feed") == f"/author/{maria.slug}/feed/"
    assert client.get(f"/author/{maria.slug}/feed/").status_code == 200
    # Tom's login is his slug here: his old address is his new one, and answers at once.
    tom = Person.objects.get(name="Tom Baptiste")
    assert tom.get_absolute_url() == "/author/tom/"
    assert tom.name in page_text(client, "/author/tom/")
    assert moved_to(client, "/?author=3") == "/author/tom/"
