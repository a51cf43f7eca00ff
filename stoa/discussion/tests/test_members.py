"""Members in the discussion: comments signed with their display name and linked to their
page, re-drawn when their name, picture or verified credential changes; guest comments that
become theirs when they verify the address; what their account page and public page list;
their data export; and what deleting their account does to their comments."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from stoa.core.cache import content_version
from stoa.discussion import services, threads, tokens
from stoa.discussion.models import (
    Comment,
    CommentEvent,
    CommentStatus,
    DiscussionSettings,
    Subscription,
)
from stoa.discussion.tests.factories import CommentFactory, SubscriptionFactory
from stoa.discussion.threads import render_comment
from stoa.members import services as members
from stoa.members.models import User
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import PersonFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
APPROVED, HELD, SPAM, TRASH = (
    CommentStatus.APPROVED,
    CommentStatus.PENDING,
    CommentStatus.SPAM,
    CommentStatus.TRASH,
)
OWN_SECTIONS = [
    "stoa.discussion.slots.account_guest_comments",
    "stoa.discussion.slots.account_comments",
    "stoa.discussion.slots.account_subscriptions",
]


@pytest.fixture(autouse=True)
def _own_slots_and_media(settings: Any, tmp_path: Path) -> None:
    """This app's account sections and exporter (the webcasts app tests its own), and a
    throwaway folder for pictures."""
    settings.STOA = {
        **settings.STOA,
        "ACCOUNT_SECTIONS": OWN_SECTIONS,
        "ACCOUNT_EXPORTERS": ["stoa.discussion.exports.member_data"],
    }
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def member() -> User:
    return UserFactory(first_name="Mia", last_name="Member", email="mia@example.net")


def html(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def squash(text: str) -> str:
    return " ".join(text.split())


def article(response, comment: Comment) -> lxml.html.HtmlElement:
    (found,) = html(response).xpath(f'//article[@id="comment-{comment.pk}"]')
    return found


def author_of(response, comment: Comment) -> lxml.html.HtmlElement:
    (found,) = article(response, comment).xpath('.//*[@class="comment__author"]')
    return found


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def an_hour_ago(hours: int = 1) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


def profile_url(user: User) -> str:
    return reverse("members:profile", kwargs={"pk": user.pk})


def rename(user: User, name: str, **fields: Any) -> None:
    members.update_profile(
        user=user,
        display_name=name,
        bio=fields.get("bio", ""),
        credential=fields.get("credential", user.profile.credential),
        avatar=fields.get("avatar"),
    )


# --- Writing as a member ----------------------------------------------------------------------


def test_a_members_comment_shows_their_display_name_and_links_to_their_profile(
    member: User,
) -> None:
    rename(member, "Dr. Mia M.")
    post = PostFactory()
    client = logged_in(member)
    form = html(client.get(post.get_absolute_url())).xpath('//form[@id="commentform"]')[0]
    assert not form.xpath('.//input[@name="name" or @name="email" or @name="url"]')
    assert "Logged in as Dr. Mia M." in squash(form.text_content())

    sent = client.post(f"/comments/post/{post.pk}/", {"body": "Thank you for this."})

    assert sent.status_code == 302
    comment = Comment.objects.get()
    assert (comment.user, comment.author_name) == (member, "Dr. Mia M.")
    assert comment.author_email == "mia@example.net"
    page = Client().get(post.get_absolute_url())
    (link,) = author_of(page, comment).xpath("./a")
    assert link.get("href") == profile_url(member)
    assert squash(link.text_content()) == "Dr. Mia M."
    assert "mia@example.net" not in page.content.decode()


def test_a_member_without_a_display_name_signs_with_their_full_name(member: User) -> None:
    comment = CommentFactory(user=member)
    assert comment.author_name == "Mia Member"


def test_a_guests_comment_still_links_to_their_website_and_not_to_a_profile() -> None:
    comment = CommentFactory(author_name="Ada", author_url="https://ada.example")
    page = Client().get(comment.post.get_absolute_url())
    (link,) = author_of(page, comment).xpath("./a")
    assert link.get("href") == "https://ada.example"
    assert "ugc" in link.get("rel")


# --- Re-drawing a member's comments -----------------------------------------------------------


def test_a_new_display_name_shows_on_every_comment_of_theirs_at_once(member: User) -> None:
    post = PostFactory()
    first = CommentFactory(user=member, post=post, created_at=an_hour_ago(2))
    second = CommentFactory(user=member, post=post)
    other = CommentFactory(post=post, author_name="Someone Else")
    before = Client().get(post.get_absolute_url())  # caches the thread's stored pieces
    assert squash(author_of(before, first).text_content()) == "Mia Member"
    version = content_version()

    rename(member, "Mia M., LCSW")

    assert content_version() != version
    after = Client().get(post.get_absolute_url())
    for comment in (first, second):
        assert squash(author_of(after, comment).text_content()) == "Mia M., LCSW"
    assert squash(author_of(after, other).text_content()) == "Someone Else"
    assert set(Comment.objects.filter(user=member).values_list("author_name", flat=True)) == {
        "Mia M., LCSW"
    }


def form_values(response) -> dict[str, Any]:
    """What a browser would send back from the page's main form, unchanged."""
    (form,) = html(response).xpath("//form[@method='post'][.//input[@name='username']]")
    values: dict[str, Any] = {}
    for field in form.xpath(".//input[@name] | .//select[@name]"):
        kind = field.get("type", "")
        if kind in ("checkbox", "radio") and field.get("checked") is None:
            continue
        if field.tag == "select":
            values[field.get("name")] = [
                o.get("value") for o in field.xpath(".//option[@selected]")
            ]
        elif kind != "submit":
            values[field.get("name")] = field.get("value", "on" if kind == "checkbox" else "")
    return values


