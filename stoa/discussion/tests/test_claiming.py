"""Guest comments a new member makes theirs (issue 10, item 6): anyone can type an address in
a comment form, so verifying it claims nothing; the member's account page lists the guest
comments written with their verified addresses, and they say which are theirs."""

from __future__ import annotations

import re
from typing import Any

import lxml.html
import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from stoa.discussion import services
from stoa.discussion.models import Comment, CommentStatus, DeclinedClaim
from stoa.discussion.tests.factories import CommentFactory
from stoa.members.models import User
from stoa.publishing.tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db

APPROVED, HELD, SPAM = CommentStatus.APPROVED, CommentStatus.PENDING, CommentStatus.SPAM
PASSWORD = "a-long-test-password"
SECTION = "Comments written with your address"
CLAIM = "/comments/claim/"


@pytest.fixture(autouse=True)
def _sections(settings: Any) -> None:
    settings.STOA = {
        **settings.STOA,
        "ACCOUNT_SECTIONS": [
            "stoa.discussion.slots.account_guest_comments",
            "stoa.discussion.slots.account_comments",
        ],
    }


def hours_ago(hours: int) -> Any:
    return timezone.now() - timezone.timedelta(hours=hours)


def sign_up_and_verify(client: Client, email: str) -> User:
    client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    message = [m for m in mail.outbox if email in m.to][-1]
    link = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert link is not None
    client.post(link.group(1))
    return User.objects.get(email=email)


def account_page(client: Client) -> lxml.html.HtmlElement:
    response = client.get(reverse("members:account"))
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


def offered(page: lxml.html.HtmlElement) -> list[int]:
    return [int(pk) for pk in page.xpath('//input[@name="claim"]/@value')]


def verified_member(email: str = "ada@example.net") -> User:
    member = UserFactory(email=email)
    EmailAddress.objects.create(user=member, email=email, verified=True, primary=True)
    return member


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The whole flow, through the site ---------------------------------------------------------


def test_a_new_member_claims_two_of_three_guest_comments_and_the_third_stays_a_guests() -> None:
    post = PostFactory()
    first, second, third = (
        CommentFactory(
            post=post,
            author_name="Ada",
            author_email=email,
            status=status,
            created_at=hours_ago(hours),
        )
        for email, status, hours in (
            ("ada@example.net", APPROVED, 5),
            ("Ada@Example.NET", HELD, 4),
            ("ada@example.net", APPROVED, 3),
        )
    )
    spam = CommentFactory(post=post, author_email="ada@example.net", status=SPAM)
    strangers = CommentFactory(post=post, author_email="someone@example.net")
    browser = Client()

    member = sign_up_and_verify(browser, "ada@example.net")

    # Verifying claimed nothing; the account page asks.
    assert not Comment.objects.filter(user=member).exists()
    page = account_page(browser)
    (section,) = page.xpath('//section[@aria-labelledby="account-guest-comments-title"]')
    assert SECTION in section.text_content()
    assert sorted(offered(page)) == sorted([first.pk, second.pk, third.pk])
    assert spam.pk not in offered(page) and strangers.pk not in offered(page)
    (form,) = section.xpath(".//form")
    assert form.get("action") == CLAIM
    assert form.xpath('.//input[@name="csrfmiddlewaretoken"]')

    response = browser.post(
        CLAIM,
        {"offered": [first.pk, second.pk, third.pk], "claim": [first.pk, second.pk]},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("members:account"), 302)]
    assert "2 comments are now signed with your name." in response.content.decode()
    for claimed in (first, second):
        claimed.refresh_from_db()
        assert claimed.user == member
        assert claimed.author_name == member.display_name
        event = claimed.events.get(rule="claimed")
        assert (event.actor, "“Ada”" in event.note) == (member, True)
    third.refresh_from_db()
    assert (third.user, third.author_name) == (None, "Ada")
    assert DeclinedClaim.objects.filter(user=member, comment=third).exists()
    after = account_page(browser)
    assert offered(after) == []
    assert SECTION not in after.text_content()
    # The claimed ones are listed with the member's own comments.
    (mine,) = after.xpath('//section[@aria-labelledby="account-comments-title"]')
    assert len(mine.xpath(".//li")) == 2


