"""What is in the index and who finds it, through the services that change content and the
backend's search. The suite runs this module on SQLite (FTS5) and on PostgreSQL (.ci/run,
DATABASE_URL), so every behaviour here holds on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from stoa.discussion.models import CommentStatus
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing import services as publishing
from stoa.publishing.models import PageStatus
from stoa.publishing.tests.factories import PageFactory, PostFactory, TagFactory
from stoa.search import services
from stoa.search.backends import Filters, backend, sqlite
from stoa.search.models import Document, Kind
from stoa.search.query import parse
from stoa.webcasts.tests.factories import SeriesFactory, SessionFactory

pytestmark = pytest.mark.django_db


def found(text: str, *, members: bool = False, **filters: object) -> list[tuple[str, int]]:
    hits = backend().search(parse(text), members=members, filters=Filters(**filters), limit=50)  # type: ignore[arg-type]
    return [(hit.kind, hit.object_id) for hit in hits]


def test_a_published_post_is_found_by_a_word_of_its_body() -> None:
    post = PostFactory(title="On anniversaries", body="<p>Grief returns with the calendar.</p>")
    assert found("calendar") == [(Kind.POST, post.pk)]


def test_words_are_stemmed_and_accents_folded() -> None:
    post = PostFactory(title="Working with grief", body="<p>A café in Zürich, grieving.</p>")
    assert found("grieves") == [(Kind.POST, post.pk)]
    assert found("cafe zurich") == [(Kind.POST, post.pk)]


def test_drafts_pending_private_and_scheduled_posts_are_not_found() -> None:
    PostFactory(title="Tangerine draft", draft=True)
    PostFactory(title="Tangerine pending", pending=True)
    PostFactory(title="Tangerine private", private=True)
    PostFactory(title="Tangerine scheduled", scheduled=True)
    assert found("tangerine") == []


def test_a_scheduled_post_is_found_once_its_time_has_come() -> None:
    post = PostFactory(title="Tangerine later", scheduled=True)
    Document.objects.filter(kind=Kind.POST, object_id=post.pk).update(
        live_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert found("tangerine") == [(Kind.POST, post.pk)]


def test_a_post_taken_back_to_draft_is_found_no_more_with_its_comments() -> None:
    post = PostFactory(title="Marmalade")
    CommentFactory(post=post, text="Marmalade is the answer.")
    assert len(found("marmalade")) == 2
    publishing.unpublish_post(post=post)
    assert found("marmalade") == []


def test_a_members_only_body_is_found_by_members_only() -> None:
    post = PostFactory(
        title="Supervision notes",
        excerpt="A short excerpt.",
        body="<p>Secret quince.</p>",
        members_only=True,
    )
    assert found("quince") == []
    assert found("quince", members=True) == [(Kind.POST, post.pk)]
    # Its title and excerpt are everyone's.
    assert found("supervision") == [(Kind.POST, post.pk)]
    hit = backend().search(parse("supervision"), members=False, filters=Filters())[0]
    assert "quince" not in hit.snippet.lower()
    # A member's search reads the public text and the members' body as one (on PostgreSQL,
    # two indexes OR-ed): words found in both are found together.
    assert found("supervision quince", members=True) == [(Kind.POST, post.pk)]
    assert found('"supervision notes" quince', members=True) == [(Kind.POST, post.pk)]
    assert found("supervision quince") == []
    assert found("supervision -quince", members=True) == []
    assert backend().count(parse("supervision quince"), members=True, filters=Filters()) == {
        Kind.POST: 1
    }


def test_comments_are_found_while_approved() -> None:
    comment = CommentFactory(text="The fees were a burden.")
    assert found("fees") == [(Kind.COMMENT, comment.pk)]
    from stoa.discussion import services as discussion

    discussion.spam_comment(comment=comment, actor=None)
    assert found("fees") == []
    discussion.approve_comment(comment=comment, actor=None)
    assert found("fees") == [(Kind.COMMENT, comment.pk)]


def test_held_and_trashed_comments_are_not_found() -> None:
    CommentFactory(text="Persimmon held", status=CommentStatus.PENDING)
    CommentFactory(text="Persimmon trashed", status=CommentStatus.TRASH)
    assert found("persimmon") == []


def test_comments_under_a_members_only_post_are_found_by_members_only() -> None:
    post = PostFactory(members_only=True)
    comment = CommentFactory(post=post, text="Lychee thoughts")
    assert found("lychee") == []
    assert found("lychee", members=True) == [(Kind.COMMENT, comment.pk)]


def test_published_pages_series_and_sessions_are_found() -> None:
    page = PageFactory(title="About the kumquat", status=PageStatus.PUBLISHED)
    PageFactory(title="Kumquat draft", status=PageStatus.DRAFT)
    series = SeriesFactory(title="Kumquat series")
    session = SessionFactory(series=series, title="Kumquat session one")
    hidden = SeriesFactory(title="Kumquat hidden", is_published=False)
    SessionFactory(series=hidden, title="Kumquat hidden session")
    assert sorted(found("kumquat")) == sorted(
        [(Kind.PAGE, page.pk), (Kind.SERIES, series.pk), (Kind.SESSION, session.pk)]
    )


def test_phrase_exclusion_and_or() -> None:
    a = PostFactory(title="Grief and anniversaries", body="<p>the anniversary of a loss</p>")
    b = PostFactory(title="Fees and money", body="<p>loss of income</p>")
    assert found('"anniversary of a loss"') == [(Kind.POST, a.pk)]
    assert found("loss -income") == [(Kind.POST, a.pk)]
    assert sorted(found("anniversaries OR fees")) == sorted([(Kind.POST, a.pk), (Kind.POST, b.pk)])


def test_a_page_holds_the_readers_best_matches_when_better_ones_are_not_theirs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SQLite ranks the index's best matches first (backends.sqlite.TOP, at least four
    # times the rows asked for) and checks the reader's conditions on those alone; when
    # they hold too few of the reader's, it ranks every match.
    monkeypatch.setattr(sqlite, "TOP", 1)
    for _ in range(10):
        PostFactory(title="Rowan rowan rowan", scheduled=True)  # indexed, not yet found
    assert Document.objects.filter(title="Rowan rowan rowan").count() == 10
    shown = {PostFactory(title=f"Note {n}", body="<p>A rowan tree.</p>").pk for n in range(3)}

    def page(offset: int) -> list[int]:
        hits = backend().search(
            parse("rowan"), members=False, filters=Filters(), limit=2, offset=offset
        )
        return [hit.object_id for hit in hits]

    first, second = page(0), page(2)
    assert len(first) == 2 and len(second) == 1
    assert set(first + second) == shown
    assert first + second == [object_id for _, object_id in found("rowan")]


def test_filters_by_tag_and_year() -> None:
    tag = TagFactory(name="ethics")
    tagged = PostFactory(title="Papaya one", tags=[tag])
    PostFactory(title="Papaya two")
    assert found("papaya", tag_id=tag.pk) == [(Kind.POST, tagged.pk)]
    year = timezone.localtime(tagged.published_at).year
    assert len(found("papaya", year=year)) == 2
    assert found("papaya", year=year - 5) == []


def test_matches_counts_no_further_than_asked_and_only_what_the_reader_finds() -> None:
    tag = TagFactory(name="ethics")
    for n in range(4):
        PostFactory(title=f"Medlar {n}", tags=[tag] if n == 0 else [])
    PostFactory(title="Hidden", body="<p>Medlar inside.</p>", members_only=True)

    def matches(text: str, *, members: bool = False, limit: int = 100, **filters: object) -> int:
        return backend().matches(
            parse(text),
            members=members,
            filters=Filters(**filters),  # type: ignore[arg-type]
            limit=limit,
        )

    assert matches("medlar") == 4
    assert matches("medlar", members=True) == 5
    assert matches("medlar", limit=1) == 1
    assert matches("medlar", members=True, limit=3) == 3
    assert matches("medlar", tag_id=tag.pk) == 1
    assert matches("quince") == 0


def test_reindex_rebuilds_the_same_index() -> None:
    post = PostFactory(title="Guava")
    CommentFactory(post=post, text="guava too")
    before = sorted(found("guava"))
    Document.objects.all().delete()
    assert found("guava") == []
    counts = services.reindex()
    assert counts[Kind.POST] == 1 and counts[Kind.COMMENT] == 1
    assert sorted(found("guava")) == before


def test_a_rebuild_writes_every_column_as_the_services_do() -> None:
    # The rebuild writes plain rows its own way (COPY on PostgreSQL): dates, empty texts,
    # NULLs and flags must come out as the row-at-a-time services write them.
    post = PostFactory(title="Loquat", excerpt="Open", body="<p>Body &amp; more</p>")
    hidden = PostFactory(title="Loquat hidden", body="<p>Inside</p>", members_only=True)
    CommentFactory(post=post, text="loquat remark")
    CommentFactory(post=hidden, text="loquat inside")
    PageFactory(title="Loquat page", body="<p>About</p>")
    columns = [field.attname for field in Document._meta.concrete_fields if field.name != "id"]

    def rows() -> list[tuple[object, ...]]:
        return sorted(Document.objects.values_list(*columns), key=lambda row: (row[0], row[1]))

    before = rows()
    assert len(before) == 5
    services.reindex()
    assert rows() == before


def test_a_rebuild_numbers_documents_oldest_first() -> None:
    # A search matching too many ranks those numbered last (views.COUNTED): the newest.
    now = timezone.now()
    newer = PostFactory(title="Lime new", published_at=now - dt.timedelta(days=1))
    older = PostFactory(title="Lime old", published_at=now - dt.timedelta(days=30))
    first, second = CommentFactory(post=older, text="lime"), CommentFactory(post=newer, text="l")
    services.reindex()
    numbered = list(Document.objects.order_by("id").values_list("kind", "object_id"))
    assert numbered == [
        (Kind.POST, older.pk),
        (Kind.POST, newer.pk),
        (Kind.COMMENT, first.pk),
        (Kind.COMMENT, second.pk),
    ]


def test_a_rebuild_that_fails_halfway_raises_its_own_error_and_keeps_the_old_index(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post = PostFactory(title="Quince")
    CommentFactory(post=post, text="quince as well")
    before = sorted(found("quince"))

    def broken() -> object:
        # A database error: on PostgreSQL it aborts the transaction, and building the
        # indexes again in it would raise an error of its own in place of this one.
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM stoa_no_such_table")
        return []

    monkeypatch.setattr(services.sources, "comment_documents_in_bulk", broken)
    with pytest.raises(DatabaseError, match="stoa_no_such_table"):
        services.reindex()
    assert sorted(found("quince")) == before
    CommentFactory(post=post, text="quince, after the failure")
    assert len(found("quince")) == 3, "the index still follows writes (its structures are back)"


def _table_locks() -> list[str]:
    """The locks this connection holds on the documents' table that keep readers out."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() "
            "AND relation = 'search_document'::regclass AND mode = 'AccessExclusiveLock'"
        )
        return [row[0] for row in cursor.fetchall()]


