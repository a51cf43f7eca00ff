"""Stoa's discussion on another site's page: a plain page served from a second origin (another
port on 127.0.0.1, listed in the site's STOA_EMBED_ORIGINS), strict CSP of its own, with one
`<script src=".../embed.js" data-stoa-thread="URL">` tag. A reader reads the thread as Stoa's
page numbers it, replies and reports as a guest; a page the site has never seen gets a thread
made for it, a guest's held comment stays theirs across a reload, and a member logs in
through Stoa's window and posts; no request of the script carries a cookie; axe finds no
serious violation in the embedded thread."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Request, expect

from browser.harness import Browsing, Site
from browser.steps import AWAITING, unique

pytestmark = pytest.mark.browser

READER = ("reader@example.com", "demo-reader-pass")  # the demo's member without enrolment
EMBED = ".stoa-embed"


def embedding_page(site: Site, path: str) -> str:
    """The other site's page: its thread is Stoa's post for /stoa-post.html, else the page
    itself. Nothing of Stoa's but the script tag."""
    if path == "/stoa-post.html":
        thread = site.base_url + site.posts["reply_post"]["path"]
    else:
        thread = site.embed_origin + path
    title = f"An article elsewhere ({path.strip('/')})"
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><main>"
        f"<h1>{html.escape(title)}</h1><p>The article, on a site of its own.</p>"
        f'<script src="{site.base_url}/embed.js" data-stoa-thread="{html.escape(thread)}" async>'
        "</script></main></body></html>"
    )


