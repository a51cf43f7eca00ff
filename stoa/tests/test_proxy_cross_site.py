"""Issue 10, item 7 behind a real nginx: a guest's comment POST that another site's page made
is refused (403, the text handed back, no saved-details cookie), whatever nginx passes on;
the same POST from the site's own page goes through without a token."""

from __future__ import annotations

import secrets

from stoa.tests.proxy import ProxiedSite

ORIGIN = "http://127.0.0.1"


def guest_comment(site: ProxiedSite, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
    typed = f"A thought worth keeping {secrets.token_hex(4)}"
    data = {
        "name": "Ada Reader",
        "email": f"ada.{secrets.token_hex(4)}@example.net",
        "url": "",
        "body": typed,
        "remember": "on",
    }
    post = site.data["post"]
    answer = site.post(f"/comments/post/{post['id']}/", data, headers, source=site.new_source())
    return answer.status, typed if typed in answer.text else "", answer.cookies


def test_a_cross_site_guest_comment_is_refused_behind_nginx(behind_nginx: ProxiedSite) -> None:
    for headers in (
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
    ):
        status, kept, cookies = guest_comment(behind_nginx, headers)
        assert status == 403, headers
        assert kept, "the typed text is handed back"
        assert "stoa_commenter" not in cookies


def test_a_same_site_guest_comment_goes_through_behind_nginx(behind_nginx: ProxiedSite) -> None:
    origin = f"{ORIGIN}:{behind_nginx.port}"
    status, _, _ = guest_comment(behind_nginx, {"Sec-Fetch-Site": "same-origin", "Origin": origin})
    assert status == 302
