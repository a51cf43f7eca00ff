"""The Jinja2 helpers every reader-facing template shares."""

from __future__ import annotations

from django.urls import path, reverse

from stoa.core.templating import url

urlpatterns = [path("elsewhere/<slug:slug>/", lambda request, slug: None, name="feed")]


def test_url_reverses_as_django_does() -> None:
    assert url("publishing:home") == reverse("publishing:home") == "/"
    assert url("publishing:tag", slug="grief") == reverse("publishing:tag", args=["grief"])
    assert url("publishing:tag", slug="loss") == "/tag/loss/"


def test_url_follows_a_change_of_url_configuration(settings) -> None:
    assert url("publishing:home") == "/"
    settings.ROOT_URLCONF = __name__
    assert url("feed", slug="x") == "/elsewhere/x/"
