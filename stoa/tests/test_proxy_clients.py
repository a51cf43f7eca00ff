"""Who the client is, behind a real nginx (issue 10, item 2): what gunicorn logs and believes
from the headers nginx passes on. Rate limits by that address: test_proxy_logins.py."""

from __future__ import annotations

import re
import secrets
import time

from stoa.tests.proxy import ProxiedSite


def test_the_access_log_names_the_client_nginx_saw_not_the_one_it_wrote(
    behind_nginx: ProxiedSite,
) -> None:
    site = behind_nginx
    client = site.new_source()
    marker = secrets.token_hex(6)
    answer = site.get(
        f"/robots.txt?seen={marker}", {"X-Forwarded-For": "6.6.6.6, 10.0.0.1"}, source=client
    )
    assert answer.status == 200
    (line,) = logged(site, marker)
    assert line.split()[0] == client, line


def logged(site: ProxiedSite, marker: str) -> list[str]:
    """The access log's lines with `marker`: gunicorn writes a line after the response has
    gone, so it is looked for a few times."""
    for _ in range(50):
        if lines := [line for line in site.access_log().splitlines() if marker in line]:
            return lines
        time.sleep(0.1)
    return []


def test_gunicorn_takes_the_scheme_only_from_the_header_nginx_sets(
    behind_nginx: ProxiedSite,
) -> None:
    # nginx sets X-Forwarded-Proto itself but passes X-Forwarded-Ssl and
    # X-Forwarded-Protocol on from the client; gunicorn's default believed them too.
    site = behind_nginx
    for header in ({"X-Forwarded-Ssl": "on"}, {"X-Forwarded-Protocol": "ssl"}):
        answer = site.get("/about/", header, source=site.new_source())
        assert answer.status == 200, (header, answer.status)
        found = re.search(r'<link rel="canonical" href="([^"]*)"', answer.text)
        assert found and found.group(1) == "http://127.0.0.1/about/", header