def _locks_during_a_rebuild(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """services.reindex(), and the readers' locks it held while writing the comments."""
    seen: list[list[str]] = []
    bulk = services.sources.comment_documents_in_bulk

    def watched() -> object:
        seen.append(_table_locks())
        return bulk()

    monkeypatch.setattr(services.sources, "comment_documents_in_bulk", watched)
    services.reindex()
    return seen


def test_rebuilding_an_index_in_use_never_locks_its_readers_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's readers (WAL) read the last commit whatever a writer holds")
    CommentFactory(post=PostFactory(title="Medlar"), text="medlar as well")
    seen = _locks_during_a_rebuild(monkeypatch)
    assert seen == [[]], "a search would wait for the whole rebuild"
    assert len(found("medlar")) == 2


def test_filling_an_empty_index_builds_its_structures_once_at_the_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's GIN indexes; SQLite's FTS5 table has its own bulk load")
    CommentFactory(post=PostFactory(title="Sorb"), text="sorb as well")
    Document.objects.all().delete()
    seen = _locks_during_a_rebuild(monkeypatch)
    assert seen == [["AccessExclusiveLock"]], "nobody reads an empty index: its indexes dropped"
    assert len(found("sorb")) == 2


def test_catch_up_indexes_rows_written_without_signals() -> None:
    post = PostFactory(title="Mango")
    Document.objects.all().delete()
    changed = services.catch_up()
    assert changed == {Kind.POST: 1}
    assert found("mango") == [(Kind.POST, post.pk)]
    assert services.catch_up() == {}


def test_catch_up_rebuilds_when_a_whole_site_is_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "REBUILD_ABOVE", 1)
    first, second = PostFactory(title="Kiwi"), PostFactory(title="Kiwi two")
    Document.objects.all().delete()
    assert services.catch_up()[Kind.POST] == 2
    assert sorted(found("kiwi")) == sorted([(Kind.POST, first.pk), (Kind.POST, second.pk)])