def test_renaming_an_account_in_the_admin_re_signs_the_comments_of_a_member_without_a_display_name(
    member: User,
) -> None:
    comment = CommentFactory(user=member)
    chose = UserFactory(first_name="Ada", last_name="Chosen")
    rename(chose, "Ada C.")
    kept = CommentFactory(user=chose)
    admin = UserFactory(is_staff=True, is_superuser=True)

    client = logged_in(admin)
    for account, first in ((member, "Maria"), (chose, "Adaline")):
        url = reverse("admin:members_user_change", args=[account.pk])
        changed = client.post(url, {**form_values(client.get(url)), "first_name": first})
        assert changed.status_code == 302

    comment.refresh_from_db()
    kept.refresh_from_db()
    assert comment.author_name == "Maria Member"
    assert ">Maria Member</a>" in render_comment(comment)
    assert kept.author_name == "Ada C."


def test_a_members_uploaded_picture_shows_on_their_comments(member: User) -> None:
    comment = CommentFactory(user=member)
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), "navy").save(buffer, format="PNG")
    picture = SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")

    rename(member, "", avatar=picture)

    page = Client().get(comment.post.get_absolute_url())
    (img,) = article(page, comment).xpath('.//img[@class="avatar"]')
    assert img.get("src") == member.profile.avatar.url
    assert img.get("alt") == ""


def test_a_members_drawn_avatar_says_nothing_of_their_email_address(member: User) -> None:
    comment = CommentFactory(user=member)
    before = str(threads.avatar(comment))
    member.email = "another.address@example.org"
    member.save()
    # Initials of their name, on a colour their account fixes, whatever their address.
    assert str(threads.avatar(comment)) == before
    assert ">MM</text>" in before


def test_a_credential_shows_as_a_badge_only_once_verified_and_goes_when_it_changes(
    member: User,
) -> None:
    comment = CommentFactory(user=member)
    url = comment.post.get_absolute_url()
    rename(member, "", credential="Licensed clinical social worker")
    assert "Licensed clinical social worker" not in Client().get(url).content.decode()

    moderator = UserFactory(is_staff=True)
    members.verify_credential(profile=member.profile, moderator=moderator)
    badges = article(Client().get(url), comment).xpath('.//*[contains(@class, "badge")]')
    assert [squash(b.text_content()) for b in badges] == [
        "Licensed clinical social worker (verified by a moderator)"
    ]

    rename(member, "", credential="Licensed clinical social worker, PhD")
    assert not article(Client().get(url), comment).xpath('.//*[contains(@class, "badge")]')


