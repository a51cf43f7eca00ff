"""Members' accounts end to end, through the test client and the emails in Django's outbox:
signing up and verifying the address, logging in and out, changing the address and the
password, resetting a forgotten password, rate limits, password hashing, and allauth's pages
in the site's own layout."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.test import Client
from django.urls import reverse

from stoa.core.pagecache import MIDDLEWARE_PATH
from stoa.members.models import Profile, User
from stoa.members.tests.factories import UserFactory
from stoa.members.tests.helpers import (
    PASSWORD,
    errors,
    last_email_to,
    link_in,
    main_text,
    page,
    text_of,
    verified_member,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-password-7"


def log_in(client: Client, email: str, password: str = PASSWORD, next_url: str = "") -> Any:
    data = {"login": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("account_login"), data)


def account_nav(response) -> str:
    (nav,) = page(response).xpath('//nav[@aria-label="Account"]')
    return text_of(nav)


def public_page() -> str:
    """A page any visitor may be reading, and the page cache keeps: a member's public page
    (the site's own layout, with the account links, around members' own view)."""
    return reverse("members:profile", kwargs={"pk": UserFactory().pk})


# --- Signing up ---------------------------------------------------------------------------


def test_a_visitor_signs_up_verifies_their_address_and_lands_on_their_account_page() -> None:
    client = Client()
    form = client.get(reverse("account_signup"))
    assert form.status_code == 200

    sent = client.post(
        reverse("account_signup"),
        {"email": "Ada.Reader@example.net", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert sent.status_code == 302
    assert sent["Location"] == reverse("account_email_verification_sent")
    member = User.objects.get(email="ada.reader@example.net")
    assert Profile.objects.filter(user=member).exists()
    # Not logged in until the address is verified.
    assert account_nav(client.get("/")) == "Log in"
    message = last_email_to("ada.reader@example.net")
    assert message.subject == "[The Practice Review] Please Confirm Your Email Address"
    assert message.body.startswith("Hello from The Practice Review!")
    assert "<" not in message.body  # readable text, no markup

    confirm_page = client.get(link_in(message))
    assert confirm_page.status_code == 200
    assert page(confirm_page).xpath('//main//form[@method="post"]//button[@type="submit"]')
    confirmed = client.post(link_in(message))

    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("members:account")
    assert EmailAddress.objects.get(user=member).verified
    account = client.get(confirmed["Location"])
    assert account.status_code == 200
    assert "My account" in account_nav(account)


def test_an_unknown_confirmation_link_says_so_and_offers_a_new_one() -> None:
    response = Client().get(reverse("account_confirm_email", args=["not-a-real-key"]))
    assert response.status_code == 200
    assert "expired or is not valid" in main_text(response)
    assert page(response).xpath(f'//main//a[@href="{reverse("account_email")}"]')


def test_a_generated_username_gives_nothing_of_the_email_address_away() -> None:
    Client().post(
        reverse("account_signup"),
        {"email": "jane.q.private@example.net", "password1": PASSWORD, "password2": PASSWORD},
    )
    member = User.objects.get(email="jane.q.private@example.net")
    assert member.username.startswith("member-")
    assert "jane" not in member.username
    assert "private" not in member.username


def test_signing_up_twice_with_one_address_creates_one_account() -> None:
    data = {"email": "ada@example.net", "password1": PASSWORD, "password2": PASSWORD}
    Client().post(reverse("account_signup"), data)
    Client().post(reverse("account_signup"), {**data, "email": "ADA@example.net"})
    assert User.objects.filter(email__iexact="ada@example.net").count() == 1


def test_a_signup_with_mistakes_keeps_the_address_and_says_what_is_wrong() -> None:
    response = Client().post(
        reverse("account_signup"),
        {"email": "ada@example.net", "password1": "short", "password2": "short"},
    )
    # allauth re-renders with 200; stoa.members.middleware makes a refused form a 400.
    assert response.status_code == 400
    doc = page(response)
    assert doc.get_element_by_id("id_email").get("value") == "ada@example.net"
    assert "too short" in errors(response)
    field = doc.get_element_by_id("id_password1")
    assert field.get("aria-invalid") == "true"
    assert "id_password1_error" in field.get("aria-describedby").split()
    assert "too short" in text_of(doc.get_element_by_id("id_password1_error"))
    assert not User.objects.exists()


# --- Logging in and out ---------------------------------------------------------------------


def test_a_member_logs_in_by_email_and_returns_to_the_page_they_were_reading() -> None:
    member = verified_member()
    url = public_page()
    client = Client()
    reading = client.get(url)
    (login_link,) = page(reading).xpath('//nav[@aria-label="Account"]//a[text()="Log in"]')
    assert login_link.get("href") == f"{reverse('account_login')}?next={url}"

    response = log_in(client, member.email.upper(), next_url=url)

    assert response.status_code == 302
    assert response["Location"] == url
    again = client.get(url)
    assert "My account" in account_nav(again)
    (my_account,) = page(again).xpath('//nav[@aria-label="Account"]//a[text()="My account"]')
    assert my_account.get("href") == reverse("members:account")


def test_without_a_next_page_a_member_lands_on_their_account_page() -> None:
    member = verified_member()
    response = log_in(Client(), member.email)
    assert response["Location"] == reverse("members:account")


def test_a_member_logs_out_with_the_button_in_the_header() -> None:
    member = verified_member()
    client = Client()
    log_in(client, member.email)
    home = client.get("/")
    (form,) = page(home).xpath('//nav[@aria-label="Account"]//form')
    assert form.get("method") == "post"
    assert form.get("action") == reverse("account_logout")
    assert form.xpath('.//input[@name="csrfmiddlewaretoken"]')

    response = client.post(form.get("action"))

    assert response.status_code == 302
    assert account_nav(client.get("/")) == "Log in"


def test_a_username_or_a_wrong_password_does_not_log_in() -> None:
    member = verified_member()
    by_username = log_in(Client(), member.username)
    wrong = log_in(Client(), member.email, password="not-the-password")
    assert by_username.status_code == wrong.status_code == 400
    assert "valid email address" in errors(by_username)
    assert "not correct" in errors(wrong)
    assert page(wrong).get_element_by_id("id_login").get("value") == member.email


def test_an_unverified_address_gets_a_new_link_instead_of_a_session() -> None:
    member = UserFactory()  # no verified address yet
    client = Client()
    response = log_in(client, member.email)
    assert response["Location"] == reverse("account_email_verification_sent")
    assert account_nav(client.get("/")) == "Log in"
    assert "/accounts/confirm-email/" in last_email_to(member.email).body


def test_staff_still_log_in_to_the_back_office_with_their_username() -> None:
    editor = UserFactory(username="eddie", is_staff=True)
    client = Client()
    response = client.post(
        reverse("admin:login"),
        {"username": "eddie", "password": PASSWORD, "next": reverse("admin:index")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).context["user"] == editor


def test_the_login_page_for_pages_that_need_one_is_allauths() -> None:
    response = Client().get(reverse("members:account"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={reverse('members:account')}"


# --- Changing the address and the password --------------------------------------------------


def test_a_member_changes_their_email_address_after_their_password_and_the_new_address() -> None:
    member = verified_member(email="old@example.net")
    client = Client()
    log_in(client, "old@example.net")
    form = client.get(reverse("account_email"))
    assert form.status_code == 200

    asked = client.post(reverse("account_email"), {"action_add": "", "email": "new@example.net"})

    # First the password again (allauth's re-authentication), then the change goes on.
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    again = client.get(asked["Location"])
    assert len(page(again).xpath("//h1")) == 1
    assert page(again).xpath('//label[@for="id_password"]')
    wrong = client.post(asked["Location"], {"password": "wrong"})
    assert "incorrect" in errors(wrong).lower()
    resumed = client.post(asked["Location"], {"password": PASSWORD})
    assert resumed.status_code == 302
    member.refresh_from_db()
    assert member.email == "old@example.net"  # not until it is verified
    confirmed = client.post(link_in(last_email_to("new@example.net")))
    assert confirmed.status_code == 302
    member.refresh_from_db()
    assert member.email == "new@example.net"
    assert list(EmailAddress.objects.filter(user=member).values_list("email", flat=True)) == [
        "new@example.net"
    ]
    notice = last_email_to("old@example.net")
    assert "new@example.net" in notice.body
    # Both log-ins now use the new address only.
    assert log_in(Client(), "new@example.net")["Location"] == reverse("members:account")
    assert log_in(Client(), "old@example.net").status_code == 400


def test_a_member_changes_their_password_with_the_current_one() -> None:
    member = verified_member()
    client = Client()
    log_in(client, member.email)
    url = reverse("account_change_password")
    refused = client.post(
        url, {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert "correct" in errors(refused)
    changed = client.post(
        url, {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert changed.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert "password has been changed" in last_email_to(member.email).body


def test_a_member_who_forgot_their_password_sets_a_new_one_from_the_emailed_link() -> None:
    member = verified_member()
    client = Client()

    asked = client.post(reverse("account_reset_password"), {"email": member.email})

    assert asked["Location"] == reverse("account_reset_password_done")
    message = last_email_to(member.email)
    assert message.subject == "[The Practice Review] Password Reset Email"
    assert member.username not in message.body
    opened = client.get(link_in(message))
    assert opened.status_code == 302  # to the same form without the key in the address
    form = client.get(opened["Location"])
    assert form.status_code == 200
    assert page(form).get_element_by_id("id_password1") is not None
    done = client.post(opened["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert log_in(Client(), member.email, NEW_PASSWORD).status_code == 302
    assert log_in(Client(), member.email, PASSWORD).status_code == 400
    # The link works once.
    assert "invalid" in main_text(Client().get(link_in(message), follow=True))


def test_a_reset_for_an_unknown_address_says_the_same_and_tells_that_address() -> None:
    response = Client().post(reverse("account_reset_password"), {"email": "nobody@example.net"})
    assert response["Location"] == reverse("account_reset_password_done")
    assert "do not have any record" in last_email_to("nobody@example.net").body


# --- Rate limits ----------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_for_a_while_even_to_the_right_one() -> None:
    member = verified_member()
    for _ in range(5):
        assert "not correct" in errors(log_in(Client(), member.email, password="wrong"))
    locked = log_in(Client(), member.email)
    assert locked.status_code == 400
    assert "Too many failed login attempts" in errors(locked)


def test_signups_from_one_address_are_limited() -> None:
    client = Client()
    data = {"email": "x@example.net", "password1": "short", "password2": "short"}
    statuses = [client.post(reverse("account_signup"), data).status_code for _ in range(21)]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429


def test_password_resets_for_one_address_are_limited_and_the_refusal_is_the_sites_page() -> None:
    member = verified_member()
    client = Client()
    for _ in range(5):
        client.post(reverse("account_reset_password"), {"email": member.email})
    refused = client.post(reverse("account_reset_password"), {"email": member.email})
    assert refused.status_code == 429
    doc = page(refused)
    assert text_of(doc.xpath("//h1")[0]) == "Too many tries"
    assert doc.xpath('//header[@class="site-header"]')
    assert len([m for m in mail.outbox if member.email in m.to]) == 5


def test_the_rate_limits_are_allauths_own_setting(settings) -> None:
    limits = settings.ACCOUNT_RATE_LIMITS
    assert {"login", "login_failed", "signup", "reset_password"} <= limits.keys()


# --- Passwords --------------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2(settings) -> None:
    # The suite swaps in a fast hasher (conftest.py); the project's list is the settings
    # module's own.
    project = importlib.import_module("stoa.settings")
    assert project.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS
    Client().post(
        reverse("account_signup"),
        {"email": "ada@example.net", "password1": PASSWORD, "password2": PASSWORD},
    )
    member = User.objects.get(email="ada@example.net")
    assert identify_hasher(member.password).algorithm == "argon2"
    assert member.check_password(PASSWORD)


# --- allauth's pages in the site's layout ---------------------------------------------------

ALLAUTH_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
]


@pytest.mark.parametrize("name", ALLAUTH_PAGES)
def test_allauths_pages_wear_the_sites_layout(name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 200
    doc = page(response)
    assert doc.xpath('//a[@class="skip-link"][@href="#content"]')
    assert doc.xpath('//header[@class="site-header"]')
    assert doc.xpath('//nav[@aria-label="Main"]')
    assert doc.xpath('//main[@id="content"]')
    assert doc.xpath('//footer[@class="site-footer"]')
    assert doc.xpath('//link[@rel="stylesheet"][@href="/static/stoa/site.css"]')
    assert len(doc.xpath("//h1")) == 1
    assert doc.xpath("//main//h1")
    assert account_nav(response) == "Log in"
    assert doc.xpath('//meta[@name="robots"][@content="noindex"]')


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_every_field_on_allauths_forms_has_a_label(name: str) -> None:
    doc = page(Client().get(reverse(name)))
    fields = doc.xpath("//main//form//input[not(@type='hidden')]")
    assert fields
    for field in fields:
        assert doc.xpath(f'//label[@for="{field.get("id")}"]'), field.get("name")


def test_a_members_allauth_pages_show_my_account_and_the_account_settings() -> None:
    member = verified_member()
    client = Client()
    log_in(client, member.email)
    response = client.get(reverse("account_change_password"))
    assert "My account" in account_nav(response)
    (settings_nav,) = page(response).xpath('//nav[@aria-label="Account settings"]')
    current = settings_nav.xpath('.//a[@aria-current="page"]')
    assert [a.get("href") for a in current] == [reverse("account_change_password")]


def test_a_message_allauth_gives_is_shown_once_on_its_page() -> None:
    member = verified_member()
    client = Client()
    log_in(client, member.email)
    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    shown = client.get(reverse("account_change_password"))
    (status,) = page(shown).xpath('//main//*[@role="status"]')
    assert "Password successfully changed" in text_of(status)
    assert not page(client.get(reverse("account_change_password"))).xpath(
        '//main//*[@role="status"]'
    )


# --- The page cache never keeps a member's page or a message ------------------------------


@pytest.fixture
def page_cache(settings: Any) -> None:
    settings.MIDDLEWARE = [MIDDLEWARE_PATH, *settings.MIDDLEWARE]


def test_a_logged_in_members_pages_are_never_kept(page_cache: None) -> None:
    reading = public_page()
    assert Client().get(reading)["X-Stoa-Cache"] == "miss"  # kept for anonymous readers
    member = verified_member()
    client = Client()
    log_in(client, member.email)
    for url in [reading, reverse("members:account")]:
        response = client.get(url)
        assert "X-Stoa-Cache" not in response
        assert "private" in response["Cache-Control"]
    assert "My account" in account_nav(client.get(reading))


def test_allauths_forms_and_a_page_showing_a_message_are_never_kept(page_cache: None) -> None:
    for _ in range(2):
        assert "X-Stoa-Cache" not in Client().get(reverse("account_login"))
    # A visitor confirms their address in another browser: the login page tells them so.
    Client().post(
        reverse("account_signup"),
        {"email": "ada@example.net", "password1": PASSWORD, "password2": PASSWORD},
    )
    elsewhere = Client()
    confirmed = elsewhere.post(link_in(last_email_to("ada@example.net")))
    assert confirmed["Location"] == reverse("account_login")
    told = elsewhere.get(confirmed["Location"])
    assert "You have confirmed" in main_text(told)
    assert "X-Stoa-Cache" not in told
    assert "You have confirmed" not in main_text(Client().get(reverse("account_login")))


def test_a_claimable_account_cannot_sign_in_until_its_owner_resets_the_password() -> None:
    from stoa.members import services

    user = services.create_claimable_account(
        username="maria", email="Maria@Example.org", first_name="María", display_name="María O."
    )
    assert not user.has_usable_password()
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.primary, address.verified) == ("maria@example.org", True, False)
    assert Profile.objects.get(user=user).display_name == "María O."
    client = Client()
    assert not client.login(username="maria", password="")
    response = client.post(reverse("account_reset_password"), {"email": "maria@example.org"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["maria@example.org"]]


def test_a_reset_verifies_an_accounts_only_address_and_not_one_of_several() -> None:
    from stoa.members import services

    alone = UserFactory(email="alone@example.org")
    EmailAddress.objects.create(user=alone, email="alone@example.org", primary=True)
    assert services.verify_sole_address(user=alone) is True
    assert EmailAddress.objects.get(user=alone).verified
    assert services.verify_sole_address(user=alone) is False  # already: nothing to do
    both = UserFactory(email="one@example.org")
    EmailAddress.objects.create(user=both, email="one@example.org", primary=True)
    EmailAddress.objects.create(user=both, email="two@example.org")
    assert services.verify_sole_address(user=both) is False
    assert not EmailAddress.objects.filter(user=both, verified=True).exists()
