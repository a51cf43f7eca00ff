"""HTML sanitising with nh3: clean on the way in, so templates can trust what is stored."""

import re
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
