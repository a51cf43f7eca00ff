"""Keyboard only: the skip link, then Tab to the comment form, fill it, send it with Enter;
the header's search box, its results and a result opened; every element that takes focus on
the way shows that it has it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from browser.harness import Browsing, Site
from browser.steps import AWAITING, OWN_COMMENT, both_viewports, new_commenter, unique
from browser.test_accessibility import search_word

pytestmark = pytest.mark.browser

MAX_TABS = 400
# The focused element, and whether its focus can be seen (an outline or a box shadow).
FOCUSED = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== "none";
  const label = (el.id ? "#" + el.id : "") + (el.name ? `[name=${el.name}]` : "");
  return {
    id: el.id,
    name: el.getAttribute("name") || "",
    what: `<${el.localName}${label ? " " + label : ""}> ${(el.innerText || el.value || "")
      .trim().slice(0, 40)}`,
    visible: outline || shadow,
    style: `outline: ${style.outlineStyle} ${style.outlineWidth}; box-shadow: ${style.boxShadow}`,
  };
}
"""


class Walk:
    """Tab through a page, noting every stop whose focus cannot be seen."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.invisible: list[str] = []

    def focused(self) -> dict[str, str] | None:
        info = self.page.evaluate(FOCUSED)
        if info is not None and not info["visible"]:
            self.invisible.append(f"{info['what']} ({info['style']})")
        return info

    def tab_to(self, done: str) -> None:
        """Press Tab until the focused element matches the CSS selector `done`."""
        for _ in range(MAX_TABS):
            self.page.keyboard.press("Tab")
            self.focused()
            if self.page.evaluate("s => document.activeElement.matches(s)", done):
                return
        pytest.fail(f"{done} was not reached in {MAX_TABS} presses of Tab", pytrace=False)


@both_viewports
def test_comment_form_by_keyboard_alone(browsing: Browsing, site: Site) -> None:
    page = browsing.page()
    page.goto(site.posts["quiet_post"]["path"])
    walk = Walk(page)

    # The first Tab shows the skip link; Enter takes focus to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    walk.focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()

    commenter = new_commenter("Kai")
    body = f"Written without a mouse ({unique('keyboard')})."
    walk.tab_to("#id_name")
    page.keyboard.type(commenter.name)
    page.keyboard.press("Tab")
    expect(page.locator("#id_email")).to_be_focused()
    walk.focused()
    page.keyboard.type(commenter.email)
    walk.tab_to("#id_body")
    page.keyboard.type(body)
    walk.tab_to("#commentform button[name=submit]")
    expect(page.locator("#commentform button[name=submit]")).to_have_text("Post Comment")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    found = OWN_COMMENT.search(page.url)
    assert found, f"the comment was not sent: {page.url}"
    comment = page.locator(f"#li-comment-{found.group(1)}")
    expect(comment.locator(".comment__awaiting")).to_have_text(AWAITING)
    expect(comment.locator(".comment__body")).to_have_text(body)
    assert not walk.invisible, "focus cannot be seen on:\n" + "\n".join(walk.invisible)


@both_viewports
def test_search_by_keyboard_alone(browsing: Browsing, site: Site) -> None:
    page = browsing.page()
    page.goto("/")
    walk = Walk(page)
    word = search_word(site)
    walk.tab_to("#site-search")
    page.keyboard.type(word)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    first = page.locator("main .search-result a").first
    expect(first).to_be_visible()
    target = first.get_attribute("href")
    walk.tab_to("main .search-result a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(target or "-")
    assert not walk.invisible, "focus cannot be seen on:\n" + "\n".join(walk.invisible)
