"""Related reading under each article (STOA["POST_FOOTER"]): the articles most like this
one, by the backend settings.STOA_SEARCH["RELATED"] names (stoa.search.related: shared
distinctive words by default, or closest meaning), from what every reader may see of them,
so the list is the same for everyone and is drawn once per content version
(stoa.core.templating.kept).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from stoa.core.templating import kept
from stoa.publishing.models import Post
from stoa.search.related import STOP_WORDS, distinctive_words, related_backend

__all__ = ["RELATED", "STOP_WORDS", "distinctive_words", "related_posts", "related_reading"]

RELATED = 4


def related_posts(post: Post) -> list[tuple[str, str]]:
    """(title, address) of the articles most like this one, kept per content version (and
    per mode: a list the other mode made is never served)."""
    chosen = related_backend()

    def build() -> list[tuple[str, str]]:
        return chosen.related(post, limit=RELATED)

    return kept(f"search-related-{chosen.name}-{post.pk}", build) or []


def related_reading(request: HttpRequest, post: Post, state: Mapping[str, Any]) -> str:
    items = related_posts(post)
    if not items:
        return ""
    return render_to_string("search/related.html", {"items": items})
