"""The desk in the admin: the review queue, submitting for review, revisions, sharing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from reversion.models import Version

from stoa.publishing import services as publishing
from stoa.publishing.models import PostStatus, PostVisibility
from stoa.publishing.tests.factories import CategoryFactory, PostFactory

pytestmark = pytest.mark.django_db


def author_form(post, **fields) -> dict:
    data = {
        "title": post.title,
        "slug": post.slug,
        "dek": "",
        "body": post.body,
        "excerpt": "",
        "authors": [p.pk for p in post.authors.all()],
        "categories": [c.pk for c in post.categories.all()],
        "status": PostStatus.DRAFT,
        "visibility": PostVisibility.PUBLIC,
        "comments_open": "on",
        "_save": "Save",
    }
    return data | fields


def test_an_author_submitting_a_draft_emails_the_editors_once(client, author, editor, committed):
    post = PostFactory(draft=True, authors=[author.person])
    client.force_login(author)
    url = reverse("admin:publishing_post_change", args=[post.pk])

    with committed():
        response = client.post(url, author_form(post, status=PostStatus.PENDING))
    with committed():  # saved again while pending: no second email
        client.post(url, author_form(post, status=PostStatus.PENDING, dek="More"))

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.bcc == ["editor@example.com"]
    assert post.title in message.subject
    assert reverse("admin:publishing_post_change", args=[post.pk]) in message.body


def test_an_author_submits_with_the_submit_for_review_button(client, author, editor, committed):
    post = PostFactory(draft=True, authors=[author.person])
    client.force_login(author)
    url = reverse("admin:publishing_post_change", args=[post.pk])
    assert "Submit for review" in client.get(url).content.decode()

    # The status list says draft; the button, sent after it, says pending.
    data = author_form(post)
    del data["_save"]
    data["status"] = [PostStatus.DRAFT, PostStatus.PENDING]
    with committed():
        response = client.post(url, data)

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.PENDING
    assert len(mail.outbox) == 1
    assert "Submit for review" not in client.get(url).content.decode()  # submitted already


def test_an_editor_is_not_offered_submit_for_review(editor_client):
    post = PostFactory(draft=True)

    page = editor_client.get(reverse("admin:publishing_post_change", args=[post.pk]))

    assert "Submit for review" not in page.content.decode()


def test_the_review_queue_lists_pending_posts_oldest_first_for_editors(editor_client):
    first = PostFactory(pending=True, title="First in")
    second = PostFactory(pending=True, title="Second in")
    PostFactory(draft=True, title="Still a draft")

    response = editor_client.get(reverse("admin:desk_pendingpost_changelist"))

    assert response.status_code == 200
    assert [p.pk for p in response.context["cl"].result_list] == [first.pk, second.pk]


def test_an_author_does_not_see_the_review_queue(client, author):
    client.force_login(author)

    response = client.get(reverse("admin:desk_pendingpost_changelist"))

    assert response.status_code == 403


def test_an_editor_compares_two_revisions_and_reads_the_words_that_changed(
    editor_client, committed
):
    with committed():
        post = PostFactory(draft=True, body="<h2>Plan</h2><p>We meet on Monday.</p>")
    with committed():
        post.body = "<h2>Plan</h2><p>We meet on Friday.</p><ul><li>Bring notes</li></ul>"
        publishing.save_post(post=post)
    old, new = Version.objects.get_for_object(post).order_by("pk")

    history = editor_client.get(reverse("admin:desk_history", args=["post", post.pk]))
    response = editor_client.get(
        reverse("admin:desk_compare", args=["post", post.pk]), {"a": old.pk, "b": new.pk}
    )

    assert history.status_code == 200
    assert "Changed body" in history.content.decode()
    page = response.content.decode()
    assert "<del>Monday.</del><ins>Friday.</ins>" in page
    assert "<ins>Bring notes</ins>" in page


def test_restoring_through_the_admin_is_a_post(editor_client, editor, committed):
    with committed():
        post = PostFactory(draft=True, title="Old title")
    with committed():
        post.title = "New title"
        publishing.save_post(post=post)
    old = Version.objects.get_for_object(post).order_by("pk").first()
    url = reverse("admin:desk_restore", args=["post", post.pk, old.pk])

    confirm = editor_client.get(url)
    post.refresh_from_db()
    assert confirm.status_code == 200 and post.title == "New title"  # a GET changes nothing

    with committed():
        response = editor_client.post(url)

    post.refresh_from_db()
    assert response.status_code == 302
    assert post.title == "Old title"
    assert Version.objects.get_for_object(post).first().revision.user == editor


def test_an_author_cannot_open_the_revisions_of_someone_elses_post(client, author, committed):
    with committed():
        post = PostFactory(draft=True)
    client.force_login(author)

    assert client.get(reverse("admin:desk_history", args=["post", post.pk])).status_code == 404


def test_an_admin_save_is_a_revision_credited_to_its_editor(editor_client, editor, committed):
    post = PostFactory(draft=True, categories=[CategoryFactory()])
    url = reverse("admin:publishing_post_change", args=[post.pk])

    with committed():
        response = editor_client.post(url, author_form(post, title="Edited in the admin"))

    assert response.status_code == 302
    newest = Version.objects.get_for_object(post).first()
    assert newest.field_dict["title"] == "Edited in the admin"
    assert newest.revision.user == editor


def test_sharing_shows_the_new_link_once_and_withdrawing_closes_it(editor_client, client):
    post = PostFactory(draft=True)
    url = reverse("admin:desk_share", args=[post.pk])

    made = editor_client.post(url, {"days": "3"})
    link = made.context["new_link"]
    assert link.startswith("http://testserver/review/")
    assert client.get(link).status_code == 200

    listing = editor_client.get(url)
    assert link not in listing.content.decode()  # only its hash was kept
    (row,) = listing.context["links"]
    editor_client.post(url, {"revoke": row.pk})

    assert client.get(link).status_code == 410


def test_the_post_change_page_offers_the_editor_under_the_pages_csp_nonce(editor_client):
    post = PostFactory(draft=True)

    response = editor_client.get(reverse("admin:publishing_post_change", args=[post.pk]))

    page = response.content.decode()
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script type="importmap" nonce="{nonce}">' in page
    assert "data-django-prose-editor-configurable" in page
    assert reverse("admin:desk_history", args=["post", post.pk]) in page
    assert reverse("admin:desk_share", args=[post.pk]) in page
