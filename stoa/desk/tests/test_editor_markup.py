"""What the body editor writes, as the sanitiser sees it.

TOOLBAR holds what each toolbar action of the editor writes (recorded from the editor in
Chromium by browser/test_desk.py::test_every_toolbar_action_writes_what_the_sanitiser_keeps,
which checks the same property on the live editor): each passes through clean_post_body
unchanged, so saving a body from the editor never alters it."""

from __future__ import annotations

from pathlib import Path

import pytest

from stoa.desk.widgets import EXTENSIONS, BodyEditor
from stoa.publishing.sanitizers import clean_post_body

SAMPLES = Path(__file__).parent / "samples"

TOOLBAR = {
    "paragraph": "<p>Plain words.</p>",
    "heading 2": "<h2>A section</h2>",
    "heading 3": "<h3>A subsection</h3>",
    "heading 4": "<h4>A minor heading</h4>",
    "bold": "<p><strong>Bold</strong> words.</p>",
    "italic": "<p><em>Italic</em> words.</p>",
    "bulleted list": "<ul><li><p>One</p></li><li><p>Two</p></li></ul>",
    "numbered list": "<ol><li><p>First</p></li><li><p>Second</p></li></ol>",
    "link": '<p><a href="https://example.org/guide" rel="noopener">A guide</a></p>',
    "blockquote": "<blockquote><p>Quoted words.</p></blockquote>",
    "figure": (
        '<figure><img src="/media/uploads/2026/12/room.jpg" alt="A quiet room" '
        'loading="lazy"><figcaption>The room</figcaption></figure>'
    ),
    "video": (
        '<iframe src="https://www.youtube-nocookie.com/embed/abc123" title="A talk" '
        'allowfullscreen="true" loading="lazy"></iframe>'
    ),
    "library picture": (
        '<figure><img src="/media/uploads/2026/12/room.jpg.1200x0_q82.jpg" alt="A quiet room" '
        'width="2000" height="1000" srcset="/media/uploads/2026/12/room.jpg.480x0_q82.jpg 480w, '
        '/media/uploads/2026/12/room.jpg 2000w" sizes="(min-width: 48rem) 42rem, 100vw" '
        'loading="lazy"><figcaption>The room <small>Photo: A. Ruiz</small></figcaption></figure>'
    ),
    "horizontal rule": "<hr>",
    "line break": "<p>One line<br>and the next</p>",
}


@pytest.mark.parametrize("action", TOOLBAR)
def test_what_each_toolbar_action_writes_passes_the_sanitiser_unchanged(action):
    assert clean_post_body(TOOLBAR[action]) == TOOLBAR[action]


def test_the_toolbar_offers_only_what_the_sanitiser_keeps():
    # Tables, code, strike-through, underline, sub/superscript, colours, alignment and
    # classes are not offered, although django-prose-editor has them.
    assert set(EXTENSIONS) == {
        "Heading", "Bold", "Italic", "BulletList", "OrderedList", "ListItem", "Link",
        "Blockquote", "HorizontalRule", "HardBreak", "Figure", "Caption", "Image", "Embed",
        "StoaPaste", "Small", "PictureLibrary", "NoSpellCheck",
    }  # fmt: skip
    assert EXTENSIONS["NoSpellCheck"] is False
    assert EXTENSIONS["Heading"] == {"levels": [2, 3, 4]}


def test_the_editor_is_told_the_embed_hosts_the_sanitiser_allows(settings):
    settings.STOA = {**settings.STOA, "EMBED_PREFIXES": ["https://player.example/embed/"]}

    config = BodyEditor().get_config()

    assert config["extensions"]["Embed"] == {"prefixes": ["https://player.example/embed/"]}
    assert config["js_modules"] == ["/static/desk/extensions.js"]


def _no_presentation(body: str) -> None:
    for residue in ("style=", "class=", "font", "<span", "id=", "data-", "onclick", "o:p", "mso"):
        assert residue not in body, residue


def test_a_word_document_keeps_its_headings_links_and_emphasis_and_loses_its_styling():
    body = clean_post_body((SAMPLES / "word.html").read_text())

    _no_presentation(body)
    assert "Supervision notes" in body and "<h2>" in body
    assert "<b>bold</b>" in body and "<i>italic</i>" in body
    assert '<a href="https://example.org/guide?utm_source=word" rel="noopener">a guide</a>' in body
    # Word's lists are styled paragraphs; the editor makes them lists as they are pasted
    # (static/desk/extensions.js, wordLists; browser/test_desk.py pastes this file).
    assert "Case notes" in body and "Arrive early" in body


def test_a_google_docs_paste_keeps_its_structure_and_loses_styles_and_tracking():
    body = clean_post_body((SAMPLES / "gdocs.html").read_text())

    _no_presentation(body)
    assert "<h2>Reading list</h2>" in body
    assert "<ul><li><p>First book</p></li><li><p>Second book</p></li></ul>" in body
    assert 'rel="noopener">a paper</a>' in body
