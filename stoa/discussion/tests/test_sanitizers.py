"""What a commenter types, and the display HTML `clean_comment` makes of it."""

from __future__ import annotations

import html
import random
import re

import pytest

from stoa.core.sanitizers import clean, link_bare_urls, paragraphs
from stoa.discussion import sanitizers
from stoa.discussion.sanitizers import _NEEDS_SANITISER, COMMENTERS, clean_comment

TAG = re.compile(r"<[^>]+>")


def visible_text(markup: str) -> str:
    """What a reader sees of some HTML: its text, entities decoded."""
    return html.unescape(TAG.sub("", markup))


def links(markup: str) -> list[str]:
    return re.findall(r"<a\b[^>]*>", markup)


# --- what is kept ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "markup",
    [
        '<a href="https://example.org/" title="A title" rel="nofollow ugc">link</a>',
        '<abbr title="HyperText Markup Language">HTML</abbr>',
        '<acronym title="Self-contained underwater breathing apparatus">SCUBA</acronym>',
        "<b>bold</b>",
        "<cite>A Book</cite>",
        "<code>x = 1</code>",
        '<del datetime="2024-01-01T10:00:00Z">old</del>',
        "<em>emphasis</em>",
        "<i>italic</i>",
        '<q cite="https://example.org/source">a quote</q>',
        "<strike>struck</strike>",
        "<strong>strong</strong>",
    ],
)
def test_each_allowed_inline_tag_is_kept_with_its_allowed_attributes(markup: str) -> None:
    assert clean_comment(markup) == f"<p>{markup}</p>"


def test_a_blockquote_with_its_cite_is_kept_as_a_block_holding_a_paragraph() -> None:
    cleaned = clean_comment('<blockquote cite="https://example.org/">Quoted words</blockquote>')
    assert cleaned == '<blockquote cite="https://example.org/"><p>Quoted words</p></blockquote>'


def test_attributes_outside_the_allowlist_are_dropped_from_allowed_tags() -> None:
    cleaned = clean_comment(
        '<a href="https://example.org/" class="x" id="y" target="_blank" data-x="1" '
        'style="color:red" onclick="alert(1)">link</a> <em class="loud" onmouseover="x()">e</em>'
    )
    assert cleaned == (
        '<p><a href="https://example.org/" rel="nofollow ugc">link</a> <em>e</em></p>'
    )


@pytest.mark.parametrize("tag", ["b", "cite", "code", "em", "i", "strike", "strong"])
def test_tags_allowed_without_attributes_keep_none(tag: str) -> None:
    cleaned = clean_comment(f'<{tag} title="tip" lang="fr" dir="rtl">x</{tag}>')
    assert cleaned == f"<p><{tag}>x</{tag}></p>"


# --- what is stripped, not escaped -------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("<div>hi</div>", "<p>hi</p>"),
        ("<span class='x'>hi</span> there", "<p>hi there</p>"),
        ("<h1>Big</h1>", "<p>Big</p>"),
        ("<marquee>moving</marquee>", "<p>moving</p>"),
        ("<u>under</u> <font color=red>red</font>", "<p>under red</p>"),
        ("<xss onpointerenter=alert(1)>hover</xss>", "<p>hover</p>"),
    ],
)
def test_tags_outside_the_allowlist_are_stripped_and_their_text_kept(
    typed: str, shown: str
) -> None:
    assert clean_comment(typed) == shown


@pytest.mark.parametrize(
    "typed",
    [
        "<script>x</script>",
        "<style>p { color: red }</style>",
        '<iframe src="https://example.org/"></iframe>',
        '<object data="x.swf"></object>',
        '<img src="x.png" alt="picture">',
        "<!-- a comment -->",
    ],
)
def test_scripts_styles_and_embeds_vanish_without_a_trace(typed: str) -> None:
    assert clean_comment(typed) == ""


def test_an_unfinished_tag_is_not_shown_as_escaped_markup() -> None:
    cleaned = clean_comment("Hello <div class='x'>world</div> and <span>more")
    assert cleaned == "<p>Hello world and more</p>"
    assert "&lt;" not in cleaned


