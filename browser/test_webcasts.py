"""Clips on posts, and members watching the series they are enrolled in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from browser.harness import Browsing, Site
from browser.steps import both_viewports

pytestmark = pytest.mark.browser

# The demo's members (stoa/demo/data/webcasts/members.toml): `make run` prints their
# passwords on purpose.
ENROLLED = ("enrolled@example.com", "demo-enrolled-pass")
READER = ("reader@example.com", "demo-reader-pass")


def log_in(page: Page, email: str, password: str) -> None:
    """Follow the header's "Log in" link and log in by email; back where we were."""
    came_from = page.url
    with page.expect_navigation():
        page.get_by_role("navigation", name="Account").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(came_from)
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("link", name="My account")).to_be_visible()


def wait_for_metadata(page: Page) -> float:
    """The player has read the video's length (the file is served and playable); its length."""
    page.wait_for_function(
        "() => { const v = document.getElementById('clip-player'); "
        "return v && v.readyState >= 1 && v.duration > 0; }"
    )
    return float(page.evaluate("document.getElementById('clip-player').duration"))


@both_viewports
def test_a_post_with_a_clip_shows_the_player_and_where_it_comes_from(
    browsing: Browsing, site: Site
) -> None:
    clip_post = site.posts["clip_post"]
    page = browsing.page()
    page.goto(clip_post["path"])
    clip = page.get_by_role("main").locator("article.post .clip")
    expect(clip).to_be_visible()
    player = clip.locator("video#clip-player")
    expect(player).to_have_attribute("controls", "")
    expect(player.locator('track[kind="captions"]')).to_have_count(1)
    assert wait_for_metadata(page) > 0
    source = clip.locator(".clip__source")
    expect(source).to_contain_text(f"This clip is taken from {clip_post['series']}")
    with page.expect_navigation():
        source.get_by_role("link", name=re.compile(r"^Learn more")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(clip_post["series"])


@both_viewports
def test_a_member_logs_in_and_watches_a_session_of_their_series(
    browsing: Browsing, site: Site
) -> None:
    session = site.posts["session"]
    page = browsing.page()
    page.goto(session["series_path"])
    log_in(page, *ENROLLED)
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("link", name=session["title"], exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(session["path"]) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(session["title"])
    duration = wait_for_metadata(page)
    # Seeking asks the server for a byte range: the player lands where it was sent.
    target = round(duration / 2, 1)
    page.evaluate(f"document.getElementById('clip-player').currentTime = {target}")
    page.wait_for_function(
        "() => { const v = document.getElementById('clip-player'); "
        f"return !v.seeking && Math.abs(v.currentTime - {target}) < 0.5; }}"
    )


def test_a_visitor_is_asked_to_log_in_and_never_given_the_video(
    browsing: Browsing, site: Site
) -> None:
    session = site.posts["session"]
    page = browsing.page()
    page.goto(session["path"])
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    video = page.request.get(session["video"], max_redirects=0)
    assert video.status in (302, 403), video.status
    assert not video.headers.get("content-type", "").startswith("video/")


def test_a_member_without_an_enrolment_is_refused_the_session(
    browsing: Browsing, site: Site
) -> None:
    session = site.posts["session"]
    page = browsing.page()
    page.goto(session["series_path"])
    log_in(page, *READER)
    answer = page.goto(session["path"])
    assert answer is not None and answer.status == 403
    video = page.request.get(session["video"], max_redirects=0)
    assert video.status == 403
    assert not video.headers.get("content-type", "").startswith("video/")