def test_counts_stop_at_the_limit_in_each_kind_and_hold_only_what_the_reader_finds() -> None:
    post = PostFactory(title="Sorrel one", body="<p>Sorrel.</p>")
    PostFactory(title="Sorrel two")
    hidden = PostFactory(title="Closed", body="<p>Inside.</p>", members_only=True)
    for n in range(5):
        CommentFactory(post=post, text=f"sorrel remark {n}")
    CommentFactory(post=hidden, text="sorrel for members")

    def count(*, members: bool = False, limit: int | None = None, **filters: object) -> dict:
        return backend().count(
            parse("sorrel"),
            members=members,
            filters=Filters(**filters),  # type: ignore[arg-type]
            limit=limit,
        )

    assert count() == {Kind.POST: 2, Kind.COMMENT: 5}
    assert count(limit=3) == {Kind.POST: 2, Kind.COMMENT: 3}
    assert count(members=True, limit=10) == {Kind.POST: 2, Kind.COMMENT: 6}
    assert count(limit=10, kinds=(Kind.COMMENT,)) == {Kind.COMMENT: 5}
    assert backend().count(parse("quince"), members=True, filters=Filters(), limit=3) == {}


def test_a_window_ranks_only_the_matches_added_last_of_the_kinds_asked() -> None:
    older = [CommentFactory(text=f"yarrow remark {n}") for n in range(3)]
    post = PostFactory(title="Yarrow")
    newer = [CommentFactory(text=f"yarrow again {n}") for n in range(2)]
    CommentFactory(text="yarrow held", status=CommentStatus.PENDING)  # never found

    def window(size: int, *kinds: str, offset: int = 0) -> set[tuple[str, int]]:
        hits = backend().search(
            parse("yarrow"),
            members=False,
            filters=Filters(kinds=kinds),
            limit=10,
            offset=offset,
            window=size,
        )
        return {(hit.kind, hit.object_id) for hit in hits}

    assert window(2, Kind.COMMENT) == {(Kind.COMMENT, c.pk) for c in newer}
    assert window(3, Kind.COMMENT) == {(Kind.COMMENT, c.pk) for c in [*newer, older[-1]]}
    assert window(1, Kind.POST) == {(Kind.POST, post.pk)}
    assert window(10, Kind.COMMENT) == {(Kind.COMMENT, c.pk) for c in [*older, *newer]}
    assert window(2, Kind.COMMENT, offset=10) == set()
    assert window(2, Kind.SERIES) == set()