def test_re_signing_one_members_comments_leaves_everyone_elses_alone(member: User) -> None:
    mine = CommentFactory(user=member, author_name="Old name")
    theirs = CommentFactory(author_name="A guest")
    assert services.refresh_member_comments(user=member) == 1
    assert Comment.objects.get(pk=theirs.pk).author_name == "A guest"
    assert Comment.objects.get(pk=mine.pk).author_name != "Old name"


# --- Guest comments that become a member's ----------------------------------------------------


def sign_up_and_verify(client: Client, email: str) -> User:
    client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    message = [m for m in mail.outbox if email in m.to][-1]
    link = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert link is not None
    client.post(link.group(1))
    return User.objects.get(email=email)


def offered_on_account_page(client: Client) -> list[int]:
    """The ids of the guest comments the account page asks the member about."""
    page = html(client.get(reverse("members:account")))
    return [int(pk) for pk in page.xpath('//input[@name="claim"]/@value')]


def test_verifying_an_address_claims_no_comment_but_adopts_its_subscriptions() -> None:
    # Issue 10: whoever typed an address in a comment form need not be its owner, so
    # verifying it no longer makes its guest comments the member's (test_claiming: the
    # member is asked which are theirs).
    post = PostFactory()
    guests = CommentFactory(post=post, author_name="Ada", author_email="Ada@Example.net")
    SubscriptionFactory(post=post, email="ada@example.net")

    member = sign_up_and_verify(Client(), "ada@example.net")

    guests.refresh_from_db()
    assert guests.user is None
    assert guests.author_name == "Ada"
    assert not guests.events.filter(rule="claimed").exists()
    assert Subscription.objects.get(email="ada@example.net").user == member


def test_a_verified_member_is_judged_by_their_account_not_by_guests_comments() -> None:
    assert DiscussionSettings.current().hold_first_comment  # the default
    CommentFactory(author_email="ada@example.net", status=SPAM, created_at=an_hour_ago(3))
    member = sign_up_and_verify(Client(), "ada@example.net")

    comment = services.post_comment(post=PostFactory(), author=member, body="Back again.")

    assert comment.status == APPROVED


def test_confirming_an_address_in_the_admin_offers_its_comments_to_the_member() -> None:
    guest = CommentFactory(author_email="ada@example.net")
    member = UserFactory(email="ada@example.net")
    address = EmailAddress.objects.create(user=member, email="ada@example.net")
    assert offered_on_account_page(logged_in(member)) == []
    admin = UserFactory(is_staff=True, is_superuser=True)
    changelist = reverse("admin:account_emailaddress_changelist")
    logged_in(admin).post(changelist, {"action": "make_verified", "_selected_action": [address.pk]})
    guest.refresh_from_db()
    assert guest.user is None
    assert offered_on_account_page(logged_in(member)) == [guest.pk]


# --- The account page's and the public page's sections ---------------------------------------


def test_the_account_page_lists_the_members_comments_held_ones_marked(member: User) -> None:
    published = CommentFactory(user=member, created_at=an_hour_ago(3))
    held = CommentFactory(user=member, status=HELD, created_at=an_hour_ago(2))
    CommentFactory(user=member, status=TRASH, created_at=an_hour_ago(1))
    CommentFactory()  # someone else's

    page = html(logged_in(member).get(reverse("members:account")))

    (section,) = page.xpath('//section[@aria-labelledby="account-comments-title"]')
    items = section.xpath(".//li")
    assert len(items) == 2
    newest, oldest = items
    assert "awaiting moderation" in squash(newest.text_content())
    assert newest.xpath(".//a/@href") == [f"{held.post.get_absolute_url()}#comments"]
    assert oldest.xpath(".//a/@href") == [published.get_absolute_url()]
    assert "awaiting moderation" not in squash(oldest.text_content())


