"""Whose page a request asks for (stoa.core.readers): the one rule, and nginx's copy of it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from stoa.core import readers
from stoa.core.readers import Reader

DEPLOY_DOC = Path(__file__).resolve().parents[3] / "docs" / "deploy.md"
SHARED, PERSONAL, UNSHARED = Reader.SHARED, Reader.PERSONAL, Reader.UNSHARED


def environ(path: str = "/", *, method: str = "get", **headers: str) -> dict[str, object]:
    return getattr(RequestFactory(), method)(path, **headers).environ


@pytest.mark.parametrize(
    ("path", "headers", "expected"),
    [
        ("/", {}, SHARED),
        ("/2026/03/on-listening/", {}, SHARED),
        ("/?page=2", {}, SHARED),
        ("/2026/03/on-listening/?cpage=3", {}, SHARED),
        ("/?page=2&cpage=3", {}, SHARED),
        ("/comments/feed/", {}, SHARED),
        ("/comments/post/12/feed/atom/", {}, SHARED),
        # Tracking parameters, a page number too long: anonymous, but not kept.
        ("/?utm_source=newsletter", {}, UNSHARED),
        ("/?page=1234567", {}, UNSHARED),
        ("/?page=2&page=3&page=4", {}, UNSHARED),
        ("/admin/", {}, UNSHARED),
        ("/comments/12/edit/", {}, UNSHARED),
        ("/preview/4/", {}, UNSHARED),
        # This reader's own.
        ("/2026/03/on-listening/?c=token", {}, PERSONAL),
        ("/2026/03/on-listening/?cpage=2&replytocom=7", {}, PERSONAL),
        ("/", {"HTTP_COOKIE": "sessionid=abc"}, PERSONAL),
        ("/", {"HTTP_COOKIE": "csrftoken=x; stoa_commenter=y"}, PERSONAL),
        ("/", {"HTTP_AUTHORIZATION": "Bearer abc"}, PERSONAL),
        # Cookies that say nothing about the reader leave the page shared.
        ("/", {"HTTP_COOKIE": "csrftoken=x; consent=yes"}, SHARED),
    ],
)
def test_a_request_is_shared_personal_or_unshared(
    path: str, headers: dict[str, str], expected: Reader
) -> None:
    assert readers.classify(environ(path, **headers)) == expected


@pytest.mark.parametrize("method", ["post", "put", "delete", "options"])
def test_what_a_non_get_request_is_answered_with_is_the_readers_own(method: str) -> None:
    assert readers.classify(environ("/", method=method)) == PERSONAL


def test_the_session_cookie_follows_its_setting(settings) -> None:
    settings.SESSION_COOKIE_NAME = "__Host-session"
    assert readers.classify(environ("/", HTTP_COOKIE="__Host-session=1")) == PERSONAL
    assert readers.classify(environ("/", HTTP_COOKIE="sessionid=1")) == SHARED


def test_each_personal_cookie_and_parameter_comes_from_an_apps_declaration() -> None:
    rules = readers.rules()
    assert "stoa_commenter" in rules.personal_cookies
    assert {"c", "replytocom"} <= set(rules.personal_query)
    assert {"page", "cpage"} <= set(rules.shared_query)


def test_nginx_config_prints_the_same_rule_as_nginx_maps(capsys) -> None:
    call_command("nginx_config")
    printed = capsys.readouterr().out
    assert printed == readers.nginx_maps()
    for cookie in readers.rules().personal_cookies:
        assert cookie in printed
    for name in readers.rules().personal_query:
        assert re.search(rf"[(|]{re.escape(name)}[|)]", printed)


def test_the_deploy_guide_carries_the_generated_maps_unchanged() -> None:
    text = DEPLOY_DOC.read_text()
    block = re.search(r"<!-- bench:bypass -->\s*```nginx\n(.*?)```", text, re.DOTALL)
    assert block is not None, "docs/deploy.md has lost its generated map block"
    assert block.group(1) == readers.nginx_maps(), (
        "docs/deploy.md's maps differ from the rule: paste `stoa nginx-config` there again"
    )


def test_the_command_is_spelt_with_a_hyphen_on_the_stoa_command_line() -> None:
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "stoa", "nginx-config"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "$stoa_bypass" in done.stdout
