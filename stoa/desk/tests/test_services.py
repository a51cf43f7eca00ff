"""Review links and restoring revisions, through the desk's services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from reversion.models import Version

from stoa.desk import services
from stoa.desk.models import ReviewLink
from stoa.publishing import services as publishing
from stoa.publishing.tests.factories import CategoryFactory, PageFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_a_review_link_is_found_by_its_token_and_keeps_only_a_hash(editor):
    post = PostFactory(draft=True)

    link, token = services.share_for_review(post=post, by=editor)

    assert services.find_review_link(token) == (link, True)
    assert token.split(":")[0] not in link.key_hash


def test_a_withdrawn_link_stops_opening_at_once(editor):
    post = PostFactory(draft=True)
    link, token = services.share_for_review(post=post, by=editor)

    services.revoke_review_link(link=link, by=editor)

    assert services.find_review_link(token) == (link, False)


def test_an_expired_link_no_longer_opens(editor):
    link, token = services.share_for_review(post=PostFactory(draft=True), by=editor, days=1)
    ReviewLink.objects.filter(pk=link.pk).update(
        created_at=timezone.now() - dt.timedelta(days=3),
        expires_at=timezone.now() - dt.timedelta(days=2),
    )

    assert services.find_review_link(token)[1] is False


def test_a_token_with_the_right_link_but_a_made_up_key_opens_nothing(editor):
    link, _ = services.share_for_review(post=PostFactory(draft=True), by=editor)
    forged = signing.dumps({"l": link.pk, "k": "guess"}, salt=services.REVIEW_SALT, compress=True)

    assert services.find_review_link(forged) == (None, False)
    assert services.find_review_link("not-a-token") == (None, False)


def test_an_author_cannot_share_someone_elses_draft(author):
    with pytest.raises(PermissionDenied):
        services.share_for_review(post=PostFactory(draft=True), by=author)


def test_a_published_post_is_not_shared_for_review(editor):
    with pytest.raises(ValidationError):
        services.share_for_review(post=PostFactory(), by=editor)


def test_restoring_brings_back_the_writing_as_a_new_revision(committed, editor):
    first_category = CategoryFactory()
    with committed():
        post = PostFactory(draft=True, title="First title", categories=[first_category])
    with committed():
        post.title, post.body = "Second title", "<p>Rewritten.</p>"
        publishing.save_post(post=post)
        post.categories.set([CategoryFactory()])
    original = Version.objects.get_for_object(post).order_by("pk").first()

    with committed():
        services.restore_revision(version=original, by=editor)

    post.refresh_from_db()
    assert post.title == "First title"
    assert post.body == original.field_dict["body"]
    assert list(post.categories.all()) == [first_category]
    newest = Version.objects.get_for_object(post).first()
    assert Version.objects.get_for_object(post).count() == 3
    assert newest.revision.user == editor
    assert newest.revision.comment.startswith("Restored the revision of ")


def test_restoring_keeps_the_status_and_schedule(committed, editor):
    with committed():
        post = PostFactory(draft=True, title="Old")
    with committed():
        post.title = "New"
        publishing.publish_post(post=post)
    original = Version.objects.get_for_object(post).order_by("pk").first()

    with committed():
        services.restore_revision(version=original, by=editor)

    post.refresh_from_db()
    assert (post.title, post.status) == ("Old", "published")


def test_an_author_cannot_restore_someone_elses_post(committed, author):
    with committed():
        post = PostFactory(draft=True)
    with pytest.raises(PermissionDenied):
        services.restore_revision(version=Version.objects.get_for_object(post).get(), by=author)


def test_a_page_is_restored_too(committed, editor):
    with committed():
        page = PageFactory(title="About")
    with committed():
        page.title = "About us"
        publishing.save_page(page=page)

    with committed():
        services.restore_revision(
            version=Version.objects.get_for_object(page).order_by("pk").first(), by=editor
        )

    page.refresh_from_db()
    assert page.title == "About"