def test_a_member_unsubscribes_from_a_thread_on_their_account_page(member: User) -> None:
    post = PostFactory(title="On Listening")
    SubscriptionFactory(post=post, email=member.email, user=member)
    SubscriptionFactory(post=post, email="someone@example.net")
    client = logged_in(member)
    page = html(client.get(reverse("members:account")))
    (section,) = page.xpath('//section[@aria-labelledby="account-subscriptions-title"]')
    (form,) = section.xpath(".//form")
    assert "On Listening" in squash(section.text_content())

    response = client.post(form.get("action"), {"next": reverse("members:account")})

    assert response["Location"] == reverse("members:account")
    assert not Subscription.objects.filter(user=member).exists()
    assert Subscription.objects.filter(email="someone@example.net").exists()
    after = client.get(response["Location"])
    assert "no more emails about replies under “On Listening”" in after.content.decode()
    assert "You get no emails about comments" in after.content.decode()


def confirmations_to(address: str) -> int:
    return len(
        [m for m in mail.outbox if address in m.to and "confirm your subscription" in m.subject]
    )


def test_a_member_subscribing_with_their_verified_address_needs_no_confirmation_email(
    member: User, django_capture_on_commit_callbacks: Any
) -> None:
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    post = PostFactory()
    client = logged_in(member)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/comments/post/{post.pk}/", {"body": "Count me in.", "subscribe": "on"})

    subscription = Subscription.objects.get(post=post)
    assert (subscription.user, subscription.email) == (member, member.email)
    assert subscription.confirmed_at is not None
    assert confirmations_to(member.email) == 0
    # A guest giving the same address still has to prove it is theirs.
    other = PostFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.subscribe_to_post(post=other, email=member.email)
    assert Subscription.objects.get(post=other).confirmed_at is None
    assert confirmations_to(member.email) == 1


def test_the_unsubscribe_link_goes_nowhere_but_this_site() -> None:
    subscription = SubscriptionFactory()
    token = tokens.subscription_token(subscription.pk, "unsubscribe")
    response = Client().post(
        reverse("discussion:unsubscribe", args=[token]), {"next": "https://evil.example/"}
    )
    assert response.status_code == 200
    assert not Subscription.objects.exists()


def test_the_account_page_costs_the_same_few_queries_however_much_the_member_wrote(
    member: User, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        CommentFactory(user=member, created_at=an_hour_ago(40 - i))
        SubscriptionFactory(email=f"sub{i}@example.net", user=member)
    client = logged_in(member)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("members:account"))
    assert len(html(response).xpath("//main//section//li")) == 60


def test_a_public_page_lists_approved_comments_newest_first_with_links_to_them(
    member: User, django_assert_max_num_queries: Any
) -> None:
    post = PostFactory()
    old = CommentFactory(user=member, post=post, created_at=an_hour_ago(5))
    new = CommentFactory(user=member, post=PostFactory(), created_at=an_hour_ago(1))
    CommentFactory(user=member, post=post, status=HELD, created_at=an_hour_ago(2))
    CommentFactory(user=member, post=PostFactory(draft=True), created_at=an_hour_ago(3))

    with django_assert_max_num_queries(12):
        response = Client().get(profile_url(member))

    (section,) = html(response).xpath('//section[@aria-labelledby="profile-comments-title"]')
    links = section.xpath(".//li//a/@href")
    assert links == [new.get_absolute_url(), old.get_absolute_url()]
    body = response.content.decode()
    assert "mia@example.net" not in body


