"""What a commenter may use: exactly WordPress's `$allowedtags` for comments, which the form
lists, run on core's sanitising machinery; typed paragraphs and bare URLs become markup.
What other apps add to a comment's markup (a cited moment in a clip) comes through
STOA["COMMENT_MARKUP"], after this."""

from __future__ import annotations

import re
from typing import Final

from stoa.core.sanitizers import Allowlist, clean, link_bare_urls, paragraphs
from stoa.core.text import cut_at_word, sanitised_excerpt

COMMENT_ATTRIBUTES: Final = {
    "a": frozenset({"href", "title"}),
    "abbr": frozenset({"title"}),
    "acronym": frozenset({"title"}),
    "b": frozenset[str](),
    "blockquote": frozenset({"cite"}),
    "cite": frozenset[str](),
    "code": frozenset[str](),
    "del": frozenset({"datetime"}),
    "em": frozenset[str](),
    "i": frozenset[str](),
    "q": frozenset({"cite"}),
    "strike": frozenset[str](),
    "strong": frozenset[str](),
}
ALLOWED_COMMENT_TAGS_TEXT: Final = (
    '<a href="" title=""> <abbr title=""> <acronym title=""> <b> <blockquote cite=""> <cite> '
    '<code> <del datetime=""> <em> <i> <q cite=""> <strike> <strong>'
)
_PARAGRAPH_TAGS = re.compile(r"<\s*(/?)\s*(p|br)\b[^>]*>", re.IGNORECASE)
# A "<" is markup only where it opens something shaped like a tag: a name, then a space, a
# slash or ">", and a ">" before any other "<" (or an HTML comment). Anything else is what
# the commenter typed: "if (a<b) { }", "x<y", "<3". Without this, an HTML parser reads
# "<b) { }" as the start of a tag and the rest of the comment vanishes with it.
_STRAY_LT = re.compile(r"<(?!/?[a-zA-Z][a-zA-Z0-9-]*(?:[\s/][^<>]*)?>|!--)")


def _comment_attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """A quotation's source must be a web address: nh3 checks only href and src schemes."""
    if attribute == "cite" and not value.strip().lower().startswith(("http://", "https://")):
        return None
    return value


COMMENTERS: Final = Allowlist(
    attributes=COMMENT_ATTRIBUTES,
    link_rel="nofollow ugc",
    attribute_filter=_comment_attribute_filter,
)


# Text in which the sanitiser would change nothing but paragraphs: no markup, no entity, no
# address to link, none of the characters the HTML parser drops or rewrites (NUL, a byte-order
# mark, a no-break space). Most comments are such text (an import brings 400,000): they skip
# the parser. tests/test_sanitizers.py checks the shortcut against the whole path.
_NEEDS_SANITISER = re.compile(r"[<>&\u00a0\x00\ufeff]|://|www\.", re.IGNORECASE)
_WWW = re.compile(r"[wW][wW][wW]\.")

# Markup the sanitiser would give back exactly as typed, token by token: an allowlisted tag
# with no attribute (not <a>, which gains a rel; not <blockquote>, which paragraphs() sets
# apart), a link whose address is a plain http(s) one (it gains only rel="nofollow ugc"), and
# the three entities nh3 writes back as they were. Any other "<" or "&", and the other
# tokens, send the text down the whole path: ">" (escaped), an address to link, the
# characters the parser rewrites; and a blank line (a paragraph's end) or a carriage return
# (checked for none it makes), while a tag is open. Every alternative starts with a literal
# character, so that the regex engine skips ahead to the next one of them (it does not for
# a character class or a group): a comment is mostly text between them.
_KEPT_TAGS = "abbr|acronym|b|cite|code|del|em|i|q|strike|strong"
_HOST = r"(?:[a-z0-9]+(?:-[a-z0-9]+)*\.)*[a-z][a-z0-9]*(?:-[a-z0-9]+)*"
_MARKUP_TOKEN = re.compile(
    rf"<(?:({_KEPT_TAGS})>|/({_KEPT_TAGS})>"
    rf'|a href="(https?://{_HOST}(?:[/?#][A-Za-z0-9._~/?#=%+-]*)?)">|/(a)>|)'
    r"|&(?:(lt|gt|amp);|)"
    r"|\n[ \t]*\n|\r"
    r"|>|\u00a0|\x00|\ufeff|://|w[wW][wW]\.|W[wW][wW]\."
)


