"""axe-core on the pages people meet most: no violation of impact "serious" or "critical"
on the home page, a post, an archive, the comment form with errors, the admin login, the
member's log-in, sign-up (with errors) and account pages, a series, a post with a clip, and
search results."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from browser.harness import Browsing, Site
from browser.steps import both_viewports, fill_comment, send_comment, unique

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


def open_home(page: Page, site: Site) -> None:
    page.goto("/")


def open_post(page: Page, site: Site) -> None:
    page.goto(site.posts["reply_post"]["path"])  # a thread with replies


def open_archive(page: Page, site: Site) -> None:
    page.goto("/")
    category = page.locator("main .post-meta a[rel~='category']").first
    with page.expect_navigation():
        category.click()
    expect(page).to_have_url(re.compile(r"/category/[\w-]+/$"))
    expect(page.locator("main article.summary").first).to_be_visible()


def open_form_errors(page: Page, site: Site) -> None:
    page.goto(site.posts["quiet_post"]["path"])
    fill_comment(page, None, f"No name and no email here ({unique('a11y')}).")
    answer = send_comment(page)
    assert answer is not None and answer.status == 400
    expect(page.locator("#commentform .field-error").first).to_be_visible()


def open_admin_login(page: Page, site: Site) -> None:
    page.goto("/admin/login/")


def open_login(page: Page, site: Site) -> None:
    page.goto("/accounts/login/")


def open_signup_errors(page: Page, site: Site) -> None:
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("not-an-address")
    with page.expect_navigation() as navigation:
        page.get_by_role("main").get_by_role("button", name="Create my account").click()
    assert navigation.value is not None and navigation.value.status == 400
    expect(page.locator("[aria-invalid='true']").first).to_be_visible()


def open_account(page: Page, site: Site) -> None:
    page.goto("/accounts/login/?next=/account/")
    page.get_by_label("Email").fill("enrolled@example.com")
    page.get_by_label("Password").fill("demo-enrolled-pass")
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/account/$"))


def open_series(page: Page, site: Site) -> None:
    page.goto(site.posts["session"]["series_path"])


def open_clip_post(page: Page, site: Site) -> None:
    page.goto(site.posts["clip_post"]["path"])


def open_search(page: Page, site: Site) -> None:
    # Results with snippets, groups, filters and paging, for a word of a demo post's title.
    page.goto("/search/?q=" + search_word(site))
    expect(page.locator("main mark").first).to_be_visible()


def search_word(site: Site) -> str:
    """A word of a demo post's title that the index holds (four letters or more)."""
    words = re.findall(r"[A-Za-z]{4,}", site.posts["reply_post"]["title"])
    return max(words, key=len)


PAGES = {
    "home": open_home,
    "post": open_post,
    "archive": open_archive,
    "form-errors": open_form_errors,
    "admin-login": open_admin_login,
    "login": open_login,
    "signup-errors": open_signup_errors,
    "account": open_account,
    "series": open_series,
    "clip-post": open_clip_post,
    "search": open_search,
}


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({len(violation['nodes'])} elements) {violation['helpUrl']}"
        )
        for node in violation["nodes"][:8]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {json.dumps(node['target'])} {node['html'][:140]}  {summary[:200]}")
    return "\n".join(lines)


@both_viewports
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violations(browsing: Browsing, site: Site, name: str) -> None:
    page = browsing.page()
    PAGES[name](page, site)
    violations = Axe().run(page).response["violations"]
    if violations:
        print(f"axe on {page.url}:\n{describe(violations)}")  # noqa: T201 - shown with -s or on failure
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {page.url}:\n{describe(blocking)}"
