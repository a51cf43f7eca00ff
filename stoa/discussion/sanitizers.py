"""What a commenter may use: exactly WordPress's `$allowedtags` for comments, which the form
lists, run on core's sanitising machinery; typed paragraphs and bare URLs become markup.
What other apps add to a comment's markup (a cited moment in a clip) comes through
STOA["COMMENT_MARKUP"], after this."""

from __future__ import annotations

import re
from typing import Final

from stoa.core.sanitizers import Allowlist, clean, link_bare_urls, paragraphs

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


def clean_comment(text: str) -> str:
    """Sanitise what a commenter typed into display HTML: allowlisted tags, linked URLs,
    paragraphs; every link rel="nofollow ugc". Tags outside the allowlist are stripped (their
    text kept); a "<" that opens no tag is text, shown as typed."""
    if not _NEEDS_SANITISER.search(text):
        return paragraphs(text)
    # Paragraphs and breaks typed as HTML become the blank lines and newlines they mean,
    # rather than vanishing with the tags and gluing words together.
    text = _PARAGRAPH_TAGS.sub(lambda m: "\n" if m.group(2).lower() == "br" else "\n\n", text)
    text = _STRAY_LT.sub("&lt;", text)
    formatted = paragraphs(link_bare_urls(clean(text, COMMENTERS)))
    # A last pass over the finished markup: whatever the steps above produced, only the
    # allowlist (plus the paragraphs and breaks they add) reaches the page.
    return clean(formatted, COMMENTERS, extra_tags=frozenset({"p", "br"}))
