"""Hostile comments (browser/vectors.py) go in through the real form, are approved, and are
read back in the browser: no dialog opens, no script runs, and nothing outside the comment
allowlist survives in the DOM, on the post, the home page, and the moderators' pages.

Pages are read twice: with Content-Security-Policy bypassed, so that a payload the
sanitiser let through would really run (and be caught by its flag and dialog), and with CSP
enforced, where any violation report means markup got through that should not have.
"""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import Page, expect

from browser.harness import Browsing, Site
from browser.steps import OWN_COMMENT, Commenter
from browser.vectors import JS, VECTORS

pytestmark = pytest.mark.browser

# Names are printed beside every comment (and in the Reply link's data attribute, which the
# reply script writes into the page): every tenth comment is signed with one of these.
HOSTILE_NAMES = [
    f"<script>{JS}</script>",
    f'"><img src=x onerror="{JS}">',
    f"' onmouseover='{JS}' x='",
    f"</span><svg onload={JS}>",
    f"Eve &lt;script&gt;{JS}&lt;/script&gt;",
]

# Run in the page: every element inside `containers` must be an allowlisted tag with
# allowlisted attributes and web or mail addresses; and anywhere on the page, no handler
# attribute, no script but the site's own files, no frame, object, base or refresh.
CHECK_DOM = """
(containers) => {
  const TAGS = new Set(["a", "abbr", "acronym", "b", "blockquote", "cite", "code", "del",
                        "em", "i", "q", "strike", "strong", "p", "br"]);
  const ATTRIBUTES = {a: ["href", "title", "rel"], abbr: ["title"], acronym: ["title"],
                      blockquote: ["cite"], q: ["cite"], del: ["datetime"]};
  const SCHEMES = ["http:", "https:", "mailto:"];
  const XHTML = "http://www.w3.org/1999/xhtml";
  const found = [];
  const where = (el) => {
    const comment = el.closest("[id^='comment-']");
    return comment ? comment.id : location.pathname;
  };
  const show = (el) => el.outerHTML.slice(0, 160);
  for (const container of containers ? document.querySelectorAll(containers) : []) {
    for (const el of container.querySelectorAll("*")) {
      const tag = el.localName;
      if (el.namespaceURI !== XHTML || !TAGS.has(tag)) {
        found.push(`${where(el)}: tag not allowed: ${show(el)}`);
      }
      for (const attribute of el.attributes) {
        const name = attribute.name;
        if (!(ATTRIBUTES[tag] || []).includes(name)) {
          found.push(`${where(el)}: attribute not allowed: ${name} in ${show(el)}`);
        } else if (name === "href" || name === "cite") {
          let scheme = "unparsable";
          try { scheme = new URL(attribute.value, document.baseURI).protocol; } catch {}
          if (!SCHEMES.includes(scheme)) {
            found.push(`${where(el)}: ${scheme} address in ${show(el)}`);
          }
        } else if (name === "rel" && attribute.value !== "nofollow ugc") {
          found.push(`${where(el)}: rel="${attribute.value}" in ${show(el)}`);
        }
      }
    }
  }
  for (const el of document.querySelectorAll("*")) {
    for (const attribute of el.attributes) {
      if (attribute.name.toLowerCase().startsWith("on")) {
        found.push(`${where(el)}: handler attribute: ${show(el)}`);
      }
      if (/^\\s*(javascript|vbscript):/i.test(attribute.value)) {
        found.push(`${where(el)}: script address: ${show(el)}`);
      }
    }
  }
  for (const script of document.querySelectorAll("script")) {  // SVG's too
    const src = script.getAttribute("src") || script.getAttribute("href") || "";
    if (!src || new URL(src, document.baseURI).origin !== location.origin) {
      found.push(`foreign or inline script: ${show(script)}`);
    }
  }
  for (const el of document.querySelectorAll(
      "iframe, frame, object, embed, base, meta[http-equiv], svg script, math")) {
    found.push(`${where(el)}: ${show(el)}`);
  }
  return found;
}
"""
SEND = """
([name, email, body]) => {
  const form = document.getElementById("commentform");
  form.elements.name.value = name;
  form.elements.email.value = email;
  form.elements.body.value = body;
  form.querySelector("button[name=submit]").click();
}
"""
READ_FLAGS = (
    "() => [window.__xss === undefined ? null : String(window.__xss), window.__cspViolations]"
)


class Inspector:
    """Collects everything that shows a hostile comment got through, page by page."""

    def __init__(self, browsing: Browsing) -> None:
        self.browsing = browsing
        self.found: list[str] = []

    def flags(self, page: Page, *, csp: bool = False) -> None:
        """The payloads' flag (and, where CSP is enforced, violation reports)."""
        flag, violations = page.evaluate(READ_FLAGS)
        if flag is not None:
            self.found.append(f"window.__xss = {flag} on {page.url}")
        if csp and violations:
            self.found += [f"CSP violation on {page.url}: {v}" for v in violations]

    def dom(self, page: Page, containers: str) -> None:
        """The allowlist inside `containers` (none: "") and the page-wide checks."""
        self.found += page.evaluate(CHECK_DOM, containers)

    def events(self) -> None:
        """Dialogs, console messages and uncaught errors of every page of the test."""
        for page, watch in self.browsing.watches.items():
            self.found += [f"dialog opened: {d}" for d in watch.dialogs]
            self.found += [f"console: {m}" for m in watch.console]
            self.found += [f"uncaught error: {e} ({page.url})" for e in watch.errors]


