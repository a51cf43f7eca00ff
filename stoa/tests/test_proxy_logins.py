"""Log-in limits behind a real nginx (issue 10, items 4 and 5): every client reaches gunicorn
from nginx's 127.0.0.1, so the limits must count the address nginx appended to
X-Forwarded-For, whatever the client wrote there itself. Each client here has a loopback
address of its own (stoa/tests/proxy.py). The same rules through the test client:
stoa/members/tests/test_login_limits.py."""

from __future__ import annotations

import re

from stoa.tests.proxy import Answer, ProxiedSite

SITE_LOGIN, ADMIN_LOGIN = "/accounts/login/", "/admin/login/"


def log_in(
    site: ProxiedSite, path: str, fields: dict[str, str], *, source: str, forwarded: str = ""
) -> Answer:
    """GET the log-in form, then POST `fields` with its CSRF token, from `source`; with
    `forwarded`, an X-Forwarded-For the client made up (nginx appends the real address)."""
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    form = site.get(path, headers, source=source)
    assert form.status == 200, form.text[:500]
    token = form.input_value("csrfmiddlewaretoken")
    assert token, "no CSRF token in the log-in form"
    cookie = f"csrftoken={form.cookies['csrftoken']}"
    return site.post(
        path,
        {**fields, "csrfmiddlewaretoken": token},
        {**headers, "Cookie": cookie, "Referer": f"http://127.0.0.1{path}"},
        source=source,
    )


def site_log_in(site: ProxiedSite, login: str, password: str, **kwargs: str) -> Answer:
    return log_in(site, SITE_LOGIN, {"login": login, "password": password}, **kwargs)


def admin_log_in(site: ProxiedSite, username: str, password: str, **kwargs: str) -> Answer:
    fields = {"username": username, "password": password, "next": "/admin/"}
    return log_in(site, ADMIN_LOGIN, fields, **kwargs)


def made_up(n: int) -> str:
    """A different X-Forwarded-For for each try, as an attacker writes it."""
    return f"10.66.{n}.{n}, 198.51.100.{n}"


def assert_too_many_tries(answer: Answer) -> None:
    assert answer.status == 429, answer.text[:500]
    assert re.search(r"<h1>\s*Too many tries\s*</h1>", answer.text)


def test_one_clients_ten_failed_log_ins_do_not_refuse_another_clients_right_password(
    behind_nginx: ProxiedSite,
) -> None:
    site, member = behind_nginx, behind_nginx.data["member"]
    attacker, reader = site.new_source(), site.new_source()
    for n in range(10):
        failed = site_log_in(
            site, f"nobody{n}@example.net", "wrong", source=attacker, forwarded=made_up(n)
        )
        assert failed.status == 400, (n, failed.text[:500])
    answer = site_log_in(site, member["email"], member["password"], source=reader)
    assert answer.status == 302
    assert answer.header("location") == "/account/"


def test_a_client_over_its_limit_is_refused_by_its_real_address_whatever_it_writes(
    behind_nginx: ProxiedSite,
) -> None:
    site, member = behind_nginx, behind_nginx.data["other_member"]
    attacker, reader = site.new_source(), site.new_source()
    for n in range(10):
        site_log_in(site, f"nobody{n}@example.net", "wrong", source=attacker, forwarded=made_up(n))
    # The right password, a new made-up address, another client's address: still refused.
    for forwarded in (made_up(99), reader, f"{reader}, {reader}"):
        assert_too_many_tries(
            site_log_in(
                site, member["email"], member["password"], source=attacker, forwarded=forwarded
            )
        )
    # ... and the client it named is not.
    assert site_log_in(site, member["email"], member["password"], source=reader).status == 302


def test_twelve_wrong_admin_passwords_refuse_that_clients_right_one_not_another_clients(
    behind_nginx: ProxiedSite,
) -> None:
    site, admin = behind_nginx, behind_nginx.data["admin"]
    attacker, editor = site.new_source(), site.new_source()
    for n in range(12):
        admin_log_in(site, f"nobody{n}", "wrong", source=attacker, forwarded=made_up(n))
    assert_too_many_tries(admin_log_in(site, admin["username"], admin["password"], source=attacker))
    answer = admin_log_in(site, admin["username"], admin["password"], source=editor)
    assert answer.status == 302
    assert answer.header("location") == "/admin/"
