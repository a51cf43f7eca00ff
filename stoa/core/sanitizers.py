"""The sanitising machinery the apps' allowlists run on: nh3 with an allowlist, links made
of bare URLs, paragraphs from blank lines, substitutions in text outside links. What may be
kept is each app's own rule (publishing's editors' allowlist, the discussion's commenters')."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import nh3

AttributeFilter = Callable[[str, str, str], "str | None"]


@dataclass(frozen=True)
class Allowlist:
    """What survives sanitising: these tags with these attributes (no attribute anywhere
    else: nh3 otherwise allows `title` and `lang` on every tag), links with these schemes
    and this `rel`, and a filter that may drop an attribute by its value."""

    attributes: Mapping[str, frozenset[str]]
    url_schemes: frozenset[str] = frozenset({"http", "https", "mailto"})
    link_rel: str | None = "noopener"
    attribute_filter: AttributeFilter | None = None
    set_attributes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def tags(self) -> frozenset[str]:
        return frozenset(self.attributes)


def clean(html: str, allowlist: Allowlist, *, extra_tags: frozenset[str] = frozenset()) -> str:
    """Sanitise HTML against an allowlist (plus `extra_tags`, with no attributes): anything
    else is stripped, scripts and styles with their content."""
    attributes: dict[str, set[str]] = {"*": set()} | {
        tag: set(attrs) for tag, attrs in allowlist.attributes.items()
    }
    return nh3.clean(
        html,
        tags=set(allowlist.tags | extra_tags),
        attributes=attributes,
        attribute_filter=allowlist.attribute_filter,
        url_schemes=set(allowlist.url_schemes),
        link_rel=allowlist.link_rel,
        set_tag_attribute_values={tag: dict(v) for tag, v in allowlist.set_attributes.items()},
    )


_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
# In text that nh3 has escaped already, so "<", ">" and '"' arrive as entities, which end a URL.
_BARE_URL = re.compile(
    r"\b((?:https?://|www\.)(?:(?!&lt;|&gt;|&quot;|&#)[^\s<>\"'])+)", re.IGNORECASE
)
_TRAILING_PUNCTUATION = ".,;:!?]}'\""
_BLANK_LINES = re.compile(r"\n[ \t]*\n+")
_QUOTE_TAG = re.compile(r"\s*(</?blockquote[^>]*>)\s*", re.IGNORECASE)


def sub_outside_links(html: str, pattern: re.Pattern[str], repl: Callable[..., str]) -> str:
    """pattern.sub(repl) on the text of this sanitised HTML, except inside links (a link in
    a link is not HTML) and tags."""
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


def link_bare_urls(html: str) -> str:
    """Turn URLs written as plain text into links, leaving existing links alone."""
    return sub_outside_links(html, _BARE_URL, _url_to_link)


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


def paragraphs(html: str) -> str:
    """Blank lines make paragraphs and single newlines line breaks, as WordPress's wpautop;
    a quotation is a block of its own, holding paragraphs, never inside one."""
    text = html.replace("\r\n", "\n").replace("\r", "\n").strip()
    if "<" in text:
        # The pattern's leading \s* is tried at every space of a plain comment (most of them).
        text = _QUOTE_TAG.sub(lambda m: f"\n\n{m.group(1)}\n\n", text)
    blocks = [block.strip() for block in _BLANK_LINES.split(text) if block.strip()]
    return "".join(
        block
        if _QUOTE_TAG.fullmatch(block)
        else f"<p>{block.replace(chr(10), '<br>' + chr(10))}</p>"
        for block in blocks
    )
