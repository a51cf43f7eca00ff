"""Issue 10, item 7: guests' comment and report POSTs carry no CSRF token (so that every
reader can be given the same cached page), and are refused when the browser says another
site's page sent them; members report through a page of their own that carries one.
(The same, behind a real nginx: stoa/tests/test_proxy_cross_site.py.)"""

from __future__ import annotations

import pytest
from django.test import Client

from stoa.discussion.forms import REMEMBER_COOKIE
from stoa.discussion.models import CommentFlag, CommentStatus
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GUEST = {"name": "Ada Reader", "email": "ada.reader@example.net", "url": ""}
TYPED = "A thought I would hate to lose."
SITE = "http://testserver"


def comment_post(post: Post, **headers: str):
    data = {**GUEST, "body": TYPED, "remember": "on"}
    return Client().post(f"/comments/post/{post.pk}/", data, **headers)


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},  # a sibling subdomain is another origin
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_ORIGIN": SITE, "HTTP_SEC_FETCH_SITE": "cross-site"},  # Fetch Metadata decides
    ],
)
def test_a_guest_comment_sent_from_another_site_is_refused_and_handed_back(
    post: Post, headers: dict[str, str]
) -> None:
    response = comment_post(post, **headers)
    assert response.status_code == 403
    assert TYPED in response.content.decode()
    assert REMEMBER_COOKIE not in response.cookies, "no saved-details cookie set for the page"
    assert not post.comments.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": SITE},
        {"HTTP_ORIGIN": SITE},
        {},  # no header at all: an old browser, a script; nothing to judge by
    ],
)
def test_a_guest_comment_from_this_sites_page_needs_no_token(
    post: Post, headers: dict[str, str]
) -> None:
    response = comment_post(post, **headers)
    assert response.status_code == 302
    assert post.comments.count() == 1


def test_a_guest_report_from_another_site_is_refused(post: Post) -> None:
    comment = CommentFactory(post=post)
    response = Client().post(f"/comments/{comment.pk}/report/", HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403
    assert not CommentFlag.objects.exists()


def test_a_guest_edit_from_another_site_is_refused(post: Post) -> None:
    client = Client()
    response = client.post(f"/comments/post/{post.pk}/", {**GUEST, "body": "First words."})
    comment = post.comments.get()
    token = response["Location"].split("c=")[1].split("&")[0].split("#")[0]
    refused = client.post(
        f"/comments/{comment.pk}/edit/",
        {"body": "Forged words.", "c": token},
        HTTP_ORIGIN="https://evil.example",
    )
    assert refused.status_code == 403
    comment.refresh_from_db()
    assert comment.text == "First words."


def test_a_member_reports_through_a_page_of_their_own_that_carries_the_token(
    post: Post,
) -> None:
    comment = CommentFactory(post=post, status=CommentStatus.APPROVED)
    member = Client(enforce_csrf_checks=True)
    member.force_login(UserFactory())
    # The Report button in the shared markup has no token: a confirmation page, not a 403.
    page = member.post(f"/comments/{comment.pk}/report/", HTTP_ORIGIN=SITE)
    assert page.status_code == 200
    assert b"csrfmiddlewaretoken" in page.content
    assert not CommentFlag.objects.exists()
    token = member.cookies["csrftoken"].value
    done = member.post(
        f"/comments/{comment.pk}/report/", {"csrfmiddlewaretoken": token}, HTTP_ORIGIN=SITE
    )
    assert done.status_code == 200
    assert CommentFlag.objects.filter(comment=comment).count() == 1
    assert b"csrfmiddlewaretoken" not in Client().get(post.get_absolute_url()).content
