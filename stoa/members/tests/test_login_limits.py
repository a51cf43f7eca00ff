"""Log-in limits per client and per account (issue 10, items 2, 4 and 5), through the test
client: allauth counts the client stoa.core.clients names (behind a proxy, the address the
trusted proxy added to X-Forwarded-For), so one client's failures never lock out another;
and /admin/login/ has the site's limits.

The same claims against gunicorn behind a real nginx: stoa/tests/test_proxy_logins.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from allauth import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from django.test import Client, RequestFactory
from django.urls import reverse

from stoa.core import clients
from stoa.members.tests.factories import SuperuserFactory
from stoa.members.tests.helpers import PASSWORD, errors, page, text_of, verified_member

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"  # the nginx in front, as gunicorn sees it


@pytest.fixture(autouse=True)
def behind_one_proxy(settings: Any) -> None:
    settings.STOA_TRUSTED_PROXY_COUNT = 1


def client_at(address: str, written: str = "") -> Client:
    """A browser at `address` behind the proxy, which appends it to what the browser wrote
    in X-Forwarded-For itself (`written`, made up)."""
    forwarded = f"{written}, {address}" if written else address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def log_in(client: Client, login: str, password: str = PASSWORD, **headers: str) -> Any:
    return client.post(reverse("account_login"), {"login": login, "password": password}, **headers)


def admin_log_in(client: Client, username: str, password: str = PASSWORD, **headers: str) -> Any:
    data = {"username": username, "password": password, "next": "/admin/"}
    return client.post(reverse("admin:login"), data, **headers)


def forged(n: int, address: str) -> dict[str, str]:
    """The X-Forwarded-For of a try from `address` whose client made up a different one
    each time (the proxy appends the real address)."""
    return {"HTTP_X_FORWARDED_FOR": f"10.66.{n}.{n}, 198.51.100.{n}, {address}"}


def assert_too_many_tries(response: Any) -> None:
    assert response.status_code == 429
    assert text_of(page(response).xpath("//h1")[0]) == "Too many tries"


# --- Which client allauth counts (item 2) -----------------------------------------------------


def test_allauth_counts_the_address_the_trusted_proxy_added_not_one_the_client_wrote() -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert get_adapter(request).get_client_ip(request) == "203.0.113.9"


def test_without_a_trusted_proxy_allauth_counts_the_socket_address(settings) -> None:
    settings.STOA_TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert get_adapter(request).get_client_ip(request) == "203.0.113.9"


def test_an_ipv4_client_on_an_ipv6_socket_is_counted_as_its_ipv4_address() -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="::ffff:203.0.113.9"
    )
    assert get_adapter(request).get_client_ip(request) == "203.0.113.9"


def test_allauth_groups_ipv6_clients_by_the_prefix_the_sites_limits_use() -> None:
    assert allauth_settings.RATE_LIMIT_IPV6_PREFIX == clients.IPV6_LIMIT_PREFIX == 64


def test_ipv6_clients_share_one_bucket_per_64_and_no_more() -> None:
    for n in range(10):
        assert (
            log_in(client_at(f"2001:db8:1:2::{n + 1}"), f"nobody{n}@example.net").status_code == 400
        )
    assert_too_many_tries(log_in(client_at("2001:db8:1:2:ffff::9"), "someone@example.net"))
    member = verified_member()
    assert log_in(client_at("2001:db8:1:3::1"), member.email).status_code == 302


# --- The site's log-in (item 4) -----------------------------------------------------------------


def test_one_clients_failed_log_ins_do_not_refuse_another_clients_right_password() -> None:
    member = verified_member()
    attacker = client_at("203.0.113.66")
    for n in range(10):
        failed = log_in(attacker, f"nobody{n}@example.net", "wrong", **forged(n, "203.0.113.66"))
        assert failed.status_code == 400
        assert "not correct" in errors(failed)
    assert log_in(client_at("203.0.113.7"), member.email).status_code == 302


def test_a_client_over_its_limit_is_refused_whatever_it_writes_in_x_forwarded_for() -> None:
    member = verified_member()
    attacker = client_at("203.0.113.66")
    for n in range(10):
        log_in(attacker, f"nobody{n}@example.net", "wrong", **forged(n, "203.0.113.66"))
    # Its own right password, and another address written in front: still this client.
    assert_too_many_tries(log_in(attacker, member.email, **forged(99, "203.0.113.66")))
    assert_too_many_tries(log_in(client_at("203.0.113.66", written="203.0.113.7"), member.email))


def test_an_account_locked_by_failures_says_so_on_the_form() -> None:
    member = verified_member()
    for n in range(5):
        log_in(client_at(f"203.0.113.{n + 10}"), member.email, "wrong")
    locked = log_in(client_at("203.0.113.7"), member.email)
    assert locked.status_code == 400
    assert "Too many failed login attempts" in errors(locked)


# --- The back office's log-in (item 5) --------------------------------------------------------


def test_twelve_wrong_admin_passwords_then_the_right_one_is_refused() -> None:
    admin = SuperuserFactory()
    client = client_at("203.0.113.66")
    answers = [admin_log_in(client, admin.username, "wrong") for _ in range(12)]
    assert [a.status_code for a in answers[:5]] == [200] * 5  # "Please enter the correct ..."
    assert {a.status_code for a in answers[5:]} == {429}
    # The account is locked first (the admin's form says so), then the client, whose every
    # try counts (allauth does not give a locked account's tries back).
    assert "Too many failed login attempts" in answers[5].content.decode()
    assert_too_many_tries(answers[11])
    refused = admin_log_in(client, admin.username)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_an_admins_failed_log_ins_from_one_client_do_not_refuse_another_client() -> None:
    admin = SuperuserFactory()
    attacker = client_at("203.0.113.66")
    for n in range(12):
        admin_log_in(attacker, f"nobody{n}", "wrong", **forged(n, "203.0.113.66"))
    assert_too_many_tries(admin_log_in(attacker, admin.username, **forged(99, "203.0.113.66")))
    other = client_at("203.0.113.7")
    answer = admin_log_in(other, admin.username)
    assert answer.status_code == 302
    assert answer["Location"] == "/admin/"
    assert other.get("/admin/").status_code == 200


def test_the_admin_and_the_site_count_one_accounts_failures_together() -> None:
    admin = verified_member(is_staff=True, is_superuser=True)
    for n in range(3):
        log_in(client_at(f"203.0.113.{n + 10}"), admin.email, "wrong")
    for n in range(2):
        admin_log_in(client_at(f"203.0.113.{n + 20}"), admin.username, "wrong")
    assert admin_log_in(client_at("203.0.113.30"), admin.username).status_code == 429
    assert "Too many failed login attempts" in errors(
        log_in(client_at("203.0.113.31"), admin.email)
    )


def test_an_email_address_logs_in_to_the_admin_as_its_username_does() -> None:
    admin = SuperuserFactory()
    assert admin_log_in(client_at("203.0.113.7"), admin.email).status_code == 302


def test_admin_log_in_posts_are_limited_per_client_like_the_sites() -> None:
    admin = SuperuserFactory()
    client = client_at("203.0.113.66")
    # allauth's "login" limit: 30 a minute from one client, whatever they post.
    for _ in range(30):
        assert admin_log_in(client, "", "").status_code == 200
    assert_too_many_tries(admin_log_in(client, admin.username))
    assert admin_log_in(client_at("203.0.113.7"), admin.username).status_code == 302


def test_the_admin_log_in_page_is_the_admins() -> None:
    answer = client_at("203.0.113.7").get(reverse("admin:login"))
    assert answer.status_code == 200
    assert answer.templates[0].name == "admin/login.html"
