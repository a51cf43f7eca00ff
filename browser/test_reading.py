"""A reader opens the home page and follows a featured teaser to a post."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser.harness import Browsing
from browser.steps import both_viewports, expect_numbered, responses

pytestmark = pytest.mark.browser


@both_viewports
def test_reader_follows_a_featured_teaser_to_a_post(browsing: Browsing) -> None:
    page = browsing.page()
    page.goto("/")
    expect(page).to_have_title("The Practice Review")
    featured = page.get_by_role("complementary").locator(".widget--featured")
    expect(featured.get_by_role("heading", name="Featured")).to_be_visible()
    teaser = featured.locator("a.teaser__title").first
    title = teaser.inner_text().strip()
    with page.expect_navigation():
        teaser.click()
    expect(page).to_have_url(re.compile(r"/\d{4}/\d{2}/[\w-]+/$"))
    expect(page).to_have_title(f"{title} | The Practice Review")

    # The post's header: title, dek, byline. (The clip area, player and "taken from" box
    # are checked on a post that carries a clip: test_webcasts.py.)
    post = page.get_by_role("main").locator("article.post")
    header = post.locator("header.post__header")
    expect(header).to_be_visible()
    expect(header.get_by_role("heading", level=1)).to_have_text(title)
    expect(header.locator(".dek--lead")).to_be_visible()
    byline = header.locator(".byline")
    expect(byline).to_have_text(re.compile(r"^By .+ · \w+ \d{1,2}, \d{4}$"))
    expect(byline.get_by_role("link").first).to_have_attribute("href", re.compile(r"^/author/"))
    expect(post.locator(".post__body")).to_be_visible()

    meta = post.locator("footer .post-meta")
    expect(meta).to_have_text(re.compile(r"^Posted in .+ \| Tagged .+\. Bookmark the permalink\."))
    expect(meta.locator('a[rel~="category"]').first).to_be_visible()
    expect(meta.locator('a[rel="tag"]').first).to_be_visible()

    # The numbered responses: as many comments as the heading says, top level numbered.
    count = responses(page)
    assert count > 0, "the featured post has no responses in the demo"
    expect(page.locator("#comments li.comment-item")).to_have_count(count)
    expect_numbered(page)
    expect(page.locator("#respond").get_by_role("heading", name="Leave a Reply")).to_be_visible()

    widget = page.get_by_role("complementary").locator(".widget--recent-comments")
    expect(widget.get_by_role("heading", name="Recent Comments")).to_be_visible()
    recent = widget.get_by_role("link")
    expect(recent.first).to_be_visible()
    assert 1 <= recent.count() <= 5
    for href in recent.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert re.fullmatch(r"/\d{4}/\d{2}/[\w-]+/#comment-\d+", href), href
