"""Who skips the first-comment hold (issue 10, item 6): trust belongs to a verified identity.
A guest proves nothing, so a guest is trusted only when their name and address match an
earlier approved guest comment, and never with an address that belongs to a member; a member
is judged by their account. And the preview tells nobody whether an address has commented."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from stoa.discussion import moderation
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db

APPROVED, HELD, SPAM = CommentStatus.APPROVED, CommentStatus.PENDING, CommentStatus.SPAM
EDITOR = "editor@example.org"


def a_day_ago() -> Any:
    return timezone.now() - timezone.timedelta(days=1)


def guest_sends(post: Post, name: str, email: str, body: str = "Hello there.", **extra: str):
    data = {"name": name, "email": email, "url": "", "body": body, **extra}
    return Client().post(f"/comments/post/{post.pk}/", data, REMOTE_ADDR="198.51.100.20")


def status_of_latest() -> str:
    return Comment.objects.order_by("-pk").values_list("status", flat=True).first() or ""


def preview_words(post: Post, name: str, email: str, body: str = "Nothing controversial.") -> str:
    response = guest_sends(post, name, email, body, preview="1")
    assert response.status_code == 200
    (box,) = lxml.html.fromstring(response.content).xpath("//*[@class='preview']")
    return " ".join(box.text_content().split())


def configure(**changes: Any) -> None:
    row = DiscussionSettings.current()
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()


# --- Guests -----------------------------------------------------------------------------------


def test_a_guest_typing_an_editors_address_is_held(post: Post) -> None:
    editor = SuperuserFactory(first_name="Ed", last_name="Itor", email=EDITOR)
    CommentFactory(user=editor, created_at=a_day_ago())

    response = guest_sends(post, "Ed Itor", "Editor@Example.org")

    assert response.status_code == 302
    assert status_of_latest() == HELD


def test_a_guest_typing_a_members_address_is_held_even_after_a_guest_was_approved_with_it(
    post: Post,
) -> None:
    # An approved guest comment under the address, then a member who owns it (one of
    # allauth's addresses, not even verified): the address is no guest's to vouch for.
    CommentFactory(author_name="Mia", author_email="mia@example.net", created_at=a_day_ago())
    member = UserFactory(email="mia.member@example.net")
    EmailAddress.objects.create(user=member, email="MIA@example.net", verified=False)

    guest_sends(post, "Mia", "mia@example.net")

    assert status_of_latest() == HELD


def test_a_guest_typing_someone_elses_address_under_another_name_is_held(post: Post) -> None:
    CommentFactory(author_name="Ada Reader", author_email="ada@example.net", created_at=a_day_ago())

    guest_sends(post, "Mallory", "ada@example.net")

    assert status_of_latest() == HELD


def test_a_returning_guest_with_the_same_name_and_address_appears_at_once(post: Post) -> None:
    CommentFactory(author_name="Ada Reader", author_email="ada@example.net", created_at=a_day_ago())

    guest_sends(post, "ada reader", "ADA@example.net")

    assert status_of_latest() == APPROVED


def test_a_guest_is_not_trusted_for_a_held_or_spam_comment_under_the_same_name(post: Post) -> None:
    for status in (HELD, SPAM):
        CommentFactory(
            author_name="Ada Reader",
            author_email="ada@example.net",
            status=status,
            created_at=a_day_ago(),
        )
    assert not moderation.trusted_guest("Ada Reader", "ada@example.net")


# --- Members ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("earlier", "judged"), [(None, APPROVED), (SPAM, HELD)])
def test_a_member_is_judged_by_their_account(post: Post, earlier: str | None, judged: str) -> None:
    member = UserFactory(email="mia@example.net")
    if earlier is not None:
        CommentFactory(user=member, status=earlier, created_at=a_day_ago())
    # What guests wrote with the address counts for nothing, either way.
    CommentFactory(author_name="Mia", author_email="mia@example.net", created_at=a_day_ago())
    client = Client()
    client.force_login(member)

    client.post(f"/comments/post/{post.pk}/", {"body": "Words of mine."})

    assert status_of_latest() == judged


# --- The preview ------------------------------------------------------------------------------


def test_the_preview_says_the_same_to_every_guest_whatever_address_they_type(post: Post) -> None:
    SuperuserFactory(first_name="Ed", last_name="Itor", email=EDITOR)
    CommentFactory(author_name="Ada Reader", author_email="ada@example.net", created_at=a_day_ago())

    unknown = preview_words(post, "Ada Reader", "nobody@example.net")
    known = preview_words(post, "Ada Reader", "ada@example.net")
    editors = preview_words(post, "Ada Reader", EDITOR)

    assert unknown == known == editors
    assert "A first comment waits for a moderator" in known
    assert not Comment.objects.filter(post=post).exists()


def test_the_preview_does_not_say_that_an_address_wrote_the_same_words_before(
    post: Post,
) -> None:
    # The duplicate check looks the typed address up too: as advice, it would tell a
    # stranger which public comment an address wrote.
    CommentFactory(post=post, author_email="ada@example.net", text="My published thought.")

    theirs = preview_words(post, "Ada Reader", "ada@example.net", "My published thought.")
    other = preview_words(post, "Ada Reader", "other@example.net", "My published thought.")

    assert theirs == other
    assert "Duplicate" not in theirs


def test_the_preview_tells_a_guest_that_comments_appear_at_once_when_nothing_is_held(
    post: Post,
) -> None:
    configure(hold_first_comment=False)
    words = preview_words(post, "Ada Reader", "nobody@example.net")
    assert "it will appear as soon as you send it" in words
    assert "first comment" not in words


def test_the_preview_tells_a_member_in_good_standing_that_it_appears_at_once(
    post: Post,
) -> None:
    client = Client()
    client.force_login(UserFactory())
    data = {"body": "Nothing controversial.", "preview": "1"}
    response = client.post(f"/comments/post/{post.pk}/", data)
    (box,) = lxml.html.fromstring(response.content).xpath("//*[@class='preview']")
    assert "it will appear as soon as you send it" in box.text_content()
