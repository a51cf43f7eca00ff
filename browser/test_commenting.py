"""A reader writes: a first comment waits for a moderator, replies nest under their parent
(with and without JavaScript), and a form error keeps what was typed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser.harness import Browsing, Site
from browser.steps import (
    AWAITING,
    both_viewports,
    fill_comment,
    new_commenter,
    post_comment,
    responses,
    send_comment,
    unique,
)

pytestmark = pytest.mark.browser


@both_viewports
def test_first_comment_awaits_moderation_and_others_do_not_see_it(
    browsing: Browsing, site: Site
) -> None:
    path = site.posts["reply_post"]["path"]
    page = browsing.page()
    page.goto(path)
    before = responses(page)
    marker = unique("held")
    body = f"The pause is part of the work, not a gap in it. ({marker})"
    comment_id = post_comment(page, new_commenter("Hana"), body)

    mine = page.locator(f"#li-comment-{comment_id}")
    expect(mine.locator(".comment__awaiting")).to_have_text(AWAITING)
    expect(mine.locator(".comment__body")).to_have_text(body)
    expect(page.locator(f"#comment-{comment_id}")).to_be_in_viewport()
    assert responses(page) == before, "a held comment was counted"

    other = browsing.page()
    other.goto(path)
    expect(other.locator("#comments-title")).to_be_visible()
    expect(other.locator(f"#comment-{comment_id}")).to_have_count(0)
    expect(other.locator(".comment__body", has_text=marker)).to_have_count(0)
    expect(other.get_by_text(AWAITING)).to_have_count(0)
    assert responses(other) == before


@both_viewports
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_reply_lands_under_its_parent(browsing: Browsing, site: Site, javascript: bool) -> None:
    path = site.posts["reply_post"]["path"]
    page = browsing.page(javascript=javascript)
    page.goto(path)
    parent = page.locator("#comments ol.comment-list > li").first
    parent_id = int((parent.get_attribute("id") or "").removeprefix("li-comment-"))
    parent_name = page.locator(f"#comment-{parent_id} .comment__author").inner_text().strip()
    reply = page.locator(f"#comment-{parent_id}").get_by_role(
        "link", name=f"Reply to {parent_name}", exact=True
    )
    respond_here = page.locator(f"#li-comment-{parent_id} > #respond")

    if javascript:
        # The form moves under the comment: no request, the page and its address stay.
        page.evaluate("window.__samePage = true")
        address = page.url
        reply.click()
        expect(respond_here).to_have_count(1)
        assert page.url == address
        assert page.evaluate("window.__samePage === true"), "the page was loaded again"
        expect(page.get_by_role("textbox", name="Comment", exact=True)).to_be_focused()
    else:
        # Without JavaScript the link asks the server for the page with the form in place.
        with page.expect_navigation():
            reply.click()
        assert f"?replytocom={parent_id}" in page.url
        expect(respond_here).to_have_count(1)
    expect(respond_here).to_be_visible()
    expect(page.locator("#reply-title")).to_contain_text(f"Reply to {parent_name}")
    expect(page.locator("#respond").get_by_role("link", name="Cancel reply")).to_be_visible()
    expect(page.locator("#id_parent")).to_have_value(str(parent_id))
    # The form comes right after the comment it answers, before any earlier replies.
    follows = page.locator(f"#comment-{parent_id} + #respond")
    expect(follows).to_have_count(1)

    marker = unique("reply")
    body = f"Replying to {parent_name}: I have seen that too. ({marker})"
    reply_id = post_comment(page, new_commenter("Rafael"), body)
    nested = page.locator(f"#li-comment-{parent_id} > ol.children > li#li-comment-{reply_id}")
    expect(nested).to_have_count(1)
    expect(nested).to_have_class(re.compile(r"\bdepth-2\b"))
    expect(nested.locator(".comment__awaiting")).to_have_text(AWAITING)
    expect(nested.locator(".comment__body")).to_have_text(body)
    expect(page.locator(f"#comment-{reply_id}")).to_be_in_viewport()


@both_viewports
def test_missing_email_keeps_the_typed_comment(browsing: Browsing, site: Site) -> None:
    path = site.posts["reply_post"]["path"]
    page = browsing.page()
    page.goto(path)
    marker = unique("kept")
    typed = (
        f"A thought I would hate to type twice ({marker}).\n\n"
        "A second paragraph, with <em>emphasis</em> & an ampersand."
    )
    form = page.locator("#commentform")
    form.get_by_role("textbox", name="Name", exact=True).fill("Noor Without-Email")
    fill_comment(page, None, typed)
    answer = send_comment(page)
    assert answer is not None and answer.status == 400, answer and answer.status

    form = page.locator("#commentform")
    expect(form.get_by_role("alert")).to_have_text(
        "Please correct the marked fields below; your comment is kept."
    )
    email = form.get_by_role("textbox", name="Email", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("")
    expect(form.locator("#error_email")).to_have_text(
        "Please give your email address; it is never published."
    )
    expect(form.get_by_role("textbox", name="Comment", exact=True)).to_have_value(typed)
    expect(form.get_by_role("textbox", name="Name", exact=True)).to_have_value("Noor Without-Email")
    # Nothing was written under the post.
    expect(page.locator(".comment__body", has_text=marker)).to_have_count(0)

    # Adding the address is all it takes.
    email.fill(f"noor-{marker}@example.com")
    send_comment(page)
    assert "#comment-" in page.url, page.url
    expect(page.locator(".comment__awaiting")).to_have_text(AWAITING)
    expect(page.locator(".comment__body", has_text=marker)).to_have_count(1)
