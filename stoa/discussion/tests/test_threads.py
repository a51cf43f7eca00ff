"""Putting a thread together from stored pieces: nesting, paging, order, per-viewer pieces,
avatars and the page a comment is on."""

from __future__ import annotations

import datetime as dt
import hashlib

import lxml.html
import pytest
from django.utils import timezone

from stoa.discussion import threads
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.discussion.tests.factories import CommentFactory
from stoa.discussion.threads import Row, build_thread, comment_page, initials


def row(pk: int, parent: int | None = None) -> Row:
    return Row(pk, parent, f'<article id="comment-{pk}">Comment {pk}</article>')


def parse(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html)


def top_ids(html: str) -> list[int]:
    return [int(v.removeprefix("li-comment-")) for v in parse(html).xpath("./li/@id")]


def children_of(html: str, pk: int) -> list[int]:
    ids = parse(html).xpath(f"//li[@id='li-comment-{pk}']/ol[@class='children']/li/@id")
    return [int(v.removeprefix("li-comment-")) for v in ids]


# --- Nesting ----------------------------------------------------------------------------------


def test_an_empty_thread_prints_nothing() -> None:
    page = build_thread([])
    assert page.html == ""
    assert (page.page, page.pages, page.first_number, page.top_level_ids) == (1, 1, 1, [])


def test_top_level_comments_make_one_ordered_list_in_order() -> None:
    page = build_thread([row(1), row(2), row(3)])
    root = parse(page.html)
    assert root.tag == "ol"
    assert root.get("class") == "comment-list"
    assert root.get("start") is None
    assert top_ids(page.html) == [1, 2, 3]
    assert page.top_level_ids == [1, 2, 3]


def test_replies_nest_under_their_parents_at_any_depth() -> None:
    page = build_thread([row(1), row(2), row(3, 1), row(4, 3), row(5, 1), row(6, 2)])
    assert top_ids(page.html) == [1, 2]
    assert children_of(page.html, 1) == [3, 5]
    assert children_of(page.html, 3) == [4]
    assert children_of(page.html, 2) == [6]
    assert children_of(page.html, 4) == []
    depth = parse(page.html).xpath("//li[@id='li-comment-4']/@class")
    assert depth == ["comment-item depth-3"]


def test_each_stored_piece_is_printed_once_inside_its_item() -> None:
    page = build_thread([row(1), row(2, 1)])
    doc = parse(page.html)
    for pk in (1, 2):
        (article,) = doc.xpath(f"//article[@id='comment-{pk}']")
        assert article.getparent().get("id") == f"li-comment-{pk}"


def test_a_reply_whose_parent_is_not_shown_goes_to_the_top_level() -> None:
    # Comment 2 is held or trashed, so not among the rows; its reply 3 still shows.
    page = build_thread([row(1), row(3, 2), row(4, 3)])
    assert top_ids(page.html) == [1, 3]
    assert children_of(page.html, 3) == [4]
    assert page.top_level_ids == [1, 3]


# --- Paging -----------------------------------------------------------------------------------


FIVE = [row(1), row(2), row(3, 1), row(4), row(5), row(6, 4), row(7), row(8)]  # tops 1 2 4 5 7 8


def test_paging_slices_top_level_threads_with_their_replies() -> None:
    first = build_thread(FIVE, page=1, per_page=2)
    assert first.top_level_ids == [1, 2]
    assert children_of(first.html, 1) == [3]
    assert (first.page, first.pages, first.first_number) == (1, 3, 1)

    second = build_thread(FIVE, page=2, per_page=2)
    assert second.top_level_ids == [4, 5]
    assert children_of(second.html, 4) == [6]
    assert "comment-1" not in second.html
    assert "comment-3" not in second.html
    assert (second.page, second.pages, second.first_number) == (2, 3, 3)

    third = build_thread(FIVE, page=3, per_page=2)
    assert third.top_level_ids == [7, 8]


def test_page_two_starts_its_numbering_after_page_one() -> None:
    assert parse(build_thread(FIVE, page=1, per_page=2).html).get("start") is None
    assert parse(build_thread(FIVE, page=2, per_page=2).html).get("start") == "3"
    assert parse(build_thread(FIVE, page=3, per_page=2).html).get("start") == "5"


def test_a_page_out_of_range_shows_the_nearest_page() -> None:
    assert build_thread(FIVE, page=99, per_page=2).top_level_ids == [7, 8]
    assert build_thread(FIVE, page=99, per_page=2).page == 3
    assert build_thread(FIVE, page=0, per_page=2).top_level_ids == [1, 2]
    assert build_thread(FIVE, page=-4, per_page=2).page == 1


def test_no_paging_when_the_threads_fit_on_one_page() -> None:
    page = build_thread(FIVE, page=2, per_page=10)
    assert page.top_level_ids == [1, 2, 4, 5, 7, 8]
    assert (page.page, page.pages, page.first_number) == (1, 1, 1)
    assert build_thread(FIVE, page=3, per_page=0).pages == 1


