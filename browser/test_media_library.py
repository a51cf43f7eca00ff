"""The media library as an editor uses it (issue 15): a picture uploaded without alternative
text is refused on the form, which keeps what was typed; with it, the picture is stored,
listed with its thumbnail and found by the words of its description; axe finds no serious or
critical violation on the form with its error or on the library. A reader sees the demo's
featured images in several widths, loaded lazily, with their descriptions."""

from __future__ import annotations

import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Page, expect

from browser.harness import Browsing, Site
from browser.steps import unique
from browser.test_accessibility import BLOCKING, describe

pytestmark = pytest.mark.browser


def a_photo() -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((1400, 900)).convert("RGB").save(out, format="JPEG")
    return out.getvalue()


def no_blocking_violations(page: Page) -> None:
    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {page.url}:\n{describe(blocking)}"


def test_an_editor_uploads_a_described_picture_and_finds_it_again(
    browsing: Browsing, site: Site
) -> None:
    editor = browsing.page()
    browsing.login(editor, "/admin/publishing/mediaitem/add/")
    title = unique("Reading room")
    editor.get_by_label("Title").fill(title)
    editor.locator("#id_upload").set_input_files(
        {"name": "reading-room.jpg", "mimeType": "image/jpeg", "buffer": a_photo()}
    )
    editor.get_by_label("Caption").fill("The library on the second floor")
    with editor.expect_navigation():
        editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor.locator(".errorlist", has_text="Describe the picture")).to_be_visible()
    expect(editor.get_by_label("Title")).to_have_value(title)
    no_blocking_violations(editor)

    # The file input is empty again after a refused form (browsers never refill one).
    editor.locator("#id_upload").set_input_files(
        {"name": "reading-room.jpg", "mimeType": "image/jpeg", "buffer": a_photo()}
    )
    editor.get_by_label("Alternative text").fill("Tall shelves around three reading tables")
    with editor.expect_navigation():
        editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor).to_have_url(re.compile(r"/admin/publishing/mediaitem/$"))

    editor.goto("/admin/publishing/mediaitem/?q=shelves+reading+tables")
    row = editor.locator("#result_list tbody tr", has_text=title)
    expect(row).to_have_count(1)
    thumbnail = row.locator("td.field-thumbnail img")
    expect(thumbnail).to_have_attribute("alt", "Tall shelves around three reading tables")
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 480
    no_blocking_violations(editor)

    # The editor's picture library answers with it, its srcset and its figure.
    found = editor.request.get("/admin/publishing/mediaitem/library/?q=shelves").json()
    [entry] = [e for e in found["results"] if e["title"] == title]
    assert entry["srcset"].endswith("1400w") and "<figcaption>" in entry["html"]


def test_a_reader_sees_featured_images_in_several_widths_lazily(
    browsing: Browsing, site: Site
) -> None:
    reader = browsing.page()
    reader.goto("/")
    pictures = reader.locator("main article.summary img.summary__picture")
    expect(pictures.first).to_be_visible()
    first = pictures.first
    expect(first).to_have_attribute("loading", "lazy")
    expect(first).to_have_attribute("alt", re.compile(r"^An abstract cover: "))
    srcset = first.get_attribute("srcset") or ""
    assert [c.split()[-1] for c in srcset.split(", ")] == ["480w", "800w", "1200w"]
    first.scroll_into_view_if_needed()
    # The browser chose a candidate from srcset and loaded it.
    chosen = first.evaluate("img => img.complete && img.naturalWidth ? img.currentSrc : ''")
    assert chosen and any(chosen.endswith(c.split()[0]) for c in srcset.split(", "))
