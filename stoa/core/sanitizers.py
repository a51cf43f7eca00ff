"""HTML sanitising with nh3: clean on the way in, so templates can trust what is stored."""

import re
from collections.abc import Callable
from typing import Final

import nh3

from stoa.core.conf import stoa_setting

# What an editor may put in a post or page body. Anything else is stripped (scripts and styles
# with their content), as WordPress's kses does for authors without `unfiltered_html`.
POST_TAGS: Final = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt",
        "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "iframe", "img",
        "ins", "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
POST_ATTRIBUTES: Final = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "del": {"datetime"},
    "ins": {"datetime"},
    "q": {"cite"},
    "ol": {"start", "reversed"},
    "img": {"src", "alt", "width", "height"},
    "iframe": {"src", "title", "width", "height", "allow", "allowfullscreen"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_SCHEMES: Final = frozenset({"http", "https", "mailto"})
_EMPTY_IFRAME = re.compile(r"<iframe(?:(?!\ssrc=)[^>])*>\s*</iframe>")


def _is_embed_allowed(url: str) -> bool:
    """Whether a player URL starts with one of the allowlisted embed prefixes."""
    return any(url.startswith(prefix) for prefix in stoa_setting("EMBED_PREFIXES"))


def _post_attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """Keep an iframe's src only when it points at an allowlisted video host."""
    if tag == "iframe" and attribute == "src" and not _is_embed_allowed(value):
        return None
    return value


def clean_post_body(html: str) -> str:
    """Sanitise an editor's HTML body against the editors' allowlist."""
    cleaned = nh3.clean(
        html,
        tags=set(POST_TAGS),
        attributes={tag: set(attrs) for tag, attrs in POST_ATTRIBUTES.items()},
        attribute_filter=_post_attribute_filter,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener",
        set_tag_attribute_values={"img": {"loading": "lazy"}, "iframe": {"loading": "lazy"}},
    )
    # An iframe whose host was refused has lost its src: drop the empty frame as well.
    return _EMPTY_IFRAME.sub("", cleaned).strip()


# What a commenter may use: exactly WordPress's $allowedtags for comments, which the form lists.
COMMENT_ATTRIBUTES: Final = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "acronym": {"title"},
    "b": set(),
    "blockquote": {"cite"},
    "cite": set(),
    "code": set(),
    "del": {"datetime"},
    "em": set(),
    "i": set(),
    "q": {"cite"},
    "strike": set(),
    "strong": set(),
}
ALLOWED_COMMENT_TAGS_TEXT: Final = (
    '<a href="" title=""> <abbr title=""> <acronym title=""> <b> <blockquote cite=""> <cite> '
    '<code> <del datetime=""> <em> <i> <q cite=""> <strike> <strong>'
)
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
# In text that nh3 has escaped already, so "<", ">" and '"' arrive as entities, which end a URL.
_BARE_URL = re.compile(
    r"\b((?:https?://|www\.)(?:(?!&lt;|&gt;|&quot;|&#)[^\s<>\"'])+)", re.IGNORECASE
)
_TRAILING_PUNCTUATION = ".,;:!?]}'\""
_PARAGRAPH_TAGS = re.compile(r"<\s*(/?)\s*(p|br)\b[^>]*>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n[ \t]*\n+")
_QUOTE_TAG = re.compile(r"\s*(</?blockquote[^>]*>)\s*", re.IGNORECASE)


def _comment_attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """A quotation's source must be a web address: nh3 checks only href and src schemes."""
    if attribute == "cite" and not value.strip().lower().startswith(("http://", "https://")):
        return None
    return value


def _comment_clean(html: str, *, extra_tags: frozenset[str] = frozenset()) -> str:
    # "*": no attribute on every tag (nh3 otherwise allows title and lang everywhere).
    attributes: dict[str, set[str]] = {"*": set()} | {
        tag: set(attrs) for tag, attrs in COMMENT_ATTRIBUTES.items()
    }
    return nh3.clean(
        html,
        tags=set(COMMENT_ATTRIBUTES) | set(extra_tags),
        attributes=attributes,
        attribute_filter=_comment_attribute_filter,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc",
    )