def test_hostile_comments_stay_inert(browsing: Browsing, site: Site) -> None:
    assert len(VECTORS) >= 60
    path = site.posts["xss_post"]["path"]
    inspector = Inspector(browsing)
    run = secrets.token_hex(3)

    # 1. Every vector through the real form, each from a first-time commenter (held).
    writer = browsing.page(bypass_csp=True)
    writer.goto(path)
    ids: dict[int, int] = {}
    names: dict[int, str] = {}
    refused: list[str] = []
    for number, body in enumerate(VECTORS, 1):
        name = HOSTILE_NAMES[number // 10 % len(HOSTILE_NAMES)]
        name = name if number % 10 == 0 else f"Vector {number:02d}"
        commenter = Commenter(name, f"vector{number:02d}-{run}@example.com")
        with writer.expect_navigation():
            # The real form, filled and sent by script: 99 comments typed in would be slow.
            writer.evaluate(SEND, [commenter.name, commenter.email, body])
        found = OWN_COMMENT.search(writer.url)
        if found is None:
            errors = writer.locator(".form-errors, .field-error").all_inner_texts()
            refused.append(f"vector {number}: {errors} {body[:80]!r}")
            writer.goto(path)
            continue
        ids[number], names[number] = int(found.group(1)), name
        inspector.flags(writer)  # the writer's own held comment is on this page
        inspector.dom(writer, f"#comment-{ids[number]} .comment__body")
    assert not refused, "the form refused hostile comments:\n" + "\n".join(refused)

    # 2. A moderator approves them all at once.
    approved = site.script("approve", *map(str, ids.values()))
    assert approved == {"approved": len(ids), "missing": []}, approved

    # 3. Readers: the post, with CSP bypassed (a payload would run) and enforced.
    reader = browsing.page(bypass_csp=True)
    reader.goto(path)
    shown = reader.evaluate(
        "ids => ids.filter(id => document.getElementById('comment-' + id) !== null)",
        list(ids.values()),
    )
    assert sorted(shown) == sorted(ids.values()), "approved hostile comments are missing"
    for number, name in names.items():
        if number % 10 == 0:  # hostile names show as the text that was typed
            expect(reader.locator(f"#comment-{ids[number]} .comment__author")).to_have_text(name)
    inspector.flags(reader)
    inspector.dom(reader, ".comment__body, .recent-comments__excerpt")
    # The reply script writes the commenter's name into the form's heading.
    hostile = ids[10]
    reader.locator(f"#comment-{hostile} a.comment__reply").click()
    expect(reader.locator(f"#li-comment-{hostile} > #respond")).to_have_count(1)
    expect(reader.locator("#reply-title")).to_contain_text(names[10])
    inspector.flags(reader)
    inspector.dom(reader, "")

    strict = browsing.page()
    strict.goto(path)
    inspector.flags(strict, csp=True)
    home = browsing.page(bypass_csp=True)
    home.goto("/")  # the recent-comments widget shows the newest of them
    inspector.flags(home)
    inspector.dom(home, ".recent-comments__excerpt")

    # 4. The moderators' pages: the queue (pages of 50), and comments' own pages, which
    # show the stored HTML "as readers see it".
    moderator = browsing.page(bypass_csp=True)
    post_id = site.posts["xss_post"]["id"]
    browsing.login(moderator, "/admin/discussion/comment/")
    for list_page in range(1, (len(ids) + 49) // 50 + 1):
        moderator.goto(f"/admin/discussion/comment/?post={post_id}&status=any&p={list_page}")
        expect(moderator.locator("#result_list")).to_be_visible()
        inspector.flags(moderator)
        inspector.dom(moderator, "#result_list td.field-excerpt_column")
    for number, comment_id in ids.items():
        if number % 10:
            continue  # one in ten (the hostile names): the same stored HTML as on the post
        moderator.goto(f"/admin/discussion/comment/{comment_id}/change/")
        inspector.flags(moderator)
        inspector.dom(moderator, ".field-as_readers_see_it .readonly")
    moderator.goto(path)  # the last page, for the screenshot: the thread as readers see it

    inspector.events()
    report = "\n".join(inspector.found)
    assert not inspector.found, f"{len(inspector.found)} signs of script injection:\n{report}"


def test_the_inspector_sees_an_injection(browsing: Browsing) -> None:
    """The checks above would see a comment that got through: a page whose comment body
    holds what the sanitiser must remove is reported on every count."""
    page = browsing.page(bypass_csp=True)
    page.set_content(
        '<article id="comment-1"><div class="comment__body"><p>'
        f'<img src="data:," onerror="{JS}"><a href="javascript:{JS}" rel="nofollow ugc">x</a>'
        '<a href="https://example.com/" rel="opener" target="_blank">y</a>'
        f"<svg><script>{JS}</script></svg><span>z</span></p></div></article>"
    )
    page.wait_for_function("window.__xss === 1")
    inspector = Inspector(browsing)
    inspector.flags(page)
    inspector.dom(page, ".comment__body")
    inspector.events()
    report = "\n".join(inspector.found)
    for expected in [
        "window.__xss = 1",
        "dialog opened: alert: 1",
        "tag not allowed: <img",
        "attribute not allowed: onerror",
        "javascript: address",
        'rel="opener"',
        "attribute not allowed: target",
        "tag not allowed: <svg",
        "tag not allowed: <span>",
        "handler attribute",
        "foreign or inline script",
    ]:
        assert expected in report, f"not reported: {expected}\n{report}"
