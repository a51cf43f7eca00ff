"""What a commenter types, and the display HTML `clean_comment` makes of it."""

from __future__ import annotations

import html
import random
import re

import pytest

from stoa.discussion import sanitizers
from stoa.discussion.sanitizers import _NEEDS_SANITISER, clean_comment

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
    such text, exactly what the whole path gives; and it is taken exactly where the search
    it stands for finds nothing."""
    pieces = [*"abc XYZ'\"\n\r\t.,;:!?-()[]{}#*/\\=+%$@^`~|éΣ🙂wW", "\u200b", "\u2028", "\x0c",
              "\x0b", "\x01", "\x7f", "\U0001f600", "www", "http", ":/", "\r\n", "\n \n", "  ",
              "[12:34]", "I'm", chr(0x85), "w.", "W.", "wWw"]  # fmt: skip
    needing = ["://", "<", ">", "&", "\u00a0", "\x00", "\ufeff", "www.", "WwW."]
    rng = random.Random(11)  # noqa: S311 - test data, not secrets
    checked = 0
    for _ in range(8000):
        text = "".join(
            rng.choice(needing if rng.random() < 0.01 else pieces)
            for _ in range(rng.randint(0, 60))
        )
        assert sanitizers._needs_sanitiser(text) == bool(_NEEDS_SANITISER.search(text)), text
        if sanitizers._needs_sanitiser(text):
            continue
        checked += 1
        assert clean_comment(text) == sanitizers._sanitised(text), text
    assert checked > 3000


# Text that is no markup; what the whole path rewrites (entities, other tags, addresses,
# carriage returns and blank lines inside tags, the characters the parser rewrites).
_TEXT = [*"ab Zé Σ🙂'\".,;:!?-()[]#*/\\=+%$@^`~|\t\n", "\u200b", "\u2028", "\x0c", "\x0b",
         "\x01", "\x7f", chr(0x85), "\u05d0\u05d1", "&lt;", "&gt;", "&amp;", "www", "http", "w.",
         "\n\n", "\n \t\n", "\r", "\r\n", "  "]  # fmt: skip
_ROUGH = ["<", ">", "&", "&quot;", "&nbsp;", "&#60;", "&lt", "&AMP;", "\u00a0", "\x00",
          "\ufeff", "www.", "WwW.", "://", "http://x.example", "<br>", "<p>", "</p>", "<B>",
          "<em >", "<em/>", "<img src=x>", "<!-- c -->", "<blockquote>", "</blockquote>",
          "<a>", "</a>", '<a href="">', "<a href='https://x.example/'>", '<a title="t">',
          "<script>", "</em>", "<q cite=\"https://x.example/\">"]  # fmt: skip
_KEPT = ["abbr", "acronym", "b", "cite", "code", "del", "em", "i", "q", "strike", "strong"]
_HOSTS = (["x.example", "a", "a-b.c0", "localhost", "a1.b2.c3d"],
          ["Ab.example", "1.2.3", "999999999999", "xn--bcher-kva.example", "a--b.example",
           "a..b", "-a.b", "a.b-", "a.1", ""])  # fmt: skip
_PATHS = (["", "/", "/p/q", "/%41", "/%zz", "?a=b", "#f", "/a?b=c+d#e", "/~x_y.z", "/a-b/"],
          ["/&amp;", "/a b", ":8080/", "//x", "/'", "/é"])  # fmt: skip
_SCHEMES = (["http", "https"], ["HTTP", "ftp", "mailto", "javascript"])


def _link(rng: random.Random) -> str:
    """A link, its address now and then one the shortcut leaves to the whole path."""
    scheme, host, path = (
        rng.choice(kind[rng.random() < 0.04]) for kind in (_SCHEMES, _HOSTS, _PATHS)
    )
    return f'<a href="{scheme}://{host}{path}">'


def _markup(rng: random.Random, depth: int = 0) -> str:
    """Text with tags, mostly well nested, now and then something rougher."""
    parts = []
    for _ in range(rng.randint(0, 4)):
        roll = rng.random()
        if roll < (0.5 if depth else 0.25) or depth > 4:
            for _ in range(rng.randint(0, 6)):
                text = rng.choice(_TEXT)
                if depth and ("\r" in text or text.count("\n") > 1) and rng.random() < 0.97:
                    text = " "  # a paragraph's end inside a tag is tried, but less often
                parts.append(rng.choice(_ROUGH) if rng.random() < 0.006 else text)
        elif roll < 0.8:
            tag = rng.choice(_KEPT)
            close = tag if rng.random() < 0.99 else rng.choice(_KEPT)
            parts.append(f"<{tag}>{_markup(rng, depth + 1)}</{close}>")
        else:
            parts.append(f"{_link(rng)}{_markup(rng, depth + 1)}</a>")
    return "".join(parts)


def test_markup_the_sanitiser_would_keep_as_typed_skips_it_and_gives_what_it_gives() -> None:
    """Text whose only markup is kept tags without attributes (nested in order, closed in
    their paragraph), plain http(s) links, and &lt; &gt; &amp; skips the HTML parser: for any
    text at all, clean_comment gives exactly what the whole path gives."""
    rng = random.Random(12)  # noqa: S311 - test data, not secrets
    shortcut = whole = 0
    for n in range(12000):
        if n % 3:
            text = _markup(rng)
        else:  # anything: pieces of markup in any order
            pieces = [*_TEXT, *_ROUGH, *(f"<{t}>" for t in _KEPT), *(f"</{t}>" for t in _KEPT)]
            pieces += [_link(rng), "</a>"]
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        if sanitizers._needs_sanitiser(text) and sanitizers._kept_as_typed(text):
            shortcut += 1
        else:
            whole += 1
        assert clean_comment(text) == sanitizers._sanitised(text), text
    assert shortcut > 2000 and whole > 2000


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("a &lt; b &amp; b &gt; c", "<p>a &lt; b &amp; b &gt; c</p>"),
        ("<em></em>", "<p><em></em></p>"),
        ("<b><b><b><b>x</b></b></b></b>", "<p><b><b><b><b>x</b></b></b></b></p>"),
        ("<b>" * 2000 + "x" + "</b>" * 2000, "<p>" + "<b>" * 2000 + "x" + "</b>" * 2000 + "</p>"),
        (
            " <em> x\ny </em>\r\n\r\n<code>z</code> ",
            "<p><em> x<br>\ny </em></p><p><code>z</code></p>",
        ),
        (
            'See <a href="https://x.example/a?b=c#d"><em>this</em></a>.',
            '<p>See <a href="https://x.example/a?b=c#d" rel="nofollow ugc"><em>this</em></a>.</p>',
        ),
    ],
)
def test_markup_kept_as_typed_is_shown_as_typed(typed: str, shown: str) -> None:
    assert sanitizers._kept_as_typed(typed)
    assert clean_comment(typed) == shown == sanitizers._sanitised(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "<em>a\n\nb</em>",  # the emphasis is split in two paragraphs
        "<em>a\r\rb</em>",
        "<b><i>x</b></i>",  # misnested: the parser rebuilds it
        '<a href="https://x.example/"><a href="https://y.example/">x</a></a>',
        "<em>x",
        "x</em>",
        "a > b",
        "&quot;",
        "see www.example.org",
        "<em>see</em> Www.example.org",
        "x <b>y</b>\x00",
        "<b>\ufeffy</b>",
        "<i>\u00a0</i>",
        '<a href="https://x.example/">https://x.example/</a>',
        '<a href="https://1.2.3/">x</a>',
        "<blockquote>x</blockquote>",
    ],
)
def test_markup_the_sanitiser_rewrites_takes_the_whole_path(typed: str) -> None:
    assert not sanitizers._kept_as_typed(typed)
    assert clean_comment(typed) == sanitizers._sanitised(typed)
