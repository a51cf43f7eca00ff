"""What an editor may put in a post or page body: the editors' allowlist, run on core's
sanitising machinery. Anything else is stripped (scripts and styles with their content), as
WordPress's kses does for authors without `unfiltered_html`."""

from __future__ import annotations

import re
from typing import Final

from stoa.core.conf import stoa_setting
from stoa.core.sanitizers import Allowlist, clean

_TAGS_WITHOUT_ATTRIBUTES = (
    "b", "br", "caption", "cite", "code", "dd", "dl", "dt", "em", "figcaption", "figure",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "p", "pre", "s", "small", "strong", "sub",
    "sup", "table", "tbody", "tfoot", "thead", "tr", "u", "ul",
)  # fmt: skip
POST_ATTRIBUTES: Final = {
    **{tag: frozenset[str]() for tag in _TAGS_WITHOUT_ATTRIBUTES},
    "a": frozenset({"href", "title"}),
    "abbr": frozenset({"title"}),
    "blockquote": frozenset({"cite"}),
    "del": frozenset({"datetime"}),
    "ins": frozenset({"datetime"}),
    "q": frozenset({"cite"}),
    "ol": frozenset({"start", "reversed"}),
    # srcset and sizes: a library picture's renditions (stoa.publishing.renditions).
    "img": frozenset({"src", "alt", "width", "height", "srcset", "sizes"}),
    "iframe": frozenset({"src", "title", "width", "height", "allow", "allowfullscreen"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
}
POST_TAGS: Final = frozenset(POST_ATTRIBUTES)
_EMPTY_IFRAME = re.compile(r"<iframe(?:(?!\ssrc=)[^>])*>\s*</iframe>")


def _is_embed_allowed(url: str) -> bool:
    """Whether a player URL starts with one of the allowlisted embed prefixes."""
    return any(url.startswith(prefix) for prefix in stoa_setting("EMBED_PREFIXES"))


# One srcset candidate: an address and a width ("/media/a-800.jpg 800w"). nh3 checks the
# scheme of src and href but not of the addresses in srcset, so they are checked here: a
# path on this site or an http(s) address, nothing else (no javascript:, data:, "//host").
_SRCSET_CANDIDATE = re.compile(r"(?:/(?!/)|https?://)[^\s,]+\s+[1-9][0-9]{0,4}w")
# sizes: media conditions and lengths, never an address or a quote.
_SIZES = re.compile(r"[\w\s().,:+\-*/%]+")


def _is_srcset_allowed(value: str) -> bool:
    candidates = [c.strip() for c in value.split(",")]
    return all(_SRCSET_CANDIDATE.fullmatch(c) for c in candidates) and len(candidates) <= 12


def _post_attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """Keep an iframe's src only when it points at an allowlisted video host, and an
    image's srcset only when each of its addresses is one a src could be."""
    if tag == "iframe" and attribute == "src" and not _is_embed_allowed(value):
        return None
    if tag == "img" and attribute == "srcset" and not _is_srcset_allowed(value):
        return None
    if tag == "img" and attribute == "sizes" and not _SIZES.fullmatch(value):
        return None
    return value


EDITORS: Final = Allowlist(
    attributes=POST_ATTRIBUTES,
    link_rel="noopener",
    attribute_filter=_post_attribute_filter,
    set_attributes={"img": {"loading": "lazy"}, "iframe": {"loading": "lazy"}},
)


def clean_post_body(html: str) -> str:
    """Sanitise an editor's HTML body against the editors' allowlist."""
    # An iframe whose host was refused has lost its src: drop the empty frame as well.
    return _EMPTY_IFRAME.sub("", clean(html, EDITORS)).strip()