# --- Order ------------------------------------------------------------------------------------


def test_newest_first_reverses_the_threads_but_not_the_replies() -> None:
    rows = [row(1), row(2), row(3, 1), row(4, 1)]
    page = build_thread(rows, newest_first=True)
    assert top_ids(page.html) == [2, 1]
    assert children_of(page.html, 1) == [3, 4]


def test_newest_first_pages_start_from_the_newest_thread() -> None:
    assert build_thread(FIVE, page=1, per_page=2, newest_first=True).top_level_ids == [8, 7]
    last = build_thread(FIVE, page=3, per_page=2, newest_first=True)
    assert last.top_level_ids == [2, 1]
    assert parse(last.html).get("start") == "5"


# --- Per-viewer pieces ------------------------------------------------------------------------


def test_before_and_after_pieces_sit_around_their_comment_above_its_replies() -> None:
    page = build_thread(
        [row(1), row(2, 1), row(3)],
        before={1: '<p class="note">held</p>'},
        after={1: '<div id="respond">form</div>', 3: '<p class="own">edit</p>'},
    )
    (item,) = parse(page.html).xpath("//li[@id='li-comment-1']")
    assert [child.tag for child in item] == ["p", "article", "div", "ol"]
    assert item[0].get("class") == "note"
    assert item[2].get("id") == "respond"
    (item3,) = parse(page.html).xpath("//li[@id='li-comment-3']")
    assert [child.tag for child in item3] == ["article", "p"]


def test_pieces_for_comments_not_on_the_page_are_left_out() -> None:
    page = build_thread(FIVE, page=2, per_page=2, before={1: "<p>NOTE-ONE</p>"})
    assert "NOTE-ONE" not in page.html


# --- Initials and avatars ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ada Lovelace", "AL"),
        ("ada", "A"),
        ("Mary Ann Evans", "MA"),
        ("j.r.r. tolkien", "JR"),
        ("  Ben   Ort  ", "BO"),
        ("", "?"),
        ("   ", "?"),
        ("— Zoë", "Z"),
        ("Émile Zola", "ÉZ"),
    ],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


def guest(name: str = "Ada Lovelace", email: str = "ada.lovelace@example.net") -> Comment:
    return Comment(author_name=name, author_email=email)


def test_an_avatar_is_drawn_here_from_initials() -> None:
    svg = str(threads.avatar(guest()))
    assert svg.startswith("<svg")
    assert ">AL</text>" in svg
    assert "gravatar" not in svg


def test_an_avatar_never_contains_the_email() -> None:
    email = "ada.lovelace@example.net"
    for use_gravatar in (False, True):
        drawn = str(threads.avatar(guest(email=email), use_gravatar=use_gravatar))
        assert email not in drawn
        assert "ada.lovelace" not in drawn
        assert "example.net" not in drawn
        assert "@" not in drawn
        assert hashlib.md5(email.encode()).hexdigest() not in drawn  # noqa: S324


def test_a_gravatar_is_asked_for_by_a_hash_of_the_address() -> None:
    drawn = str(threads.avatar(guest(), use_gravatar=True))
    assert drawn.startswith('<img class="avatar"')
    digest = hashlib.sha256(b"ada.lovelace@example.net").hexdigest()
    assert f"https://www.gravatar.com/avatar/{digest}" in drawn


def test_an_avatar_depends_on_the_address_not_its_case() -> None:
    one = threads.avatar(guest(email="Ada@Example.net"))
    two = threads.avatar(guest(email="ada@example.net"))
    assert one == two


def test_an_avatar_escapes_the_name() -> None:
    drawn = str(threads.avatar(guest(name="<b>Bad</b> <i>x</i>")))
    assert "<b>" not in drawn
    assert "<i>" not in drawn


def test_an_avatar_without_an_email_still_draws() -> None:
    drawn = str(threads.avatar(guest(email=""), use_gravatar=True))
    assert drawn.startswith("<svg")
    assert ">AL</text>" in drawn


# --- The page a comment is on -----------------------------------------------------------------