@pytest.fixture(scope="module")
def other_site(site: Site) -> Iterator[str]:
    """A plain HTTP server on the second origin, whose pages allow Stoa's script and API
    and nothing else (no inline script or style, no other origin)."""
    stoa = site.base_url
    policy = (
        f"default-src 'none'; script-src {stoa}; connect-src {stoa}; img-src {stoa} data:; "
        "style-src 'self'; base-uri 'none'; form-action 'none'"
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if not path.endswith(".html"):
                self.send_error(404)
                return
            body = embedding_page(site, path).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", policy)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
            pass

    port = int(urlsplit(site.embed_origin).port or 0)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site.embed_origin
    finally:
        server.shutdown()
        server.server_close()


def api_requests(page: Page, site: Site) -> list[Request]:
    """Every request the page makes to Stoa's API, as it goes."""
    seen: list[Request] = []
    page.on(
        "request",
        lambda request: (
            seen.append(request) if request.url.startswith(f"{site.base_url}/api/v1/") else None
        ),
    )
    return seen


def csp_violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []"))


def top_level_ids(page: Page, scope: str) -> list[str]:
    items = page.locator(f"{scope} ol.comment-list > li")
    return [items.nth(i).get_attribute("id") or "" for i in range(items.count())]


def guest_fills(page: Page, name: str, body: str) -> None:
    embed = page.locator(EMBED)
    embed.get_by_label("Name (required)").fill(name)
    embed.get_by_label("Email (required)").fill(f"{name.lower()}@example.net")
    embed.get_by_label("Comment (required)").fill(body)


def test_the_embedded_thread_reads_as_the_page_and_a_guest_replies_and_reports(
    browsing: Browsing, site: Site, other_site: str
) -> None:
    page = browsing.page()
    page.goto(f"{other_site}/stoa-post.html")
    embed = page.locator(EMBED)
    expect(embed.locator("ol.comment-list > li").first).to_be_visible()

    # The same thread as Stoa's own page: the same comments, nested and numbered alike.
    stoa = browsing.page()
    stoa.goto(site.posts["reply_post"]["path"])
    assert top_level_ids(page, EMBED) == top_level_ids(stoa, "#comments")
    assert (
        embed.locator("li.comment-item").count()
        == stoa.locator("#comments li.comment-item").count()
    )
    count = stoa.locator("#comments li.comment-item").count()
    expect(embed.get_by_role("heading", level=2)).to_have_text(f"{count} comments")

    # A reply, as a guest: the form moves under its comment, the reply lands nested there,
    # held for a moderator and shown to its writer only (the key kept by this page).
    first = embed.locator("ol.comment-list > li").first
    parent_id = (first.get_attribute("id") or "").removeprefix("li-comment-")
    author = first.locator(".comment__author").first.inner_text()
    first.locator(".comment__reply").first.click()
    expect(embed.get_by_role("heading", name=f"Reply to {author}")).to_be_visible()
    expect(embed.get_by_label("Comment (required)")).to_be_focused()
    marker = unique("embedded-reply")
    guest_fills(page, "Iris", f"A reply from another site ({marker}).")
    embed.get_by_role("button", name="Post comment").click()
    expect(embed.locator("p.status")).to_contain_text("awaiting moderation")
    reply = embed.locator(f"#li-comment-{parent_id} ol.children li", has_text=marker)
    expect(reply.locator(".comment__awaiting")).to_have_text(AWAITING)
    expect(reply.locator(".comment__author")).to_have_text("Iris")
    expect(embed.get_by_role("heading", name="Leave a comment")).to_be_visible()

    # A report, as a guest: sent through the API, said in the live region.
    second = embed.locator("ol.comment-list > li").nth(1).locator("article").first
    second.get_by_role("button", name="Report").click()
    expect(embed.locator("p.status")).to_have_text(
        "Thank you: the comment was reported to the moderators."
    )
    expect(second.get_by_role("button", name="Reported")).to_be_disabled()

    # The thread's links lead to Stoa, not to addresses of the page's own site.
    permalink = embed.locator(".comment__permalink").first.get_attribute("href") or ""
    assert permalink.startswith(site.base_url + site.posts["reply_post"]["path"] + "#comment-")
    assert csp_violations(page) == []


def test_a_new_page_gets_a_thread_a_guest_keeps_theirs_and_a_member_logs_in_and_posts(
    browsing: Browsing, site: Site, other_site: str
) -> None:
    page = browsing.page()
    sent = api_requests(page, site)
    address = f"{other_site}/articles/{unique('article')}.html"
    page.goto(address)
    embed = page.locator(EMBED)
    expect(embed.get_by_role("heading", name="No comments yet")).to_be_visible()
    # The post made for it, on Stoa, where the discussion reads without JavaScript too.
    own_page = embed.get_by_role("link", name="This discussion on its own page")
    assert (own_page.get_attribute("href") or "").startswith(f"{site.base_url}/")

    marker = unique("guest")
    guest_fills(page, "Noor", f"First words on this article ({marker}).")
    embed.get_by_role("button", name="Post comment").click()
    held = embed.locator("li.comment-item", has_text=marker)
    expect(held.locator(".comment__awaiting")).to_have_text(AWAITING)
    expect(embed.locator("p.status")).to_contain_text("awaiting moderation")

    # The guest's key stays with this site's page: after a reload the comment is still theirs.
    page.reload()
    expect(page.locator(EMBED).locator("li.comment-item", has_text=marker)).to_be_visible()
    # And nobody else sees it.
    stranger = browsing.page()
    stranger.goto(address)
    expect(stranger.locator(EMBED).get_by_role("heading", name="No comments yet")).to_be_visible()

    # A member logs in through Stoa's window, allows the site, and the window closes.
    embed = page.locator(EMBED)
    with page.expect_popup() as opened:
        embed.get_by_role("button", name="Log in as a member").click()
    popup = opened.value
    assert popup.url.startswith(f"{site.base_url}/api/embed/login/")
    popup.get_by_label("Email").fill(READER[0])
    popup.get_by_label("Password").fill(READER[1])
    popup.get_by_role("button", name="Log in").click()
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Allow and go back").click()
    who = embed.locator(".who")
    expect(who).to_contain_text("Commenting as ")
    name = who.inner_text().removeprefix("Commenting as ").split(".")[0]
    expect(embed.locator("p.status")).to_have_text(f"You are logged in as {name}.")
    expect(embed.get_by_label("Name (required)")).to_be_hidden()
    expect(embed.get_by_label("Comment (required)")).to_be_focused()

    mine = unique("member")
    embed.get_by_label("Comment (required)").fill(f"As a member, from elsewhere ({mine}).")
    embed.get_by_role("button", name="Post comment").click()
    posted = embed.locator("li.comment-item", has_text=mine)
    expect(posted.locator(".comment__author")).to_have_text(name)
    expect(posted.locator("article")).to_be_focused()

    # Never a cookie: the browser holds Stoa's session now (the window logged in), and the
    # script still sends none; the member's requests carry the window's token instead.
    assert any(c["name"] == "sessionid" for c in page.context.cookies(site.base_url))
    assert sent
    for request in sent:
        assert "cookie" not in request.all_headers(), request.url
    member_posts = [r for r in sent if r.method == "POST" and r.url.endswith("/comments")]
    assert member_posts[-1].all_headers()["authorization"].startswith("Bearer stoa_")
    assert "authorization" not in member_posts[0].all_headers()
    assert csp_violations(page) == []


BLOCKING = {"serious", "critical"}


@pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True)
def test_no_serious_accessibility_violations_in_the_embedded_thread(
    browsing: Browsing, site: Site, other_site: str
) -> None:
    page = browsing.page()
    page.goto(f"{other_site}/stoa-post.html")
    expect(page.locator(EMBED).locator("ol.comment-list > li").first).to_be_visible()
    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, "\n".join(
        f"[{v['impact']}] {v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:5]]}"
        for v in blocking
    )