def test_a_public_page_shows_comments_under_members_only_posts_to_members_only(
    member: User,
) -> None:
    open_to_all = CommentFactory(user=member, created_at=an_hour_ago(3))
    for_members = CommentFactory(
        user=member, post=PostFactory(members_only=True), created_at=an_hour_ago(2)
    )
    xpath = '//section[@aria-labelledby="profile-comments-title"]//li//a/@href'

    visitor = html(Client().get(profile_url(member))).xpath(xpath)
    reader = html(logged_in(UserFactory()).get(profile_url(member))).xpath(xpath)

    assert visitor == [open_to_all.get_absolute_url()]
    assert reader == [for_members.get_absolute_url(), open_to_all.get_absolute_url()]


def test_links_on_a_public_page_find_the_right_comment_page(member: User) -> None:
    settings = DiscussionSettings.current()
    settings.paginate, settings.threads_per_page = True, 2
    settings.save()
    post = PostFactory()
    for i in range(4):
        CommentFactory(post=post, created_at=an_hour_ago(10 - i))
    late = CommentFactory(user=member, post=post, created_at=an_hour_ago(1))
    response = Client().get(profile_url(member))
    (link,) = html(response).xpath('//section[@aria-labelledby="profile-comments-title"]//a')
    assert link.get("href") == late.get_absolute_url()
    assert "?cpage=3#" in link.get("href")


# --- The export -------------------------------------------------------------------------------


def test_a_members_export_holds_their_comments_and_subscriptions(member: User) -> None:
    comment = CommentFactory(user=member, text="My own words.")
    CommentFactory(text="Someone else's words.")
    SubscriptionFactory(post=comment.post, email=member.email, user=member)

    data = json.loads(logged_in(member).get(reverse("members:export")).content)

    assert [c["text"] for c in data["comments"]] == ["My own words."]
    assert data["comments"][0]["post_url"] == comment.post.get_absolute_url()
    assert data["comments"][0]["status"] == "Approved"
    assert [s["post"] for s in data["subscriptions"]] == [comment.post.title]


# --- Deleting the account ---------------------------------------------------------------------


def delete(member: User, choice: str) -> Any:
    client = logged_in(member)
    return client.post(reverse("members:delete"), {"comments": choice, "password": PASSWORD})


def shown_ids(post: Post) -> list[int]:
    page = Client().get(post.get_absolute_url())
    return [int(pk) for pk in re.findall(r'id="comment-(\d+)"', page.content.decode())]


def test_deleting_an_account_with_its_comments_keeps_the_replies_to_them(member: User) -> None:
    post: Post = PostFactory()
    theirs = CommentFactory(user=member, post=post, created_at=an_hour_ago(3))
    reply = CommentFactory(parent=theirs, created_at=an_hour_ago(2))
    SubscriptionFactory(post=post, email=member.email, user=member)
    SubscriptionFactory(post=PostFactory(), email=member.email)  # from before they joined
    SubscriptionFactory(post=post, email="someone@example.net")
    assert shown_ids(post) == [theirs.pk, reply.pk]
    version = content_version()

    response = delete(member, "remove")

    assert response["Location"] == reverse("members:deleted")
    assert not Comment.objects.filter(pk=theirs.pk).exists()
    reply.refresh_from_db()
    assert (reply.parent_id, reply.depth) == (None, 1)
    post.refresh_from_db()
    assert post.comment_count == 1
    assert list(Subscription.objects.values_list("email", flat=True)) == ["someone@example.net"]
    assert content_version() != version
    assert shown_ids(post) == [reply.pk]


def test_deleting_an_account_but_keeping_the_comments_leaves_them_anonymous(
    member: User,
) -> None:
    rename(member, "Dr. Mia")
    post = PostFactory(authors=[PersonFactory(user=member)])
    comment = services.post_comment(
        post=post,
        author=member,
        body="Still worth saying.",
        origin=services.Origin(ip_address="198.51.100.9", user_agent="Firefox"),
    )
    assert comment.is_by_post_author

    delete(member, "keep")

    comment.refresh_from_db()
    assert comment.user is None
    assert comment.author_name == "Former member"
    assert (comment.author_email, comment.author_url, comment.user_agent) == ("", "", "")
    assert comment.ip_address is None
    assert not comment.is_by_post_author
    assert comment.status == APPROVED
    assert "Dr. Mia" not in render_comment(comment)
    assert "/account/people/" not in render_comment(comment)
    assert "Former member" in render_comment(comment)
    assert comment.events.filter(rule="account-deleted").exists()
    assert not CommentEvent.objects.filter(actor_id=member.pk).exists()
    page = Client().get(post.get_absolute_url())
    author = author_of(page, comment)
    assert squash(author.text_content()) == "Former member"
    assert not author.xpath("./a")
    assert "Dr. Mia" not in page.content.decode()