def _sub_outside_links(html: str, pattern: re.Pattern[str], repl: Callable[..., str]) -> str:
    """pattern.sub(repl) on the text of this HTML, except inside links (a link in a link is
    not HTML) and tags."""
    parts, inside_link = [], 0
    for part in _TAG_OR_TEXT.split(html):
        if part.startswith("<"):
            lowered = part.lower()
            if lowered.startswith("<a ") or lowered == "<a>":
                inside_link += 1
            elif lowered.startswith("</a"):
                inside_link = max(0, inside_link - 1)
            parts.append(part)
        else:
            parts.append(part if inside_link else pattern.sub(repl, part))
    return "".join(parts)


def _link_bare_urls(html: str) -> str:
    """Turn URLs written as plain text into links, leaving existing links alone."""
    return _sub_outside_links(html, _BARE_URL, _url_to_link)


def _url_to_link(match: re.Match[str]) -> str:
    url = match.group(1)
    trailing = ""
    while url:
        if url.endswith("&amp;"):
            trailing, url = "&amp;" + trailing, url[:-5]
        elif url[-1] in _TRAILING_PUNCTUATION or (
            # A closing bracket belongs to the URL when it closes one opened inside it.
            url[-1] == ")" and url.count("(") < url.count(")")
        ):
            trailing, url = url[-1] + trailing, url[:-1]
        else:
            break
    href = url if "://" in url else f"http://{url}"
    return f'<a href="{href}">{url}</a>{trailing}'


def _paragraphs(html: str) -> str:
    """Blank lines make paragraphs and single newlines line breaks, as WordPress's wpautop."""
    text = html.replace("\r\n", "\n").replace("\r", "\n").strip()
    # A quotation is a block of its own, holding paragraphs, never inside one.
    text = _QUOTE_TAG.sub(lambda m: f"\n\n{m.group(1)}\n\n", text)
    blocks = [block.strip() for block in _BLANK_LINES.split(text) if block.strip()]
    return "".join(
        block
        if _QUOTE_TAG.fullmatch(block)
        else f"<p>{block.replace(chr(10), '<br>' + chr(10))}</p>"
        for block in blocks
    )


# A moment in a clip, as commenters cite it: [12:34] or [1:02:03].
_TIMECODE = re.compile(r"\[(?:(\d{1,2}):)?([0-5]?\d):([0-5]\d)\]")


def _timecode_link(match: re.Match[str]) -> str:
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    at = hours * 3600 + minutes * 60 + seconds
    label = match.group(0)[1:-1]
    # A plain link to the media fragment (#t=, W3C Media Fragments URI 1.0) works without
    # JavaScript; the player's script makes it seek the clip on the page.
    return f'<a class="timecode" href="#t={at}" data-t="{at}">{label}</a>'


def link_timecodes(html: str) -> str:
    """Turn [mm:ss] and [h:mm:ss] in display HTML's text into links that seek the clip."""
    return _sub_outside_links(html, _TIMECODE, _timecode_link)


def clean_comment(text: str, *, timecodes: bool = False) -> str:
    """Sanitise what a commenter typed into display HTML: allowlisted tags, linked URLs,
    paragraphs; every link rel="nofollow ugc". Anything else is stripped, not escaped.
    With `timecodes` (the post plays a clip), [12:34] becomes a link that seeks it."""
    # Paragraphs and breaks typed as HTML become the blank lines and newlines they mean,
    # rather than vanishing with the tags and gluing words together.
    text = _PARAGRAPH_TAGS.sub(lambda m: "\n" if m.group(2).lower() == "br" else "\n\n", text)
    cleaned = _comment_clean(text)
    formatted = _paragraphs(_link_bare_urls(cleaned))
    # A last pass over the finished markup: whatever the steps above produced, only the
    # allowlist (plus the paragraphs and breaks they add) reaches the page.
    cleaned = _comment_clean(formatted, extra_tags=frozenset({"p", "br"}))
    # After the last pass, which would strip the links' class and data attribute: what is
    # added here is built from digits alone.
    return link_timecodes(cleaned) if timecodes else cleaned
