"""The page cache's key behind a real nginx and on gunicorn itself (issue 10, item 8): no
header, host spelling or page number lets a visitor store a page under another address or
mint new entries. Through nginx, and `direct` from 127.0.0.1, a peer gunicorn trusts (which
is how the SCRIPT_NAME attack was seen). The same rules at the WSGI level:
stoa/tests/test_pagecache.py."""

from __future__ import annotations

import re

from stoa.tests.proxy import Answer, ProxiedSite


def canonical(answer: Answer) -> str:
    found = re.search(r'<link rel="canonical" href="([^"]*)"', answer.text)
    assert found, answer.text[:500]
    return found.group(1)


def is_home(answer: Answer) -> bool:
    """The home page's list of posts (each with its permalink), not a static page."""
    return 'rel="bookmark"' in answer.text


def test_a_script_name_header_cannot_store_the_home_page_under_about(
    behind_nginx: ProxiedSite,
) -> None:
    site = behind_nginx
    site.clear_cache()
    attack = {"SCRIPT_NAME": "/about"}
    # Straight to gunicorn from its trusted peer (where it was seen: gunicorn took the
    # header, made PATH_INFO "/", and the home page was kept as /about/?page=1), and
    # through nginx (which drops a header with "_" in its name): the about page, both.
    direct = site.get("/about/?page=1", attack, direct=True)  # from 127.0.0.1, trusted
    proxied = site.get("/about/?page=1", attack, source=site.new_source())
    for answer in (direct, proxied):
        assert answer.status == 200
        assert not is_home(answer), answer.headers
    for path in ("/about/?page=1", "/about/"):
        for direct in (True, False):
            about = site.get(path, source=site.new_source(), direct=direct)
            assert about.status == 200
            assert canonical(about).endswith("/about/")
            assert not is_home(about), (path, direct)
    home = site.get("/", source=site.new_source())
    assert canonical(home) == "http://127.0.0.1/"
    assert is_home(home)


def test_a_host_spelt_another_way_is_not_a_new_entry(behind_nginx: ProxiedSite) -> None:
    site = behind_nginx
    path = site.data["page"]
    site.clear_cache()
    # gunicorn alone: a page made for "LOCALHOST." is given but never kept ...
    for _ in range(2):
        odd = site.get(path, {"Host": "LOCALHOST."}, direct=True)
        assert odd.status == 200
        assert odd.header("x-stoa-cache") is None
    kept = site.get(path, {"Host": "localhost"}, direct=True)
    assert kept.header("x-stoa-cache") == "miss"
    # ... and every spelling of the host is answered from the one entry.
    for host in ("LOCALHOST.", "localhost:80", "LocalHost"):
        again = site.get(path, {"Host": host}, direct=True)
        assert again.header("x-stoa-cache") == "hit", host
        assert again.body == kept.body
    # nginx passes $host (lower case, no port, no trailing dot): the same page.
    through = site.get(path, {"Host": "LOCALHOST."}, source=site.new_source())
    assert through.status == 200
    assert canonical(through) == "http://localhost/about/"


def test_padded_page_numbers_are_answered_fresh_and_never_kept(
    behind_nginx: ProxiedSite,
) -> None:
    site = behind_nginx
    for query in ("?page=01", "?page=0002", "?cpage=0"):
        for _ in range(2):
            answer = site.get(f"/{query}", source=site.new_source())
            assert answer.header("x-stoa-cache") is None, query
            assert answer.header("x-cache-status") != "HIT", query


def test_a_page_number_past_the_last_page_is_a_404_never_kept(
    behind_nginx: ProxiedSite,
) -> None:
    site = behind_nginx
    for _ in range(2):
        for direct in (False, True):
            past = site.get("/?page=999999", source=site.new_source(), direct=direct)
            assert past.status == 404
            assert past.header("x-stoa-cache") is None
            assert past.header("x-cache-status") in (None, "MISS")


def test_the_first_page_by_number_is_the_bare_page(behind_nginx: ProxiedSite) -> None:
    site = behind_nginx
    bare = site.get("/", direct=True)
    assert bare.status == 200
    numbered = site.get("/?page=1", direct=True)
    assert numbered.header("x-stoa-cache") == "hit"
    assert numbered.body == bare.body
