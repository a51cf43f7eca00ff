"""The account page's sections, kept for each member (stoa.members.cache, issue 12): drawn
once, then served from the cache until the member's own rows, the site's content or a clock
change them. Every change a member can make or be given shows on their next request; no
member is ever given another's kept sections; a form's CSRF token is never a kept one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import freezegun
import lxml.html
import pytest
from django.test import Client
from django.utils import timezone

from stoa.api import services as api_services
from stoa.discussion import services as discussion_services
from stoa.discussion.models import CommentStatus
from stoa.discussion.tests.factories import CommentFactory, SubscriptionFactory
from stoa.members.tests.helpers import verified_member
from stoa.publishing.tests.factories import PostFactory, UserFactory
from stoa.webcasts.tests.factories import EnrolmentFactory, SeriesFactory

pytestmark = pytest.mark.django_db


def signed_in(user: Any, **client_options: Any) -> Client:
    client = Client(**client_options)
    client.force_login(user)
    return client


def account(client: Client) -> str:
    response = client.get("/account/")
    assert response.status_code == 200
    return str(response.content.decode())


def own_sections(client: Client) -> str:
    """The text of the account page's sections (the sidebar shows every reader's comments)."""
    found = lxml.html.fromstring(account(client)).xpath("//section[@class='account-section']")
    return " ".join(section.text_content() for section in found)


def kept_and_warm(client: Client, django_assert_num_queries: Any) -> str:
    """The page twice: the second from what was kept (no query at all)."""
    account(client)
    with django_assert_num_queries(0):
        return account(client)


def test_the_members_new_comment_is_listed_on_their_next_request(
    django_assert_num_queries,
) -> None:
    writer = UserFactory()
    client = signed_in(writer)
    assert "You have not commented yet." in kept_and_warm(client, django_assert_num_queries)
    CommentFactory(user=writer, post=PostFactory(title="On Silence"), status=CommentStatus.PENDING)
    page = account(client)
    assert "On Silence" in page and "(awaiting moderation)" in page


def test_the_members_comment_approved_shows_as_published_on_their_next_request(
    django_assert_num_queries,
) -> None:
    writer = UserFactory()
    comment = CommentFactory(
        user=writer, post=PostFactory(title="On Silence"), status=CommentStatus.PENDING
    )
    client = signed_in(writer)
    assert "(awaiting moderation)" in kept_and_warm(client, django_assert_num_queries)
    discussion_services.approve_comment(comment=comment)
    page = account(client)
    assert "On Silence" in page and "(awaiting moderation)" not in page


def test_a_post_renamed_is_renamed_on_the_account_page_at_the_next_request(
    django_assert_num_queries,
) -> None:
    writer = UserFactory()
    post = PostFactory(title="On Silence")
    CommentFactory(user=writer, post=post)
    client = signed_in(writer)
    assert "On Silence" in kept_and_warm(client, django_assert_num_queries)
    post.title = "On Silence, Revisited"
    post.save()
    assert "On Silence, Revisited" in own_sections(client)


def test_unsubscribing_from_the_account_page_lists_the_thread_no_more(
    django_assert_num_queries,
) -> None:
    reader = UserFactory()
    SubscriptionFactory(user=reader, email=reader.email, post=PostFactory(title="On Silence"))
    client = signed_in(reader, enforce_csrf_checks=True)
    page = kept_and_warm(client, django_assert_num_queries)
    form = next(f for f in lxml.html.fromstring(page).forms if "/unsubscribe/" in (f.action or ""))
    # The kept page's form carries a token good for this request: the POST is accepted.
    answered = client.post(form.action, dict(form.form_values()))
    assert answered.status_code == 302
    page = account(client)
    assert "Unsubscribe" not in page and "You get no emails about comments." in page


def test_a_token_made_and_revoked_shows_on_the_next_request(django_assert_num_queries) -> None:
    holder = UserFactory()
    client = signed_in(holder, enforce_csrf_checks=True)
    assert "You have no API tokens." in kept_and_warm(client, django_assert_num_queries)
    form = next(
        f for f in lxml.html.fromstring(account(client)).forms if f.action == "/api/tokens/"
    )
    made = client.post(form.action, {**dict(form.form_values()), "name": "My script"})
    assert made.status_code == 200
    page = kept_and_warm(client, django_assert_num_queries)
    assert "My script" in page and "Revoke" in page
    revoke = next(f for f in lxml.html.fromstring(page).forms if "/revoke/" in (f.action or ""))
    assert client.post(revoke.action, dict(revoke.form_values())).status_code == 302
    page = account(client)
    assert "My script" in page and "revoked" in page


def test_a_token_used_shows_when_it_was_last_used(django_assert_num_queries) -> None:
    holder = UserFactory()
    token, secret = api_services.create_token(user=holder, name="My script", scopes=["read"])
    client = signed_in(holder)
    assert "<td>never</td>" in kept_and_warm(client, django_assert_num_queries)
    assert Client().get("/api/v1/posts", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    assert "<td>never</td>" not in account(client)


def test_an_enrolment_shows_on_the_next_request_and_ends_by_itself(
    django_assert_num_queries,
) -> None:
    student = UserFactory()
    client = signed_in(student)
    assert "You are not enrolled" in kept_and_warm(client, django_assert_num_queries)
    until = timezone.now() + dt.timedelta(minutes=30)
    EnrolmentFactory(user=student, series=SeriesFactory(title="Working with Couples"), until=until)
    page = kept_and_warm(client, django_assert_num_queries)
    assert "Working with Couples" in page and "until" in page
    # Kept no longer than until the enrolment ends: nothing was written, time moved on.
    with freezegun.freeze_time(until + dt.timedelta(seconds=1)):
        assert "— ended" in account(client)


def test_a_guest_comment_with_the_members_verified_address_is_offered_at_the_next_request(
    django_assert_num_queries,
) -> None:
    owner = verified_member(email="owner@example.org")
    client = signed_in(owner)
    assert "Comments written with your address" not in kept_and_warm(
        client, django_assert_num_queries
    )
    CommentFactory(author_email="owner@example.org", post=PostFactory(title="On Silence"))
    page = account(client)
    assert "Comments written with your address" in page and "On Silence" in page


def test_one_members_kept_sections_are_never_given_to_another(django_assert_num_queries) -> None:
    first = UserFactory()
    CommentFactory(user=first, post=PostFactory(title="The First Post"))
    api_services.create_token(user=first, name="The first script", scopes=["read"])
    second = UserFactory()
    CommentFactory(user=second, post=PostFactory(title="The Second Post"))
    first_client, second_client = signed_in(first), signed_in(second)
    for _ in range(2):  # drawn, then kept: neither is given the other's
        mine, theirs = own_sections(first_client), own_sections(second_client)
        assert "The First Post" in mine and "The first script" in mine
        assert "The Second Post" not in mine
        assert "The Second Post" in theirs
        assert "The First Post" not in theirs and "The first script" not in theirs


def test_each_request_gets_a_csrf_token_of_its_own_in_the_kept_forms(
    django_assert_num_queries,
) -> None:
    client = signed_in(UserFactory())
    first, second = account(client), kept_and_warm(client, django_assert_num_queries)
    tokens = [
        next(f for f in lxml.html.fromstring(page).forms if f.action == "/api/tokens/").fields[
            "csrfmiddlewaretoken"
        ]
        for page in (first, second)
    ]
    assert all(tokens) and tokens[0] != tokens[1]


def test_a_profile_saved_fills_the_form_at_the_next_request(django_assert_num_queries) -> None:
    writer = UserFactory()
    client = signed_in(writer)
    kept_and_warm(client, django_assert_num_queries)
    saved = client.post(
        "/account/",
        {"display_name": "Dr. Wren", "bio": "Couples work, mostly.", "credential": "LMFT"},
    )
    assert saved.status_code == 302
    form = next(f for f in lxml.html.fromstring(account(client)).forms if f.action == "/account/")
    assert form.fields["display_name"] == "Dr. Wren"
    assert form.fields["bio"].strip() == "Couples work, mostly."


def test_one_members_profile_form_is_never_given_to_another(django_assert_num_queries) -> None:
    first, second = UserFactory(), UserFactory()
    first.profile.bio = "Firstina writes here."
    first.profile.save()
    first_client, second_client = signed_in(first), signed_in(second)
    for _ in range(2):  # drawn, then kept
        assert "Firstina writes here." in account(first_client)
        assert "Firstina writes here." not in account(second_client)


def test_guest_comments_the_member_says_are_not_theirs_are_offered_no_more(
    django_assert_num_queries,
) -> None:
    owner = verified_member(email="owner@example.org")
    CommentFactory(author_email="owner@example.org", post=PostFactory(title="On Silence"))
    client = signed_in(owner, enforce_csrf_checks=True)
    page = kept_and_warm(client, django_assert_num_queries)
    form = next(f for f in lxml.html.fromstring(page).forms if f.action == "/comments/claim/")
    # Nothing ticked: the offered comment is declined (a row written in bulk, no signal).
    assert client.post(form.action, dict(form.form_values())).status_code == 302
    assert "Comments written with your address" not in account(client)


def test_a_members_held_comment_brought_by_an_import_shows_on_their_next_request(
    django_assert_num_queries,
) -> None:
    from django.db import transaction

    from stoa.core import freshness

    writer = verified_member(email="imported@example.org")
    client = signed_in(writer)
    assert "You have not commented yet." in kept_and_warm(client, django_assert_num_queries)
    post = PostFactory(title="On Waiting Rooms")
    row = discussion_services.ImportedComment(
        key=1,
        author_name="Imported",
        author_email="imported@example.org",
        text="Written on the old site.",
        created_at=timezone.now() - dt.timedelta(days=400),
        status=CommentStatus.PENDING,
        user=writer,
    )
    with transaction.atomic(), freshness.changed():
        discussion_services.import_threads(threads=[(post, [row], {})])
    page = account(client)
    assert "On Waiting Rooms" in page and "(awaiting moderation)" in page
