"""Related reading under each article (STOA["POST_FOOTER"]): the articles that share most
of this one's distinctive words, ranked by the index itself (BM25 on SQLite, cover density
on PostgreSQL) over what every reader may see of them, so the list is the same for everyone
and is drawn once per content version (stoa.core.templating.kept).

An article's distinctive words: those of its title, dek, tags and categories, and the words
its body uses most, leaving out English stop words; the index's ranking then weighs rare
words above common ones (inverse document frequency), which is what makes two articles
about "grief" and "anniversaries" closer than two that both say "therapy".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from stoa.core.templating import kept
from stoa.publishing.models import Post
from stoa.search.backends import backend
from stoa.search.query import WORD, fold
from stoa.search.sources import plain

RELATED = 4
TITLE_WORDS, BODY_WORDS = 10, 8
STOP_WORDS = frozenset(
    [
        "about",
        "above",
        "after",
        "again",
        "against",
        "also",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "could",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "every",
        "from",
        "further",
        "have",
        "having",
        "here",
        "into",
        "itself",
        "just",
        "more",
        "most",
        "much",
        "must",
        "never",
        "only",
        "other",
        "ought",
        "ourselves",
        "over",
        "same",
        "should",
        "some",
        "such",
        "than",
        "that",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "under",
        "until",
        "very",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "with",
        "would",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "will",
        "shall",
        "might",
        "many",
        "like",
        "make",
        "made",
        "whom",
        "whose",
        "the",
        "and",
        "for",
        "are",
        "but",
        "not",
        "you",
        "all",
        "any",
        "can",
        "her",
        "was",
        "one",
        "our",
        "out",
        "his",
        "how",
        "its",
        "who",
        "may",
        "new",
        "now",
        "see",
        "way",
        "use",
        "two",
        "get",
        "has",
        "had",
        "him",
    ]
)


def distinctive_words(post: Post) -> list[str]:
    """The words that say what this article is about (see the module's docstring)."""

    def usable(text: str) -> list[str]:
        return [
            word
            for word in WORD.findall(fold(text))
            if len(word) >= 4 and word not in STOP_WORDS and not word.isdigit()
        ]

    # The post page's post comes with its tags and categories as lists (for_listing).
    tags = getattr(post, "tag_list", None)
    categories = getattr(post, "category_list", None)
    names = " ".join(
        [
            *(tag.name for tag in (post.tags.all() if tags is None else tags)),
            *(c.name for c in (post.categories.all() if categories is None else categories)),
        ]
    )
    chosen = list(dict.fromkeys(usable(f"{post.title} {post.dek} {names}")))[:TITLE_WORDS]
    counted = Counter(word for word in usable(plain(post.body)) if len(word) >= 5)
    for word, _ in counted.most_common(BODY_WORDS * 2):
        if word not in chosen:
            chosen.append(word)
        if len(chosen) >= TITLE_WORDS + BODY_WORDS:
            break
    return chosen


def related_posts(post: Post) -> list[tuple[str, str]]:
    """(title, address) of the articles most like this one, kept per content version."""

    def build() -> list[tuple[str, str]]:
        hits = backend().similar(distinctive_words(post), exclude_id=post.pk, limit=RELATED)
        return [(hit.title, hit.url) for hit in hits]

    return kept(f"search-related-{post.pk}", build) or []


def related_reading(request: HttpRequest, post: Post, state: Mapping[str, Any]) -> str:
    items = related_posts(post)
    if not items:
        return ""
    return render_to_string("search/related.html", {"items": items})