def test_style_and_event_handler_attributes_are_removed() -> None:
    cleaned = clean_comment(
        '<b style="color:red" onclick="alert(1)">b</b> <q cite="https://example.org/" '
        'onmouseover="alert(2)" style="x">q</q>'
    )
    assert cleaned == '<p><b>b</b> <q cite="https://example.org/">q</q></p>'


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
        "java&#x09;script:alert(1)",
        "javascript&colon;alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
    ],
)
def test_a_link_to_a_script_or_data_url_loses_its_href(href: str) -> None:
    cleaned = clean_comment(f'<a href="{href}">click</a>')
    assert cleaned == '<p><a rel="nofollow ugc">click</a></p>'


@pytest.mark.parametrize(
    "markup",
    [
        '<q cite="javascript:alert(1)">q</q>',
        '<blockquote cite="javascript:alert(1)">q</blockquote>',
        '<blockquote cite="data:text/html,hi">q</blockquote>',
    ],
)
def test_a_quotation_cite_holding_a_script_or_data_url_is_removed(markup: str) -> None:
    cleaned = clean_comment(markup).lower()
    assert "javascript:" not in cleaned
    assert "data:" not in cleaned


def test_mail_and_web_links_keep_their_href() -> None:
    cleaned = clean_comment(
        '<a href="mailto:ed@example.org">mail</a> <a href="http://example.org/">web</a>'
    )
    assert 'href="mailto:ed@example.org"' in cleaned
    assert 'href="http://example.org/"' in cleaned


# --- bare URLs become links --------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (
            "see http://example.org/a",
            '<p>see <a href="http://example.org/a" rel="nofollow ugc">http://example.org/a</a></p>',
        ),
        (
            "see https://example.org/a?b=1&c=2",
            '<p>see <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc">'
            "https://example.org/a?b=1&amp;c=2</a></p>",
        ),
        (
            "see www.example.org/page",
            '<p>see <a href="http://www.example.org/page" rel="nofollow ugc">'
            "www.example.org/page</a></p>",
        ),
        (
            "HTTPS://EXAMPLE.ORG/UP",
            '<p><a href="HTTPS://EXAMPLE.ORG/UP" rel="nofollow ugc">HTTPS://EXAMPLE.ORG/UP</a></p>',
        ),
    ],
)
def test_a_bare_url_becomes_a_link(typed: str, shown: str) -> None:
    assert clean_comment(typed) == shown


@pytest.mark.parametrize(
    ("typed", "url", "after"),
    [
        ("Read http://example.org/a.", "http://example.org/a", "."),
        ("Read http://example.org/a, then", "http://example.org/a", ", then"),
        ("(see https://example.org/a)", "https://example.org/a", ")"),
        ("Really? www.example.org!", "www.example.org", "!"),
        ("At http://example.org/a; and", "http://example.org/a", "; and"),
        ('"http://example.org/q"', "http://example.org/q", '"'),
        ("Is it http://example.org/a?!", "http://example.org/a", "?!"),
    ],
)
def test_trailing_punctuation_stays_outside_the_link(typed: str, url: str, after: str) -> None:
    cleaned = clean_comment(typed)
    assert f">{url}</a>" in cleaned
    assert visible_text(cleaned).endswith(url + after)


def test_a_closing_parenthesis_that_belongs_to_the_url_stays_in_the_link() -> None:
    cleaned = clean_comment("See https://en.wikipedia.org/wiki/Stoa_(architecture) for more.")
    assert 'href="https://en.wikipedia.org/wiki/Stoa_(architecture)"' in cleaned
    assert visible_text(cleaned) == (
        "See https://en.wikipedia.org/wiki/Stoa_(architecture) for more."
    )


@pytest.mark.parametrize(
    "typed",
    [
        "Search http://example.org/?q=a&",
        "Arrow http://example.org/a>",
        "Quote http://example.org/a<",
    ],
)
def test_a_url_ending_in_an_escaped_character_shows_no_stray_semicolon(typed: str) -> None:
    assert visible_text(clean_comment(typed)) == typed


def test_an_existing_link_is_not_linked_again() -> None:
    typed = (
        '<a href="http://example.org/">http://example.org/</a> and '
        '<a href="http://example.net/"><b>www.example.net</b></a>'
    )
    assert clean_comment(typed) == (
        '<p><a href="http://example.org/" rel="nofollow ugc">http://example.org/</a> and '
        '<a href="http://example.net/" rel="nofollow ugc"><b>www.example.net</b></a></p>'
    )


