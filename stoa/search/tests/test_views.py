"""The search page through HTTP: grouping, highlighting, paging, filters, sorting, "did you
mean", the header's box, OpenSearch, WordPress's /?s=, the page cache, query counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stoa.discussion.tests.factories import CommentFactory
from stoa.members.tests.factories import UserFactory
from stoa.publishing.tests.factories import CategoryFactory, PostFactory, TagFactory
from stoa.search import views
from stoa.webcasts.tests.factories import SeriesFactory

pytestmark = pytest.mark.django_db


def get(client: Client, **params: object):  # type: ignore[no-untyped-def]
    return client.get("/search/", params)


def test_results_are_grouped_with_highlighted_snippets(client: Client) -> None:
    post = PostFactory(
        title="Grief and anniversaries", body="<p>On the anniversary, grief returns.</p>"
    )
    CommentFactory(post=post, text="My grief came back at the anniversary too.")
    SeriesFactory(title="Grief work", description="Sessions on grief.")
    response = get(client, q="grief")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="group-articles"' in html
    assert 'id="group-series"' in html
    assert 'id="group-discussion"' in html
    assert "<mark>" in html and "grief" in html.lower()


def test_snippets_are_escaped_but_marks_are_html(client: Client) -> None:
    CommentFactory(text="<script>alert(1)</script> walnut & <b>pecan</b>")
    html = get(client, q="walnut").content.decode()
    assert "<script>alert(1)" not in html
    assert "<mark>walnut</mark>" in html


def test_a_visitor_never_sees_a_members_only_body_snippet(client: Client) -> None:
    PostFactory(
        title="Supervision",
        excerpt="Open words.",
        body="<p>Hidden quince text.</p>",
        members_only=True,
    )
    assert "quince" not in get(client, q="supervision").content.decode().lower()
    assert "Nothing was found" in get(client, q="quince").content.decode()
    client.force_login(UserFactory())
    assert "<mark>quince</mark>" in get(client, q="quince").content.decode().lower()


def test_paging_within_a_group(client: Client) -> None:
    for n in range(12):
        PostFactory(title=f"Almond note {n}")
    first = get(client, q="almond", type="articles").content.decode()
    assert "Page 1 of 2" in first
    second = get(client, q="almond", type="articles", page=2)
    assert second.status_code == 200 and "Page 2 of 2" in second.content.decode()
    assert get(client, q="almond", type="articles", page=3).status_code == 404


def test_a_group_is_paged_by_its_own_results(client: Client) -> None:
    post = PostFactory(title="Walnut note")
    for n in range(12):
        CommentFactory(post=post, text=f"walnut remark {n}")
    html = get(client, q="walnut", type="articles").content.decode()
    assert "Walnut note" in html
    assert "Page 1 of" not in html and 'rel="next"' not in html
    assert get(client, q="walnut", type="articles", page=2).status_code == 404
    assert "Page 1 of 2" in get(client, q="walnut", type="discussion").content.decode()


def test_filters_by_category_tag_and_author(client: Client) -> None:
    category = CategoryFactory(name="Ethics", slug="ethics")
    tag = TagFactory(name="fees", slug="fees")
    kept = PostFactory(title="Hazel one", categories=[category], tags=[tag])
    PostFactory(title="Hazel two")
    for params in ({"category": "ethics"}, {"tag": "fees"}, {"author": kept.authors.get().slug}):
        html = get(client, q="hazel", **params).content.decode()
        assert "Hazel one" in html and "Hazel two" not in html, params
    assert get(client, q="hazel", category="nothing-here").status_code == 404
    assert get(client, q="hazel", year="not-a-year").status_code == 400


def test_sort_by_date(client: Client) -> None:
    PostFactory(title="Chestnut chestnut chestnut")
    PostFactory(title="Chestnut later", published_at=None)
    html = get(client, q="chestnut", sort="date").content.decode()
    assert html.index("Chestnut later") < html.index("Chestnut chestnut chestnut")


def test_did_you_mean_offers_a_close_word_that_finds_something(client: Client) -> None:
    PostFactory(title="Anniversaries and grief")
    html = get(client, q="anniversaires").content.decode()
    assert "Did you mean" in html and "anniversaries" in html


def test_a_members_only_word_is_never_suggested_to_a_visitor(client: Client) -> None:
    PostFactory(body="<p>Quintessential secrets.</p>", members_only=True)
    assert "Did you mean" not in get(client, q="quintessentail").content.decode()


def test_every_page_has_the_search_box_and_opensearch_link(client: Client) -> None:
    html = client.get("/").content.decode()
    assert 'role="search"' in html and 'action="/search/"' in html
    assert 'rel="search" type="application/opensearchdescription+xml"' in html
    description = client.get("/search/opensearch.xml")
    assert description["Content-Type"].startswith("application/opensearchdescription+xml")
    assert "/search/?q={searchTerms}" in description.content.decode()


def test_wordpress_search_address_redirects_here(client: Client) -> None:
    response = client.get("/", {"s": "grief"})
    assert response.status_code in (301, 302)
    assert response["Location"] == "/search/?q=grief"


def test_search_pages_are_never_kept(client: Client) -> None:
    PostFactory(title="Cashew")
    response = get(client, q="cashew")
    assert "no-store" in response["Cache-Control"]
    assert response.get("X-Stoa-Cache") is None
    assert "no-store" in client.get("/search/")["Cache-Control"]


def test_queries_do_not_grow_with_the_results(client: Client) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert get(client, q="pistachio").status_code == 200
        return len(queries)

    for n in range(2):
        post = PostFactory(title=f"Pistachio {n}")
        CommentFactory(post=post, text=f"pistachio comment {n}")
    count()  # the content version and the page's shared pieces, kept for the next
    few = count()
    for n in range(8):
        other = PostFactory(title=f"Pistachio more {n}")
        CommentFactory(post=other, text=f"pistachio again {n}")
    count()
    assert count() == few
    # The counts, and one search whose best results are shared out among the groups.
    assert few == 2


def test_past_the_counted_matches_the_page_says_more_than_and_pages_the_newest(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "COUNTED", 3)
    monkeypatch.setattr(views, "PER_PAGE", 2)
    post = PostFactory(title="Rowan grove", body="<p>Rowan berries.</p>")
    comments = [CommentFactory(post=post, text=f"rowan remark {n}") for n in range(5)]
    html = get(client, q="rowan").content.decode()
    assert "More than 3 results" in html
    assert "(more than 3)" in html and "(1)" in html
    # The article is shown although more comments match, all of them added after it.
    assert "Rowan grove</a>" in html
    first = get(client, q="rowan", type="discussion").content.decode()
    assert "Page 1 of 2" in first
    second = get(client, q="rowan", type="discussion", page=2).content.decode()
    assert "Page 2 of 2" in second
    assert get(client, q="rowan", type="discussion", page=3).status_code == 404
    shown = {
        int(n)
        for n in re.findall(r'search-result__title"><a href="[^"]*#comment-(\d+)"', first + second)
    }
    assert shown == {c.pk for c in comments[-3:]}
    # The kind narrows the index's match, never the snippet: the word found is marked.
    assert "<mark>rowan</mark>" in first.lower() and "<mark>comment</mark>" not in first.lower()


def test_under_the_counted_matches_the_counts_are_exact(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "COUNTED", 3)
    post = PostFactory(title="Rowan grove")
    for n in range(2):
        CommentFactory(post=post, text=f"rowan remark {n}")
    html = get(client, q="rowan").content.decode()
    assert "3 results." in html and "more than" not in html.lower()


def test_past_the_counted_matches_each_group_costs_one_query_on_sqlite(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL finds a window's edge with a statement of its own")
    monkeypatch.setattr(views, "COUNTED", 3)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            html = get(client, q="sorrel").content.decode()
        assert html.count("(more than 3)") == 2
        return len(queries)

    for n in range(4):
        post = PostFactory(title=f"Sorrel {n}")
        CommentFactory(post=post, text=f"sorrel remark {n}")
    count()  # the content version and the page's shared pieces, kept for the next
    # The counts, then each group's page: its window and its ranking in one statement.
    assert count() == 3
