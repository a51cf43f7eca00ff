import pytest

from stoa.core.tests.test_text import WRITTEN
from stoa.core.text import plain_excerpt, sanitised_excerpt
from stoa.publishing.sanitizers import clean_post_body

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<style>body{display:none}</style>",
    '<img src="x" onerror="alert(1)">',
    '<p onclick="alert(1)" onmouseover="alert(2)">text</p>',
    '<a href="javascript:alert(1)">link</a>',
    '<a href="JaVaScRiPt:alert(1)">link</a>',
    '<a href="&#106;avascript:alert(1)">link</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="evil.swf"></object>',
    '<form action="https://evil.example"><input name="q"></form>',
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_body_sanitiser_removes_scripts_handlers_and_javascript_urls(hostile: str) -> None:
    cleaned = clean_post_body(f"<p>Safe words.</p>{hostile}").lower()
    for forbidden in ("<script", "onerror", "onclick", "onmouseover", "javascript:", "data:"):
        assert forbidden not in cleaned
    for forbidden in ("<style", "<svg", "<object", "<form", "<input"):
        assert forbidden not in cleaned
    assert "<p>safe words.</p>" in cleaned


def test_the_body_sanitiser_keeps_an_editors_markup() -> None:
    body = (
        "<h2>Heading</h2><p>A <em>good</em> <strong>point</strong> with "
        '<a href="https://example.org/a" title="Source">a link</a>.</p>'
        '<blockquote cite="https://example.org">Quoted</blockquote><ul><li>One</li></ul>'
    )
    cleaned = clean_post_body(body)
    for kept in ("<h2>Heading</h2>", "<em>good</em>", "<strong>point</strong>", "<li>One</li>"):
        assert kept in cleaned
    assert 'href="https://example.org/a"' in cleaned
    assert 'title="Source"' in cleaned


def test_a_video_iframe_from_an_allowlisted_host_is_kept() -> None:
    cleaned = clean_post_body(
        '<iframe src="https://www.youtube-nocookie.com/embed/abc123" title="Clip" '
        'allowfullscreen onload="alert(1)"></iframe>'
    )
    assert 'src="https://www.youtube-nocookie.com/embed/abc123"' in cleaned
    assert 'title="Clip"' in cleaned
    assert "onload" not in cleaned


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example/embed/abc",
        "http://www.youtube.com/embed/abc",
        "https://www.youtube.com.evil.example/embed/abc",
        "//player.vimeo.com/video/1",
    ],
)
def test_an_iframe_from_any_other_host_is_dropped_whole(src: str) -> None:
    cleaned = clean_post_body(f'<p>Before</p><iframe src="{src}"></iframe><p>After</p>')
    assert "iframe" not in cleaned
    assert cleaned == "<p>Before</p><p>After</p>"


@pytest.mark.parametrize("written", [*WRITTEN, *HOSTILE])
@pytest.mark.parametrize("words", [1, 55])
def test_a_posts_summary_by_the_short_road_is_the_long_ones(written: str, words: int) -> None:
    """A post's derived summary (services._derived_summary) reads the sanitised body by
    core.text.sanitised_excerpt: what plain_excerpt reads of it."""
    html = clean_post_body(written)
    assert sanitised_excerpt(html, words) == plain_excerpt(html, words), html