def _needs_sanitiser(text: str) -> bool:
    """_NEEDS_SANITISER.search(text), in a fifth of its time (the pattern is tried at every
    character, each alternative case-insensitively)."""
    return (
        "<" in text
        or ">" in text
        or "&" in text
        or "\u00a0" in text
        or "\x00" in text
        or "\ufeff" in text
        or "://" in text
        or (("w." in text or "W." in text) and _WWW.search(text) is not None)
    )


def _kept_as_typed(text: str) -> bool:
    """Whether the sanitiser would change nothing in this text but add rel="nofollow ugc" to
    its links: every tag one of the kept ones, each closed in the paragraph that opened it
    and in order (so the HTML parser builds what was typed), links never inside links."""
    open_tags: list[str] = []
    for match in _MARKUP_TOKEN.finditer(text):
        tag, closing, href, link_end, entity = match.groups()
        if tag:
            open_tags.append(tag)
        elif closing or link_end:
            if not open_tags or open_tags.pop() != (closing or link_end):
                return False
        elif href:
            if "a" in open_tags:
                return False
            open_tags.append("a")
        elif entity:
            continue
        elif open_tags or match[0][0] not in "\r\n":
            return False
    return not open_tags


_LINK_OPEN = re.compile(r'(<a href="[^"]*")>')
_BLANK_LINES = re.compile(r"\n[ \t]*\n+")  # as stoa.core.sanitizers.paragraphs splits


def _paragraphs(text: str) -> str:
    """paragraphs(text), for text in which no quotation stands apart (no <blockquote>): the
    search for one is most of its time in a comment with any tag (tried at every space)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if "\n" not in text:
        return f"<p>{text}</p>" if text else ""
    blocks = (block.strip() for block in _BLANK_LINES.split(text))
    return "".join(
        f"<p>{block.replace(chr(10), '<br>' + chr(10))}</p>" for block in blocks if block
    )


def clean_comment(text: str) -> str:
    """Sanitise what a commenter typed into display HTML: allowlisted tags, linked URLs,
    paragraphs; every link rel="nofollow ugc". Tags outside the allowlist are stripped (their
    text kept); a "<" that opens no tag is text, shown as typed."""
    if not _needs_sanitiser(text):
        return _paragraphs(text)
    if _kept_as_typed(text):
        # What the whole path gives such text, without the HTML parser's two passes (nine
        # tenths of a comment with a word in italics' time): tests/test_sanitizers.py
        # compares the two.
        if "<a " in text:
            text = _LINK_OPEN.sub(r'\1 rel="nofollow ugc">', text)
        return _paragraphs(text)
    return _sanitised(text)


def _sanitised(text: str) -> str:
    """clean_comment's whole path, for any text."""
    # Paragraphs and breaks typed as HTML become the blank lines and newlines they mean,
    # rather than vanishing with the tags and gluing words together.
    text = _PARAGRAPH_TAGS.sub(lambda m: "\n" if m.group(2).lower() == "br" else "\n\n", text)
    text = _STRAY_LT.sub("&lt;", text)
    formatted = paragraphs(link_bare_urls(clean(text, COMMENTERS)))
    # A last pass over the finished markup: whatever the steps above produced, only the
    # allowlist (plus the paragraphs and breaks they add) reaches the page.
    return clean(formatted, COMMENTERS, extra_tags=frozenset({"p", "br"}))


def comment_excerpt(html: str) -> str:
    """A comment's line in the sidebar, feeds and emails, from its markup (clean_comment's,
    with what other apps add under the post): its first 40 words, cut at 150 characters.
    Here, beside the sanitiser and without Django's models, because the WordPress import's
    reading process draws it with the markup, ahead of the writer."""
    return cut_at_word(sanitised_excerpt(html, words=40), 150)
