"""The search index's own rows: one Document per thing readers can find, and the words the
index holds (for "did you mean").

A Document is what search answers from, alone: its title, what everyone may read of it, its
byline, its body, the link and the dates, so a page of results is one query whatever it
lists. The backend (stoa.search.backends) keeps its full-text structures beside this table:
an external-content FTS5 table on SQLite, stored tsvector columns on PostgreSQL.

What is in the index, and who finds what, is decided when a row is written
(stoa.search.sources): a members-only body goes in `members_body`, which only members'
searches read; everything else anyone may read.
"""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    POST = "post", "Article"
    PAGE = "page", "Page"
    SERIES = "series", "Series"
    SESSION = "session", "Session"
    COMMENT = "comment", "Comment"


class Group(models.TextChoices):
    """How results are grouped on the page: what readers look for, not our models."""

    ARTICLES = "articles", "Articles"
    SERIES = "series", "Series"
    DISCUSSION = "discussion", "Discussion"


GROUP_KINDS: dict[str, tuple[str, ...]] = {
    Group.ARTICLES: (Kind.POST, Kind.PAGE),
    Group.SERIES: (Kind.SERIES, Kind.SESSION),
    Group.DISCUSSION: (Kind.COMMENT,),
}


class Document(models.Model):
    """One findable thing, as search shows it."""

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    title = models.TextField()
    # What every reader may be shown: a post's dek and teaser (never a members-only body).
    excerpt = models.TextField(blank=True)
    # Names: the authors, the commenter, the presenters; a post's categories and tags.
    byline = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # The body of what only members may read in full; only members' searches look at it.
    members_body = models.TextField(blank=True)
    members_only = models.BooleanField(default=False)
    # The post this is or is under (articles and comments): filters by category, tag and
    # author go through the post's own many-to-many tables.
    post_id = models.BigIntegerField(null=True, blank=True)
    url = models.CharField(max_length=1000)
    date = models.DateTimeField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    # Found only from this moment (a scheduled post, and the comments under it).
    live_at = models.DateTimeField(null=True, blank=True)
    # The source row's updated_at when indexed: a bulk write that sent no signal is found by
    # comparing it (services.catch_up).
    source_updated = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_one_document")
        ]
        indexes = [
            models.Index(fields=["post_id"], name="search_document_post"),
            models.Index(fields=["kind", "date"], name="search_document_date"),
            # A kind's documents added last (a search's window, backends' search): read
            # backwards by kind, not through every other kind's newer documents.
            models.Index(fields=["kind", "id"], name="search_document_kind_id"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"


class Term(models.Model):
    """A word the index holds, as readers type it (not stemmed, lower case, no accents):
    the candidates for "did you mean". Words are added, never counted or removed; a
    suggestion is offered only when it finds something for the reader who asked."""

    word = models.CharField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.word


class Embedding(models.Model):
    """An article's vector for the semantic mode of related reading
    (stoa.search.related.SemanticRelated): made from what every reader may see of it (its
    Document's title, excerpt and public body), by `model`, from text whose SHA-256 is
    `digest` (the same text is never embedded twice). L2-normalised float32 bytes, so cosine
    similarity is a dot product. Rows of articles no longer indexed are removed by the next
    refresh; until then the lookup leaves them out through the index (no Document)."""

    post_id = models.BigIntegerField(primary_key=True)
    model = models.CharField(max_length=100)
    digest = models.CharField(max_length=64)
    vector = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"post {self.post_id} ({self.model})"