def test_a_members_search_for_a_kinds_name_finds_only_documents_with_that_word() -> None:
    # The index holds each document's kind in a column of its own: no search reads it.
    CommentFactory(text="Nothing said about it here.")
    said = CommentFactory(text="A comment about comments.")
    PostFactory(title="A post", body="<p>Plain.</p>")
    assert found("comment", members=True) == [(Kind.COMMENT, said.pk)]
    assert found("comment", members=True, kinds=(Kind.COMMENT,)) == [(Kind.COMMENT, said.pk)]
    assert found("series") == []


def test_a_window_ranks_its_matches_as_the_whole_search_does_for_each_reader() -> None:
    # The window's matches are ranked by the words the reader may read only: a members-only
    # body that repeats the word lifts its post for members, never for visitors.
    title = PostFactory(title="Medlar", body="<p>Plain.</p>")
    hidden = PostFactory(
        title="Orchard",
        excerpt="A medlar.",
        body="<p>" + " ".join(["medlar"] * 12) + "</p>",
        members_only=True,
    )
    body = PostFactory(title="Third", body="<p>Medlar, medlar and medlar again.</p>")
    fourth = PostFactory(title="Fourth", body="<p>The medlar tree, the plain fruit.</p>")
    secret = PostFactory(title="Fifth", body="<p>A medlar.</p>", members_only=True)
    for n in range(3):
        CommentFactory(post=title, text=f"medlar remark {n} " + "medlar " * n)

    def ranked(
        text: str, *, members: bool, kinds: tuple[str, ...], window: int | None
    ) -> list[tuple[str, int]]:
        hits = backend().search(
            parse(text), members=members, filters=Filters(kinds=kinds), limit=10, window=window
        )
        return [(hit.kind, hit.object_id) for hit in hits]

    for text in ("medlar", "medlar -fourth", "medlar plain", "medlar OR orchard", '"the medlar"'):
        for members in (False, True):
            for kinds in ((Kind.POST,), (Kind.COMMENT,)):
                whole = ranked(text, members=members, kinds=kinds, window=None)
                assert ranked(text, members=members, kinds=kinds, window=50) == whole
    visitor = ranked("medlar", members=False, kinds=(Kind.POST,), window=50)
    member = ranked("medlar", members=True, kinds=(Kind.POST,), window=50)
    assert (Kind.POST, secret.pk) not in visitor and (Kind.POST, secret.pk) in member
    if connection.vendor != "sqlite":
        return  # the order below is BM25's (PostgreSQL's ts_rank_cd weighs otherwise)
    assert visitor[:2] == member[:2] == [(Kind.POST, body.pk), (Kind.POST, title.pk)]
    assert visitor[2:] == [(Kind.POST, fourth.pk), (Kind.POST, hidden.pk)]
    assert member[2:4] == [(Kind.POST, hidden.pk), (Kind.POST, fourth.pk)]
