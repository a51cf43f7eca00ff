"""What webcasts add to a comment's markup (STOA["COMMENT_MARKUP"]): under a post that
plays a clip, a moment cited as [12:34] or [1:02:03] becomes a link that seeks the clip."""

from __future__ import annotations

import re

from stoa.core.sanitizers import sub_outside_links
from stoa.publishing.models import Post
from stoa.webcasts import cached

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
    return sub_outside_links(html, _TIMECODE, _timecode_link)


def link_cited_moments(post: Post, html: str) -> str:
    """A comment's sanitised markup, with its cited moments linked if the post plays a clip.
    Runs after the sanitiser's last pass, which would strip the links' class and data
    attribute: what it adds is built from digits alone."""
    # Most comments cite no moment: they cost no look-up of the clip (an import writes
    # hundreds of thousands). The post's clip is kept per content version (webcasts.cached).
    if not _TIMECODE.search(html):
        return html
    return link_timecodes(html) if cached.post_clip(post) is not None else html
