import pytest

from stoa.core.sanitizers import Allowlist, clean
from stoa.core.text import cut_at_word, plain_excerpt, sanitised_excerpt


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Short line", "Short line"),
        (
            "A psychiatrist on the attributes of a healthy mind",
            "A psychiatrist on the attributes of a ...",
        ),
        (
            "Working with the brain, the body, and the stories clients tell",
            "Working with the brain, the body, and ...",
        ),
        (
            "Supercalifragilisticexpialidocious-and-then-some-more-words",
            "Supercalifragilisticexpialidocious-and-t ...",
        ),
    ],
)
def test_a_teaser_is_cut_at_a_word_boundary_near_the_length(text: str, expected: str) -> None:
    assert cut_at_word(text, 40) == expected


def test_a_teaser_never_exceeds_the_length_before_its_ellipsis() -> None:
    text = "word " * 30
    assert len(cut_at_word(text, 40).removesuffix(" ...")) <= 40


def test_an_excerpt_is_the_bodys_plain_text_cut_to_55_words() -> None:
    body = "<p>" + " ".join(f"w{i}" for i in range(80)) + "</p><script>x</script>"
    excerpt = plain_excerpt(body)
    assert excerpt.startswith("w0 w1")
    assert excerpt.endswith("w54 \u2026")
    assert "<" not in excerpt


def test_an_excerpt_decodes_entities_once() -> None:
    assert plain_excerpt("<p>Fish &amp; chips</p>") == "Fish & chips"


# Bodies and comments as editors and readers write them, hostile ones included: what the
# sanitisers make of each is what the short road reads.
WRITTEN = [
    "Hi <b>there</b> &amp; you &lt;3",
    "word " * 100,
    "<p>a</p><p>b &quot;c&quot;</p>",
    "Συμφωνώ απόλυτα 🙂 — أوافق",
    "if (a<b) { } x<y <3 &nbsp; &#39; a > b",
    "<a href=\"https://example.com/?q=a>b&amp;c='d'\" title=\"1 > 0 'q'\">link</a> after",
    "<img src=x onerror=alert(1)> <!-- a comment --> <![CDATA[ data ]]> tail",
    "<p>" + " ".join(f"w{i}" for i in range(54)) + " \u2026 more words after it</p>",
    "<blockquote><p>quoted</p></blockquote><ul><li>one</li><li>two</li></ul>",
    "<script>bad()</script><style>p{}</style>kept",
    '<h2>Heading</h2>\n\n<figure><img src="/m/a.jpg" alt=\'a "b" > c\'>'
    "<figcaption>Cap</figcaption></figure>",
    "",
    "   ",
    "&lt;b&gt;not a tag&lt;/b&gt; &amp;lt; twice",
]


# Wider than any app's allowlist: the apps' own tests run their sanitisers over WRITTEN.
EVERY_ATTRIBUTE = Allowlist(
    attributes={
        tag: frozenset({"href", "title", "src", "alt", "class"})
        for tag in (
            "a",
            "b",
            "p",
            "br",
            "img",
            "figure",
            "figcaption",
            "h2",
            "blockquote",
            "ul",
            "li",
        )
    }  # fmt: skip
)


@pytest.mark.parametrize("written", WRITTEN)
@pytest.mark.parametrize("words", [0, 1, 3, 40, 55])
def test_the_short_road_to_an_excerpt_reads_sanitised_markup_as_plain_excerpt_does(
    written: str, words: int
) -> None:
    html = clean(written, EVERY_ATTRIBUTE)
    assert sanitised_excerpt(html, words) == plain_excerpt(html, words), html


def test_the_short_road_keeps_a_quoted_attributes_closing_bracket_inside_its_tag() -> None:
    html = '<p><a href="https://example.com/" title="1 > 0">link</a> text</p>'
    assert sanitised_excerpt(html) == "link text"
