"""Shortening text for teasers, excerpts and descriptions."""

from html import unescape

from django.utils.html import strip_tags
from django.utils.text import Truncator

ELLIPSIS = " ..."


def cut_at_word(text: str, length: int, ellipsis: str = ELLIPSIS) -> str:
    """Cut text at the last word boundary before `length` characters and add an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[: length + 1]
    space = cut.rfind(" ")
    # One long word: cut inside it rather than return nothing.
    cut = cut[:space] if space > 0 else text[:length]
    return cut.rstrip(" ,;:.-\u2013\u2014") + ellipsis


def plain_excerpt(html: str, words: int = 55) -> str:
    """Plain text of an HTML body cut to `words` words, as WordPress derives an excerpt."""
    text = " ".join(unescape(strip_tags(html)).split())
    return Truncator(text).words(words, truncate=" \u2026")