def test_a_url_in_an_attribute_is_not_turned_into_a_link() -> None:
    cleaned = clean_comment('<abbr title="http://example.org/">EX</abbr>')
    assert cleaned == '<p><abbr title="http://example.org/">EX</abbr></p>'


def test_every_link_is_nofollow_ugc_whatever_rel_it_came_with() -> None:
    cleaned = clean_comment(
        '<a href="http://a.example/" rel="opener">a</a> http://b.example/ www.c.example '
        '<a href="https://d.example/" rel="noopener noreferrer">d</a>'
    )
    found = links(cleaned)
    assert len(found) == 4
    assert all(re.search(r'\brel="nofollow ugc"', link) for link in found)
    assert "opener" not in cleaned
    assert "noreferrer" not in cleaned


# --- paragraphs and quotations -----------------------------------------------------------


def test_blank_lines_make_paragraphs_and_single_newlines_line_breaks() -> None:
    assert clean_comment("one\n\ntwo\nthree") == "<p>one</p><p>two<br>\nthree</p>"


@pytest.mark.parametrize("typed", ["one\r\n\r\ntwo", "one\n  \t\ntwo", "one\n\n\n\n\ntwo"])
def test_any_run_of_blank_lines_makes_one_paragraph_break(typed: str) -> None:
    assert clean_comment(typed) == "<p>one</p><p>two</p>"


def test_surrounding_whitespace_makes_no_empty_paragraphs() -> None:
    assert clean_comment("\n\n   hello   \n\n") == "<p>hello</p>"


@pytest.mark.parametrize(
    "typed",
    [
        "before <blockquote>quoted</blockquote> after",
        "before\n<blockquote>quoted\n\nmore</blockquote>\nafter",
        "<b>before<blockquote>quoted</blockquote>after</b>",
        "<blockquote><blockquote>deep</blockquote>reply</blockquote>",
        "<em>one\n\n<blockquote>two</blockquote></em>",
    ],
)
def test_a_blockquote_is_never_inside_a_paragraph(typed: str) -> None:
    cleaned = clean_comment(typed)
    assert "<blockquote" in cleaned
    depth = 0
    for tag in re.findall(r"</?(?:p|blockquote)\b", cleaned):
        if tag == "<p":
            depth += 1
        elif tag == "</p":
            depth -= 1
        else:
            assert depth == 0, cleaned


def test_text_around_a_quotation_gets_its_own_paragraphs() -> None:
    cleaned = clean_comment(
        'before\n<blockquote cite="http://x.example/">quoted</blockquote>\nafter'
    )
    assert cleaned == (
        '<p>before</p><blockquote cite="http://x.example/"><p>quoted</p></blockquote><p>after</p>'
    )


# --- text that looks like markup --------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("a < b & c", "<p>a &lt; b &amp; c</p>"),
        ("2 < 3 and 5 > 4", "<p>2 &lt; 3 and 5 &gt; 4</p>"),
        ("AT&T", "<p>AT&amp;T</p>"),
        ("I <3 this", "<p>I &lt;3 this</p>"),
        ("&lt;script&gt; is a tag", "<p>&lt;script&gt; is a tag</p>"),
    ],
)
def test_less_than_and_ampersands_are_escaped_properly(typed: str, shown: str) -> None:
    assert clean_comment(typed) == shown


