"""Every response of the assembled site (posts with their comments, feeds, the sitemap, the
back office) carries the security headers, and cookies are locked down."""

import re

import pytest
from django.test import Client

from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.tests.factories import PostFactory

PAGES = ["/", "/feed/", "/sitemap.xml", "/robots.txt", "/admin/login/", "/no-such-page/"]


def csp_directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client: Client, path: str) -> None:
    PostFactory()
    response = client.get(path)
    csp = csp_directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp.get("script-src", []) + csp["default-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_a_post_page_has_no_inline_script(client: Client) -> None:
    comment = CommentFactory()
    html = client.get(comment.post.get_absolute_url()).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the reply script is loaded"
    assert all(" src=" in tag for tag in scripts)
    assert not re.search(r"\son[a-z]+=", html.split("<main", 1)[1])


@pytest.mark.django_db
def test_cookies_are_httponly_samesite_and_secure_over_https(client: Client, settings) -> None:
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    response = client.get("/admin/login/", secure=True)
    csrf = response.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["secure"] and csrf["samesite"] == "Lax"

    post = PostFactory()
    response = Client().post(
        f"/comments/post/{post.pk}/",
        {"name": "Ann", "email": "ann@example.org", "body": "Hello", "remember": "on"},
        secure=True,
    )
    remembered = response.cookies["stoa_commenter"]
    assert remembered["httponly"] and remembered["secure"] and remembered["samesite"] == "Lax"


@pytest.mark.django_db
def test_https_responses_carry_hsts(client: Client, settings) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/", secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