# --- The whole journey ------------------------------------------------------------------------


def test_a_readers_whole_journey_from_guest_to_member_to_former_member(
    django_capture_on_commit_callbacks: Any,
) -> None:
    post = PostFactory()
    guest = CommentFactory(post=post, author_email="ada@example.net", created_at=an_hour_ago(5))
    browser = Client()

    # Sign up; the emailed link verifies the address and logs in; her account page asks
    # about the guest comment written with it, and she says it is hers.
    member = sign_up_and_verify(browser, "ada@example.net")
    assert offered_on_account_page(browser) == [guest.pk]
    browser.post(reverse("discussion:claim"), {"offered": [guest.pk], "claim": [guest.pk]})
    assert Comment.objects.get(pk=guest.pk).user == member
    assert "My account" in squash(html(browser.get("/")).xpath("//nav")[0].text_content())

    # Log out, and in again by email.
    browser.post(reverse("account_logout"))
    logged = browser.post(
        reverse("account_login"), {"login": "ada@example.net", "password": PASSWORD}
    )
    assert logged["Location"] == reverse("members:account")

    # Name herself and comment as a member.
    browser.post(
        reverse("members:account"), {"display_name": "Ada R.", "bio": "", "credential": ""}
    )
    browser.post(f"/comments/post/{post.pk}/", {"body": "Now with an account."})
    assert set(Comment.objects.filter(user=member).values_list("author_name", flat=True)) == {
        "Ada R."
    }

    # Change the address: password again, then the link sent to the new one.
    asked = browser.post(reverse("account_email"), {"action_add": "", "email": "ada@new.example"})
    browser.post(asked["Location"], {"password": PASSWORD})
    message = [m for m in mail.outbox if "ada@new.example" in m.to][-1]
    link = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert link is not None
    browser.post(link.group(1))
    member.refresh_from_db()
    assert member.email == "ada@new.example"

    # Forget the password and reset it from the emailed link, in another browser.
    other = Client()
    other.post(reverse("account_reset_password"), {"email": "ada@new.example"})
    message = [m for m in mail.outbox if "ada@new.example" in m.to][-1]
    link = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert link is not None
    form = other.get(link.group(1))["Location"]
    new_password = "a-brand-new-password-9"
    other.post(form, {"password1": new_password, "password2": new_password})
    member.refresh_from_db()
    assert member.check_password(new_password)

    # The new password logs out the first browser's session; she logs in again there.
    assert browser.get(reverse("members:account")).status_code == 302
    browser.post(reverse("account_login"), {"login": "ada@new.example", "password": new_password})

    # Download her data.
    data = json.loads(browser.get(reverse("members:export")).content)
    assert data["profile"]["display_name"] == "Ada R."
    assert len(data["comments"]) == 2

    # Leave, keeping her comments anonymised.
    with django_capture_on_commit_callbacks(execute=True):
        gone = browser.post(
            reverse("members:delete"), {"comments": "keep", "password": new_password}
        )
    assert gone["Location"] == reverse("members:deleted")
    assert not User.objects.filter(pk=member.pk).exists()
    assert set(Comment.objects.filter(post=post).values_list("author_name", flat=True)) == {
        "Former member"
    }
    assert not Comment.objects.filter(author_email__icontains="ada").exists()
    assert browser.get(reverse("members:account"))["Location"].startswith(reverse("account_login"))