def ago(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def paged(**values: object) -> None:
    found = DiscussionSettings.current()
    found.paginate = True
    found.threads_per_page = 2
    for name, value in values.items():
        setattr(found, name, value)
    found.save()


@pytest.fixture
def thread() -> dict[str, Comment]:
    first = CommentFactory(created_at=ago(100))
    post = first.post
    made = {"t1": first}
    for i, minutes in ((2, 90), (3, 80), (4, 70), (5, 60)):
        made[f"t{i}"] = CommentFactory(post=post, created_at=ago(minutes))
    made["r3"] = CommentFactory(post=post, parent=made["t3"], created_at=ago(50))
    made["r3r"] = CommentFactory(post=post, parent=made["r3"], created_at=ago(40))
    return made


@pytest.mark.django_db
def test_every_comment_is_on_page_one_without_paging(thread) -> None:
    assert {comment_page(c) for c in thread.values()} == {1}


@pytest.mark.django_db
def test_a_comment_is_on_the_page_of_its_thread(thread) -> None:
    paged()
    pages = {name: comment_page(c) for name, c in thread.items()}
    assert pages == {"t1": 1, "t2": 1, "t3": 2, "t4": 2, "t5": 3, "r3": 2, "r3r": 2}


@pytest.mark.django_db
def test_newest_first_turns_the_pages_round(thread) -> None:
    paged(newest_first=True)
    pages = {name: comment_page(c) for name, c in thread.items()}
    assert pages == {"t1": 3, "t2": 2, "t3": 2, "t4": 1, "t5": 1, "r3": 2, "r3r": 2}


@pytest.mark.django_db
def test_a_comment_not_in_the_thread_is_said_to_be_on_page_one(thread) -> None:
    paged()
    held = CommentFactory(post=thread["t1"].post, status=CommentStatus.PENDING, created_at=ago(10))
    assert comment_page(held) == 1


@pytest.mark.django_db
def test_comment_page_agrees_with_build_thread(thread) -> None:
    paged()
    rows = threads.thread_rows(thread["t1"].post_id)
    for comment in thread.values():
        page = build_thread(rows, page=comment_page(comment), per_page=2)
        assert f'id="li-comment-{comment.pk}"' in page.html


# --- Stored markup, drawn again by itself ------------------------------------------------------


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the comments drawn (rather than read as stored)."""
    seen: list[int] = []
    original = threads.render_comments

    def counting(comments):
        comments = list(comments)
        seen.extend(c.pk for c in comments)
        return original(comments)

    monkeypatch.setattr(threads, "render_comments", counting)
    return seen


def new_version() -> None:
    """A new content version, already worked out: the thread is put together again."""
    from stoa.core.cache import content_version, forget_request_version
    from stoa.core.freshness import mark_changed

    mark_changed()
    forget_request_version()
    content_version()


def read_thread(post_id: int) -> list[Row]:
    new_version()
    return threads.thread_rows(post_id)


@pytest.mark.django_db
def test_a_comments_markup_is_drawn_when_written_and_then_read_as_stored(
    drawn: list[int], django_assert_num_queries
) -> None:
    comment = CommentFactory(status=CommentStatus.APPROVED)
    assert drawn == [comment.pk]
    assert f'id="comment-{comment.pk}"' in Comment.objects.get(pk=comment.pk).rendered
    DiscussionSettings.current()  # the settings row is cached, as on a running site
    new_version()
    with django_assert_num_queries(1):  # one query's rows, nothing written
        rows = threads.thread_rows(comment.post_id)
    assert drawn == [comment.pk], "reading drew nothing"
    assert rows[0].html == Comment.objects.get(pk=comment.pk).rendered


@pytest.mark.django_db
def test_a_changed_avatar_setting_is_drawn_for_readers_at_once_and_stored_in_the_background(
    drawn: list[int], django_capture_on_commit_callbacks
) -> None:
    comment = CommentFactory(status=CommentStatus.APPROVED, author_email="ann@example.net")
    settings = DiscussionSettings.current()
    settings.use_gravatar = True
    settings.save()
    new_version()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        rows = threads.thread_rows(comment.post_id)
    assert "gravatar.com" in rows[0].html
    assert "gravatar.com" not in Comment.objects.get(pk=comment.pk).rendered, "no write on read"
    assert len(queued) == 1, "one background task queued"
    new_version()
    with django_capture_on_commit_callbacks(execute=False) as again:
        threads.thread_rows(comment.post_id)
    assert again == [], "queued once per fingerprint"
    queued[0]()  # the task (run at once by the test task backend)
    stored = Comment.objects.get(pk=comment.pk)
    assert "gravatar.com" in stored.rendered
    assert stored.rendered_with == threads.markup_fingerprint()


@pytest.mark.django_db
def test_a_changed_template_redraws_every_stored_comment_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from stoa.discussion import services

    comments = [CommentFactory(status=status) for status in (CommentStatus.APPROVED,) * 3]
    CommentFactory(status=CommentStatus.PENDING)
    monkeypatch.setattr(threads, "_template_digest", lambda: "a-new-template")
    assert services.store_markup(chunk=2) == 4
    assert services.store_markup(chunk=2) == 0
    for comment in comments:
        assert Comment.objects.get(pk=comment.pk).rendered_with.startswith("a-new-template")


@pytest.mark.django_db
def test_an_edited_comment_is_drawn_again_with_its_new_words(drawn: list[int]) -> None:
    from stoa.discussion import services

    comment = CommentFactory(status=CommentStatus.APPROVED)
    other = CommentFactory(post=comment.post, status=CommentStatus.APPROVED)
    services.edit_comment(comment=comment, body="Second thoughts, better words.")
    rows = {row.pk: row.html for row in read_thread(comment.post_id)}
    assert "Second thoughts, better words." in rows[comment.pk]
    assert drawn.count(other.pk) == 1, "the comment nobody edited was drawn only when written"