# --- hostile input -----------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    '<a href="http://ok.example/" title=""><img src=x onerror=alert(1)>">x</a>',
    '<a href="http://ok.example/"\nonclick="alert(1)">x</a>',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>click</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<math><a href="javascript:alert(1)">m</a></math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<select><template><style><!--</style><a rel="--></style><img src=x onerror=alert(1)>">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<textarea><script>alert(1)</script></textarea>",
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<video><source onerror=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>@import 'javascript:alert(1)';</style>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:/">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    "<![CDATA[<script>alert(1)</script>]]>",
    "<!--><script>alert(1)</script>-->",
    "<b><i>unclosed <a href='javascript:alert(1)'>x",
    'http://example.org/?q="><script>alert(1)</script>',
    'www.example.org/"onmouseover="alert(1)',
]
FORBIDDEN_ANYWHERE = (
    "<script",
    "<svg",
    "<math",
    "<iframe",
    "<object",
    "<embed",
    "<form",
    "<input",
    "<img",
    "<style",
    "<meta",
    "<base",
    "<link",
    "<textarea",
    "<noscript",
    "<details",
    "<video",
    "<button",
    "javascript:",
    "vbscript:",
    "data:",
)
# Inside a tag: a commenter may *write* "onload=" as words, but no tag may carry one.
FORBIDDEN_IN_TAGS = re.compile(r"\s(?:on\w+|style|srcdoc|xlink:href|formaction)\s*=")
ALLOWED_OUTPUT_TAGS = {
    "a", "abbr", "acronym", "b", "blockquote", "br", "cite", "code", "del", "em", "i", "p", "q",
    "strike", "strong",
}  # fmt: skip


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_markup_leaves_nothing_that_runs(hostile: str) -> None:
    cleaned = clean_comment(f"Safe words.\n\n{hostile}").lower()
    for needle in FORBIDDEN_ANYWHERE:
        assert needle not in cleaned, cleaned
    for tag in TAG.findall(cleaned):
        assert not FORBIDDEN_IN_TAGS.search(tag), cleaned
    assert cleaned.startswith("<p>safe words.</p>")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_markup_leaves_only_allowlisted_tags(hostile: str) -> None:
    names = {name.lower() for name in re.findall(r"</?([a-zA-Z][\w:-]*)", clean_comment(hostile))}
    assert names <= ALLOWED_OUTPUT_TAGS


# --- What people type with "<" in it (issue 10, item 14) --------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("if (a<b) { }", "<p>if (a&lt;b) { }</p>"),
        ("x<y", "<p>x&lt;y</p>"),
        ("I <3 this", "<p>I &lt;3 this</p>"),
        ("1 < 2 and 3 > 2", "<p>1 &lt; 2 and 3 &gt; 2</p>"),
        ("a<b\nand more after it", "<p>a&lt;b<br>\nand more after it</p>"),
        ("<<b>bold</b>", "<p>&lt;<b>bold</b></p>"),
        ("f(x) = x<sup>2</sup> for x<0", "<p>f(x) = x2 for x&lt;0</p>"),
        ("a <b>bold</b> move", "<p>a <b>bold</b> move</p>"),
        ("use <code>a<b</code>", "<p>use <code>a&lt;b</code></p>"),
    ],
)
def test_a_less_than_that_opens_no_tag_is_shown_as_typed(typed: str, shown: str) -> None:
    assert clean_comment(typed) == shown


@pytest.mark.parametrize(
    "hostile",
    [
        "<scr<script>ipt>alert(1)</script>",
        "x<y <img src=x onerror=alert(1)>",
        "a<b <script>alert(1)</script>",
        "<a href='javascript:alert(1)'>x<y</a>",
        "<<img src=x onerror=alert(1)>>",
    ],
)
def test_text_kept_around_a_less_than_never_lets_anything_run(hostile: str) -> None:
    cleaned = clean_comment(hostile)
    assert "<script" not in cleaned and "onerror" not in cleaned.replace("&lt;", "")
    assert "javascript:" not in cleaned and "<img" not in cleaned


def test_plain_text_takes_a_shortcut_that_gives_what_the_sanitiser_gives() -> None:
    """The shortcut for text the sanitiser would only break into paragraphs gives, for any
    such text, exactly what the whole path gives."""

    def whole(text: str) -> str:
        text = sanitizers._PARAGRAPH_TAGS.sub(
            lambda m: "\n" if m.group(2).lower() == "br" else "\n\n", text
        )
        text = sanitizers._STRAY_LT.sub("&lt;", text)
        formatted = paragraphs(link_bare_urls(clean(text, COMMENTERS)))
        return clean(formatted, COMMENTERS, extra_tags=frozenset({"p", "br"}))

    pieces = [*"abc XYZ'\"\n\r\t.,;:!?-()[]{}#*/\\=+%$@^`~|éΣ🙂", "\u200b", "\u2028", "\x0c",
              "\x0b", "\x01", "\x7f", "\U0001f600", "www", "http", ":/", "\r\n", "\n \n", "  ",
              "[12:34]", "I'm", chr(0x85)]  # fmt: skip
    rng = random.Random(11)  # noqa: S311 - test data, not secrets
    checked = 0
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        if _NEEDS_SANITISER.search(text):
            continue
        checked += 1
        assert sanitizers.clean_comment(text) == whole(text), text
    assert checked > 3000
