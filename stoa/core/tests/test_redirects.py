"""The redirect table (stoa.core.services) and its answers through HTTP
(stoa.core.middleware.RedirectMiddleware), with the page cache on and off."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stoa.core import services
from stoa.core.middleware import RedirectMiddleware
from stoa.core.models import Redirect
from stoa.core.pagecache import MIDDLEWARE_PATH, CachedPages

pytestmark = pytest.mark.django_db


def location(response: Any) -> tuple[int, str]:
    return response.status_code, response.get("Location", "")


# ---------------------------------------------------------------------------- the table


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("/2024/03/05/a-post/", "/2024/03/05/a-post/"),
        ("https://old.example/2024/03/05/a-post/", "/2024/03/05/a-post/"),
        ("2024/a-post", "/2024/a-post"),
        ("/?p=12", "/?p=12"),
        ("https://old.example/?page_id=3", "/?page_id=3"),
        ("https://old.example", "/"),
        ("/?p=12&cpage=2", "/?cpage=2&p=12"),
        ("/tag/%ce%a8%cf%85%cf%87%ce%ae/", "/tag/Ψυχή/"),
        ("/a-post/#comment-3", "/a-post/"),
    ],
)
def test_old_addresses_are_stored_in_one_form(given: str, stored: str) -> None:
    assert services.add_redirect(old_path=given, new_path="/new/").old_path == stored


def test_adding_the_same_redirect_twice_changes_nothing() -> None:
    first = services.add_redirect(old_path="/old/", new_path="/new/", note="import")
    again = services.add_redirect(old_path="/old/", new_path="/new/", note="import")
    assert first.pk == again.pk and Redirect.objects.count() == 1


def test_a_redirect_given_again_takes_its_new_target() -> None:
    services.add_redirect(old_path="/old/", new_path="/first/")
    services.add_redirect(old_path="/old/", new_path="/second/")
    assert Redirect.objects.get().new_path == "/second/"


@pytest.mark.parametrize(
    ("old", "new"), [("/same/", "/same/"), ("/same/", "/same/#top"), ("/a%20b/", "/a b/")]
)
def test_an_address_is_never_redirected_to_itself(old: str, new: str) -> None:
    with pytest.raises(ValidationError):
        services.add_redirect(old_path=old, new_path=new)
    assert not Redirect.objects.exists()


@pytest.mark.parametrize("old", ["", "  ", "javascript:alert(1)", f"/{'a' * 1000}"])
def test_an_old_address_must_be_a_path_of_sensible_length(old: str) -> None:
    with pytest.raises(ValidationError):
        services.add_redirect(old_path=old, new_path="/new/")


@pytest.mark.parametrize(
    "new", ["", "javascript:alert(1)", "relative/path", "https://", "ftp://x/", f"/{'a' * 1000}"]
)
def test_a_target_must_be_a_path_or_a_web_address(new: str) -> None:
    with pytest.raises(ValidationError):
        services.add_redirect(old_path="/old/", new_path=new)


def test_redirects_to_an_old_address_follow_it_so_chains_stay_one_hop() -> None:
    services.add_redirect(old_path="/a/", new_path="/b/")
    services.add_redirect(old_path="/x/", new_path="/b/#comment-4")
    services.add_redirect(old_path="/b/", new_path="/c/")
    services.add_redirect(old_path="/d/", new_path="/b/")  # a target already moved on
    assert dict(Redirect.objects.values_list("old_path", "new_path")) == {
        "/a/": "/c/",
        "/b/": "/c/",
        "/d/": "/c/",
        "/x/": "/c/#comment-4",
    }


def test_content_moving_back_drops_the_redirect_that_would_loop() -> None:
    services.add_redirect(old_path="/a/", new_path="/b/")
    services.add_redirect(old_path="/b/", new_path="/a/")
    assert dict(Redirect.objects.values_list("old_path", "new_path")) == {"/b/": "/a/"}


def test_many_redirects_are_written_in_batches_and_made_one_hop(django_assert_max_num_queries):
    pairs = [(f"/?p={n}", f"/posts/{n}/") for n in range(5000)]
    pairs += [("/?p=1", "/posts/one/"), ("/self/", "/self/"), ("/posts/one/", "/final/")]
    # One statement per batch (SQLite takes ~250 rows in one), never one per row.
    with django_assert_max_num_queries(40):
        written = services.add_redirects(pairs=iter(pairs), note="WordPress import")
    assert written == 5002  # /?p=1 was written twice, in two batches
    assert Redirect.objects.count() == 5001
    assert Redirect.objects.get(old_path="/?p=1").new_path == "/final/"
    assert Redirect.objects.get(old_path="/?p=4999").note == "WordPress import"
    # Run again: the same rows, nothing added.
    services.add_redirects(pairs=pairs, note="WordPress import")
    assert Redirect.objects.count() == 5001


def test_a_batch_keeps_the_table_one_hop_both_ways() -> None:
    services.add_redirect(old_path="/old/", new_path="/mid/")
    services.add_redirect(old_path="/moved/", new_path="/moved-again/")
    services.add_redirects(pairs=[("/mid/", "/end/"), ("/first/", "/moved/")])
    assert dict(Redirect.objects.values_list("old_path", "new_path")) == {
        "/old/": "/end/",
        "/mid/": "/end/",
        "/moved/": "/moved-again/",
        "/first/": "/moved-again/",
    }


def test_content_moving_back_in_a_batch_drops_the_redirect_that_would_loop() -> None:
    services.add_redirect(old_path="/a/", new_path="/b/")
    services.add_redirects(pairs=[("/b/", "/a/"), ("/x/", "/y/"), ("/y/", "/x/")])
    assert dict(Redirect.objects.values_list("old_path", "new_path")) == {
        "/b/": "/a/",
        "/y/": "/x/",
    }


def test_a_bad_pair_in_a_batch_writes_nothing() -> None:
    with pytest.raises(ValidationError):
        services.add_redirects(pairs=[("/fine/", "/new/"), ("/bad/", "javascript:x")])
    assert not Redirect.objects.exists()


# ---------------------------------------------------------------------------- through HTTP


@pytest.fixture
def table() -> None:
    services.add_redirects(
        pairs=[
            ("/?p=12", "/2024/03/a-post/"),
            ("/?page_id=3", "/about/"),
            ("/?cat=4", "/category/trauma/"),
            ("/2024/03/05/a-post/", "/2024/03/a-post/"),
            ("/Ψυχή/", "/tag/psyche/"),
            ("/wp-content/uploads/2024/03/chairs.jpg", "/media/uploads/2024/03/chairs.jpg"),
            ("/category/old/", "/category/new/"),
            ("/no-slash", "/somewhere/"),
        ]
    )


@pytest.mark.parametrize(
    ("asked", "answer"),
    [
        ("/?p=12", "/2024/03/a-post/"),
        ("/index.php?p=12", "/2024/03/a-post/"),
        ("/?page_id=3", "/about/"),
        ("/?cat=4", "/category/trauma/"),
        ("/?p=12&replytocom=5", "/2024/03/a-post/"),
        ("/2024/03/05/a-post/", "/2024/03/a-post/"),
        ("/2024/03/05/a-post", "/2024/03/a-post/"),
        ("/no-slash/", "/somewhere/"),
        ("/2024/03/05/a-post/?utm_source=x", "/2024/03/a-post/?utm_source=x"),
        ("/%CE%A8%CF%85%CF%87%CE%AE/", "/tag/psyche/"),
        ("/wp-content/uploads/2024/03/chairs.jpg", "/media/uploads/2024/03/chairs.jpg"),
        ("/wp-content/uploads/2024/03/chairs-300x200.jpg", "/media/uploads/2024/03/chairs.jpg"),
        ("/category/old/page/3/", "/category/new/?page=3"),
        ("/page/2/", "/?page=2"),
        ("/page/1/", "/"),
        ("/2024/03/05/a-post/comment-page-2/", "/2024/03/a-post/?cpage=2"),
        ("/2024/03/a-post/comment-page-1/", "/2024/03/a-post/"),
    ],
)
def test_old_addresses_answer_a_permanent_redirect(
    client: Client, table: None, asked: str, answer: str
) -> None:
    assert location(client.get(asked)) == (301, answer)


def test_a_redirect_is_kept_by_browsers_for_an_hour_and_by_no_shared_cache(
    client: Client, table: None
) -> None:
    assert client.get("/?p=12")["Cache-Control"] == "private, max-age=3600"
    assert client.get("/2024/03/05/a-post/")["Cache-Control"] == "private, max-age=3600"


def test_the_front_page_is_drawn_for_queries_not_in_the_table(client: Client, table) -> None:
    assert client.get("/?p=999").status_code == 200
    assert client.get("/?utm_source=x").status_code == 200


def test_a_live_page_is_never_redirected(client: Client) -> None:
    services.add_redirect(old_path="/feed/atom/", new_path="/elsewhere/")
    assert client.get("/feed/atom/").status_code == 200


def test_an_unknown_address_stays_a_404(client: Client, table: None) -> None:
    assert client.get("/nothing-here/").status_code == 404
    assert client.get("/wp-content/uploads/2024/03/other-300x200.jpg/").status_code == 404


def test_a_post_to_an_old_address_is_not_redirected(client: Client, table: None) -> None:
    assert client.post("/2024/03/05/a-post/").status_code != 301


def test_a_normal_page_does_not_read_the_table(client: Client, table: None) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/feed/").status_code == 200
        assert client.get("/?page=1").status_code == 200
    assert not [q for q in queries.captured_queries if "core_redirect" in q["sql"]]


def test_wordpress_search_goes_to_the_site_search_when_there_is_one(
    client: Client, settings
) -> None:
    assert location(client.get("/?s=grief+work")) == (301, "/search/?q=grief+work")
    # A site without a search app: the front page answers, as WordPress's would with no
    # results (the middleware alone: the chrome of this site links to its search).
    settings.ROOT_URLCONF = "stoa.tests.urls_without_search"
    front = HttpResponse("the front page")
    answer = RedirectMiddleware(lambda request: front)(RequestFactory().get("/?s=grief+work"))
    assert answer is front


def test_the_redirect_table_in_the_back_office(client: Client) -> None:
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com"))
    add = reverse("admin:core_redirect_add")
    response = client.post(add, {"old_path": "https://old.example/?p=7", "new_path": "/x/"})
    assert response.status_code == 302
    redirect = Redirect.objects.get()
    assert (redirect.old_path, redirect.new_path) == ("/?p=7", "/x/")
    listing = client.get(reverse("admin:core_redirect_changelist"), {"q": "p=7"})
    assert "/?p=7" in listing.content.decode()
    change = reverse("admin:core_redirect_change", args=[redirect.pk])
    response = client.post(change, {"old_path": "/?p=7", "new_path": "/?p=7", "note": ""})
    assert "cannot be redirected to itself" in response.content.decode()
    response = client.post(change, {"old_path": "/?p=8", "new_path": "/y/", "note": "moved"})
    assert response.status_code == 302
    assert list(Redirect.objects.values_list("old_path", "new_path")) == [("/?p=8", "/y/")]
    assert location(client.get("/?p=8")) == (301, "/y/")


# ---------------------------------------------------------------------------- the page cache


@pytest.fixture
def page_cache(settings: Any) -> None:
    settings.MIDDLEWARE = [MIDDLEWARE_PATH, *settings.MIDDLEWARE]


def wsgi_get(app: CachedPages, asked: str) -> tuple[int, str]:
    environ = RequestFactory().get(asked).environ
    got: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        got["status"], got["headers"] = int(status.split()[0]), dict(headers)

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = app(environ, start_response)
        b"".join(result)
        if hasattr(result, "close"):
            result.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return got["status"], got["headers"].get("Location", "")


def test_a_redirect_added_or_changed_answers_at_once_behind_the_page_cache(
    page_cache: None,
) -> None:
    app = CachedPages(WSGIHandler())
    assert wsgi_get(app, "/2019/01/01/old/")[0] == 404
    services.add_redirect(old_path="/2019/01/01/old/", new_path="/first/")
    assert wsgi_get(app, "/2019/01/01/old/") == (301, "/first/")
    services.add_redirect(old_path="/2019/01/01/old/", new_path="/second/")
    assert wsgi_get(app, "/2019/01/01/old/") == (301, "/second/")
    assert wsgi_get(app, "/?p=3")[0] == 200
    services.add_redirect(old_path="/?p=3", new_path="/third/")
    assert wsgi_get(app, "/?p=3") == (301, "/third/")
    services.remove_redirect(old_path="/2019/01/01/old/")
    assert wsgi_get(app, "/2019/01/01/old/")[0] == 404
