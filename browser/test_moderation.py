"""A moderator approves a first-time commenter's held comment from the moderation queue; the
reader reloads and sees it, numbered, with a permalink that works."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser.harness import Browsing, Site
from browser.steps import (
    AWAITING,
    both_viewports,
    expect_numbered,
    list_number,
    new_commenter,
    post_comment,
    responses,
    unique,
)

pytestmark = pytest.mark.browser


@both_viewports
def test_moderator_approves_a_held_comment(browsing: Browsing, site: Site) -> None:
    path = site.posts["quiet_post"]["path"]
    reader = browsing.page()
    reader.goto(path)
    before = responses(reader)
    commenter = new_commenter("Imogen")
    marker = unique("approve-me")
    body = f"Reading this between two sessions helped. ({marker})"
    comment_id = post_comment(reader, commenter, body)
    expect(reader.locator(f"#li-comment-{comment_id} .comment__awaiting")).to_have_text(AWAITING)

    moderator = browsing.page()
    browsing.login(moderator, "/admin/discussion/comment/")
    expect(moderator).to_have_url(re.compile(r"/admin/discussion/comment/$"))
    row = moderator.locator("#result_list tbody tr", has_text=marker)
    expect(row).to_have_count(1)
    expect(row.locator(".comment-status")).to_have_text("Held")
    with moderator.expect_navigation():
        row.get_by_role("button", name=f"Approve the comment by {commenter.name}").click()
    expect(moderator.locator(".messagelist .success")).to_have_text(
        f"The comment by {commenter.name} was approved."
    )
    approved_row = moderator.locator("#result_list tbody tr", has_text=marker)
    expect(approved_row.locator(".comment-status")).to_have_text("Approved")

    # The reader reloads: published, no longer awaiting moderation.
    reader.reload()
    expect(reader.locator(f"#comment-{comment_id} .comment__body")).to_have_text(body)
    expect(reader.locator(f"#li-comment-{comment_id} .comment__awaiting")).to_have_count(0)

    # Everyone sees it, counted and numbered: the newest comment is the last in the list.
    other = browsing.page()
    other.goto(path)
    item = other.locator(f"#comments ol.comment-list > li#li-comment-{comment_id}")
    expect(item).to_be_visible()
    assert responses(other) == before + 1
    expect_numbered(other)
    top_level = other.locator("#comments ol.comment-list > li").count()
    assert list_number(other, comment_id) == top_level

    # Its date is its permalink.
    other.evaluate("window.scrollTo(0, 0)")
    other.locator(f"#comment-{comment_id} a.comment__permalink").click()
    expect(other).to_have_url(re.compile(rf"{re.escape(path)}#comment-{comment_id}$"))
    expect(other.locator(f"#comment-{comment_id}")).to_be_in_viewport()
    # Opened afresh, the address scrolls to the comment.
    fresh = browsing.page()
    fresh.goto(other.url)
    expect(fresh.locator(f"#comment-{comment_id}:target")).to_be_in_viewport()
    assert fresh.evaluate("window.scrollY") > 0
