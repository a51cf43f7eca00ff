"""An edited slug keeps old links working: the address readers had answers 301 to the new
one (as WordPress redirects a post's old slugs), for posts and for pages and their children."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from stoa.core.models import Redirect
from stoa.publishing import services
from stoa.publishing.models import PageStatus, PostStatus
from stoa.publishing.tests.factories import PageFactory, PostFactory

pytestmark = pytest.mark.django_db


def location(response) -> tuple[int, str]:
    return response.status_code, response.get("Location", "")


def test_a_published_posts_old_slug_redirects_to_its_new_address(client: Client) -> None:
    post = PostFactory(
        title="On listening", published_at=dt.datetime(2024, 3, 5, 12, tzinfo=dt.UTC)
    )
    old = post.get_absolute_url()
    post.slug = "on-listening-well"
    services.save_post(post=post)
    assert old != post.get_absolute_url()
    assert location(client.get(old)) == (301, post.get_absolute_url())
    assert client.get(post.get_absolute_url()).status_code == 200


def test_slugs_changed_twice_and_back_stay_one_hop_and_never_loop(client: Client) -> None:
    post = PostFactory(title="First")
    first = post.get_absolute_url()
    post.slug = "second"
    services.save_post(post=post)
    second = post.get_absolute_url()
    post.slug = "third"
    services.save_post(post=post)
    third = post.get_absolute_url()
    assert location(client.get(first)) == (301, third)
    assert location(client.get(second)) == (301, third)
    post.slug = "second"
    services.save_post(post=post)
    assert client.get(second).status_code == 200
    assert location(client.get(first)) == (301, second)
    assert location(client.get(third)) == (301, second)
    assert not Redirect.objects.filter(old_path=second).exists()


def test_a_draft_renamed_leaves_no_redirect() -> None:
    post = PostFactory(draft=True, title="Working title")
    post.slug = "final-title"
    services.save_post(post=post)
    assert not Redirect.objects.exists()


def test_a_post_taken_back_to_draft_leaves_no_redirect() -> None:
    post = PostFactory()
    post.status = PostStatus.DRAFT
    post.slug = "renamed"
    services.save_post(post=post)
    assert not Redirect.objects.exists()


def test_an_edit_that_keeps_the_address_adds_nothing() -> None:
    post = PostFactory()
    post.title = "A better title"
    services.save_post(post=post)
    assert not Redirect.objects.exists()


def test_a_pages_new_slug_redirects_it_and_its_children(client: Client) -> None:
    about = PageFactory(title="About", slug="about", status=PageStatus.PUBLISHED)
    team = PageFactory(title="Team", slug="team", parent=about, status=PageStatus.PUBLISHED)
    about.slug = "who-we-are"
    services.save_page(page=about)
    assert location(client.get("/about/")) == (301, "/who-we-are/")
    assert location(client.get("/about/team/")) == (301, "/who-we-are/team/")
    team.refresh_from_db()
    assert client.get(team.get_absolute_url()).status_code == 200