def test_the_section_is_not_shown_without_guest_comments_to_ask_about() -> None:
    member = verified_member()
    CommentFactory(author_email="someone@example.net")
    assert SECTION not in account_page(logged_in(member)).text_content()


def test_an_unverified_address_offers_nothing() -> None:
    member = UserFactory(email="ada@example.net")
    EmailAddress.objects.create(user=member, email="ada@example.net", verified=False)
    CommentFactory(author_email="ada@example.net")
    assert offered(account_page(logged_in(member))) == []


def test_claiming_someone_elses_comment_through_the_form_is_refused_with_a_reason() -> None:
    member = verified_member()
    mine = CommentFactory(author_email="ada@example.net")
    theirs = CommentFactory(author_email="someone@example.net")

    response = logged_in(member).post(CLAIM, {"offered": [mine.pk], "claim": [mine.pk, theirs.pk]})

    assert response.status_code == 403
    assert "address you have verified" in response.content.decode()
    assert not Comment.objects.filter(user=member).exists()


def test_a_claim_that_is_not_a_list_of_comment_ids_is_refused_plainly() -> None:
    member = verified_member()
    response = logged_in(member).post(CLAIM, {"claim": ["1; DROP TABLE"]})
    assert response.status_code == 400
    assert "This form was not understood" in response.content.decode()


def test_claiming_needs_an_account_and_the_members_own_token() -> None:
    comment = CommentFactory(author_email="ada@example.net")
    anonymous = Client().post(CLAIM, {"claim": [comment.pk]})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(verified_member())
    assert forged.post(CLAIM, {"claim": [comment.pk]}).status_code == 403
    assert Comment.objects.get(pk=comment.pk).user is None


# --- The service ------------------------------------------------------------------------------


def test_the_service_refuses_a_comment_written_with_someone_elses_address() -> None:
    member = verified_member()
    mine = CommentFactory(author_email="ada@example.net")
    theirs = CommentFactory(author_email="someone@example.net")

    with pytest.raises(PermissionDenied):
        services.claim_guest_comments(user=member, comment_ids=[mine.pk, theirs.pk])

    # All or nothing: not even the one that was theirs to claim.
    assert not Comment.objects.filter(user=member).exists()


@pytest.mark.parametrize("kind", ["spam", "trash", "a members"])
def test_the_service_refuses_spam_trash_and_members_comments(kind: str) -> None:
    member = verified_member()
    if kind == "a members":
        comment = CommentFactory(user=UserFactory(email="ada@example.net"))
    else:
        status = SPAM if kind == "spam" else CommentStatus.TRASH
        comment = CommentFactory(author_email="ada@example.net", status=status)
    with pytest.raises(PermissionDenied):
        services.claim_guest_comments(user=member, comment_ids=[comment.pk])


def test_the_service_checks_every_verified_address_and_no_other() -> None:
    member = verified_member()
    EmailAddress.objects.create(user=member, email="ada@work.example", verified=True)
    EmailAddress.objects.create(user=member, email="ada@old.example", verified=False)
    at_work = CommentFactory(author_email="ADA@work.example")
    old = CommentFactory(author_email="ada@old.example")

    assert services.claim_guest_comments(user=member, comment_ids=[at_work.pk]) == 1
    with pytest.raises(PermissionDenied):
        services.claim_guest_comments(user=member, comment_ids=[old.pk])


def test_claiming_twice_is_harmless_and_declining_what_cannot_be_claimed_changes_nothing() -> None:
    member = verified_member()
    comment = CommentFactory(author_email="ada@example.net", created_at=hours_ago(2))
    spam = CommentFactory(author_email="ada@example.net", status=SPAM)

    assert services.claim_guest_comments(user=member, comment_ids=[comment.pk]) == 1
    assert (
        services.claim_guest_comments(user=member, comment_ids=[comment.pk], declined_ids=[spam.pk])
        == 0
    )
    assert not DeclinedClaim.objects.exists()


def test_declined_comments_are_offered_to_nobody_else_they_were_not_offered_to() -> None:
    member = verified_member()
    comment = CommentFactory(author_email="ada@example.net")
    services.claim_guest_comments(user=member, comment_ids=[], declined_ids=[comment.pk])
    assert list(services.offered_comments(user=member)) == []
    # Still claimable, should the member change their mind through the service.
    assert list(services.claimable_comments(user=member)) == [comment]
