"""What a reader does, shared by the browser tests, in the words the page shows."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, Response, expect

# The flows run at a desktop size and at a phone's (390 x 844, touch, mobile viewport).
both_viewports = pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True)

OWN_COMMENT = re.compile(r"[?&]c=[^#]+#comment-(\d+)$")
AWAITING = "Your comment is awaiting moderation."


def unique(prefix: str) -> str:
    """A word no other comment of the run contains."""
    return f"{prefix}-{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Commenter:
    name: str
    email: str


def new_commenter(first_name: str) -> Commenter:
    """Someone who has never commented here (a new email address)."""
    token = secrets.token_hex(3)
    return Commenter(f"{first_name} {token.upper()}", f"{first_name.lower()}-{token}@example.com")


def fill_comment(page: Page, commenter: Commenter | None, body: str) -> None:
    """Fill the "Leave a Reply" form as a guest, by its visible labels."""
    form = page.locator("#commentform")
    if commenter is not None:
        form.get_by_role("textbox", name="Name", exact=True).fill(commenter.name)
        form.get_by_role("textbox", name="Email", exact=True).fill(commenter.email)
    form.get_by_role("textbox", name="Comment", exact=True).fill(body)


def send_comment(page: Page) -> Response | None:
    """Press "Post Comment" and wait for the page that answers."""
    with page.expect_navigation() as navigation:
        page.locator("#commentform").get_by_role("button", name="Post Comment", exact=True).click()
    return navigation.value


def post_comment(page: Page, commenter: Commenter, body: str) -> int:
    """Leave a comment through the form; the new comment's id (from the page it lands on:
    the post, at the comment, with the token that shows its author their held comment)."""
    fill_comment(page, commenter, body)
    send_comment(page)
    found = OWN_COMMENT.search(page.url)
    if found is None:
        errors = page.locator(".form-errors, .field-error").all_inner_texts()
        pytest.fail(f"the comment was not accepted: {page.url} {errors}", pytrace=False)
    return int(found.group(1))


def responses(page: Page) -> int:
    """The number in the thread's heading: "27 Responses to …", "One Response to …"."""
    text = page.locator("#comments-title").inner_text().strip()
    if text == "No Responses yet":
        return 0
    if text.startswith("One Response to "):
        return 1
    found = re.match(r"(\d+) Responses to “.+”$", text)
    assert found, f"unexpected heading of the thread: {text!r}"
    return int(found.group(1))


def list_number(page: Page, comment_id: int) -> int:
    """The number a top-level comment shows: its place in the numbered list of the thread."""
    number = page.locator("#comments ol.comment-list").evaluate(
        """(list, id) => {
            const items = [...list.children].filter(li => li.matches("li"));
            const at = items.findIndex(li => li.id === "li-comment-" + id);
            return at < 0 ? 0 : list.start + at;
        }""",
        comment_id,
    )
    return int(number)


def expect_numbered(page: Page) -> None:
    """Top-level comments are a visibly numbered list (decimal markers)."""
    first = page.locator("#comments ol.comment-list > li").first
    expect(first).to_be_visible()
    style = first.evaluate(
        "li => { const s = getComputedStyle(li); return [s.display, s.listStyleType]; }"
    )
    assert style == ["list-item", "decimal"], f"top-level comments are not numbered: {style}"
