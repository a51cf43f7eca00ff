"""Comments brought from another system (services.import_comments): stored as they were judged
there, threaded, sanitised, counted once, no rules, no emails; pingbacks and trackbacks shown
as WordPress themes show them."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from stoa.core import cache, freshness
from stoa.core.tests.test_text import WRITTEN
from stoa.discussion import services
from stoa.discussion.models import Comment, CommentEvent, CommentKind, CommentStatus
from stoa.discussion.services import ImportedComment
from stoa.publishing.tests.factories import PersonFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2020, 5, 1, 12, 0, tzinfo=dt.UTC)


def row(key: int, parent: int | None = None, **kwargs) -> ImportedComment:
    fields = {
        "author_name": f"Reader {key}",
        "author_email": f"r{key}@mail.example",
        "text": f"Comment {key}.",
        "created_at": WHEN + dt.timedelta(minutes=key),
    }
    return ImportedComment(key=key, parent_key=parent, **(fields | kwargs))


def test_comments_are_stored_as_judged_with_no_rules_events_or_emails(post):
    rows = [
        row(1),
        row(2, status=CommentStatus.PENDING),
        row(3, status=CommentStatus.SPAM, text="Buy pills http://spam.example"),
        row(4, status=CommentStatus.TRASH),
        # The same text twice, and no email: the rules would refuse or hold these.
        row(5, text="Same."),
        row(6, text="Same.", author_email=""),
    ]
    result = services.import_comments(post=post, rows=rows)
    comments = {c.pk: c for c in Comment.objects.filter(post=post)}
    status = {key: comments[pk].status for key, pk in result.comments.items()}
    assert status == {
        1: "approved",
        2: "pending",
        3: "spam",
        4: "trash",
        5: "approved",
        6: "approved",
    }
    assert result.created == 6
    assert not CommentEvent.objects.exists()
    assert mail.outbox == []
    post.refresh_from_db()
    assert post.comment_count == 3


def test_threads_keep_their_shape_ten_deep_in_any_order(post):
    rows = [row(n, n - 1 if n > 1 else None) for n in range(10, 0, -1)]
    result = services.import_comments(post=post, rows=rows)
    deepest = Comment.objects.get(pk=result.comments[10])
    assert deepest.depth == 10
    chain = []
    node: Comment | None = deepest
    while node is not None:
        chain.append(node.pk)
        node = node.parent
    assert chain == [result.comments[n] for n in range(10, 0, -1)]


def test_a_comment_whose_parent_is_missing_becomes_top_level_and_is_reported(post):
    result = services.import_comments(post=post, rows=[row(1), row(2, 999), row(3, 2)])
    assert result.orphans == [2]
    orphan = Comment.objects.get(pk=result.comments[2])
    assert (orphan.parent_id, orphan.depth) == (None, 1)
    assert Comment.objects.get(pk=result.comments[3]).parent_id == orphan.pk


def test_a_loop_of_parents_is_cut_not_followed_forever(post):
    result = services.import_comments(post=post, rows=[row(1, 2), row(2, 1)])
    assert len(result.comments) == 2
    assert Comment.objects.filter(parent=None, post=post).count() == 1


def test_a_reply_to_a_comment_of_an_earlier_call_attaches_to_it(post):
    first = services.import_comments(post=post, rows=[row(1)])
    second = services.import_comments(post=post, rows=[row(2, 1)], known=first.comments)
    reply = Comment.objects.get(pk=second.comments[2])
    assert (reply.parent_id, reply.depth) == (first.comments[1], 2)


def test_a_known_comment_given_its_pk_is_updated_not_duplicated(post):
    first = services.import_comments(post=post, rows=[row(1)])
    again = row(1, text="Edited on the old site.", pk=first.comments[1])
    second = services.import_comments(post=post, rows=[again])
    assert (second.created, second.updated) == (0, 1)
    comment = Comment.objects.get(post=post)
    assert comment.html == "<p>Edited on the old site.</p>"


def test_bodies_are_sanitised_like_readers_comments_and_drawn_later(post):
    result = services.import_comments(
        post=post,
        rows=[row(1, text='Hi <script>x()</script><b onclick="y()">there</b>\n\nhttp://a.example')],
        known={},
    )
    comment = Comment.objects.get(pk=result.comments[1])
    assert comment.html == (
        '<p>Hi <b>there</b></p><p><a href="http://a.example" rel="nofollow ugc">'
        "http://a.example</a></p>"
    )
    assert comment.excerpt.startswith("Hi there")
    assert comment.rendered == ""


def test_a_bad_ip_address_is_dropped_and_a_good_one_kept(post):
    result = services.import_comments(
        post=post, rows=[row(1, ip_address="not an address"), row(2, ip_address="2001:db8::1")]
    )
    ips = dict(Comment.objects.filter(post=post).values_list("pk", "ip_address"))
    assert ips[result.comments[1]] is None
    assert ips[result.comments[2]] == "2001:db8::1"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("192.0.2.7", "192.0.2.7"),
        (" 10.0.0.255 ", "10.0.0.255"),
        ("0.0.0.0", "0.0.0.0"),  # noqa: S104 - an address as text, nothing listens
        ("010.1.2.3", None),  # leading zeros: ipaddress refuses them, so does the shortcut
        ("256.1.2.3", None),
        ("1.2.3", None),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("", None),
    ],
)
def test_an_address_is_stored_as_ipaddress_writes_it_or_not_at_all(post, typed, stored):
    result = services.import_comments(post=post, rows=[row(1, ip_address=typed)])
    assert Comment.objects.get(pk=result.comments[1]).ip_address == stored


def test_the_old_times_are_stored_as_the_orm_stores_them(post):
    """The rows are written by hand-made INSERTs: what they store reads back as a comment
    saved through the ORM reads back."""
    when = dt.datetime(2019, 3, 31, 1, 30, 15, 250, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    result = services.import_comments(post=post, rows=[row(1, created_at=when)])
    imported = Comment.objects.get(pk=result.comments[1])
    saved = Comment.objects.create(
        post=post, author_name="x", text="x", html="<p>x</p>", created_at=when
    )
    assert imported.created_at == when
    assert Comment.objects.filter(created_at=when).count() == 2
    assert Comment.objects.filter(pk=saved.pk).values_list("created_at", flat=True)[0] == when


def test_a_members_comment_on_their_own_post_gets_the_author_badge():
    user = UserFactory()
    post = PostFactory(authors=[PersonFactory(user=user)])
    result = services.import_comments(post=post, rows=[row(1, user=user)])
    assert Comment.objects.get(pk=result.comments[1]).is_by_post_author


def test_writes_in_batches_whatever_the_number_of_comments(post):
    rows = [row(n) for n in range(1, 301)]
    with CaptureQueriesContext(connection) as queries:
        services.import_comments(post=post, rows=rows)
    assert Comment.objects.filter(post=post).count() == 300
    assert len(queries) < 15


def test_one_new_content_version_for_the_whole_import(post):
    before = cache.content_version()
    with freshness.changed():
        services.import_comments(post=post, rows=[row(n) for n in range(1, 20)])
        cache.forget_request_version()
        assert cache.content_version() == before
    cache.forget_request_version()
    assert cache.content_version() != before


def test_pingbacks_and_trackbacks_show_as_one_line_without_reply(client, post):
    services.import_comments(
        post=post,
        rows=[
            row(
                1,
                kind=CommentKind.PINGBACK,
                author_name="Another Blog",
                author_url="https://another.example/post/",
                text="[…] cited […]",
            ),
            row(2, kind=CommentKind.TRACKBACK, author_name="A Tracker", author_url=""),
            row(3, text="A reader's comment."),
        ],
    )
    page = client.get(post.get_absolute_url()).content.decode()
    assert (
        'Pingback: <a href="https://another.example/post/" rel="external nofollow ugc">'
        "Another Blog</a>"
    ) in page
    assert "Trackback: A Tracker" in page
    ping = page[page.index('class="comment comment--pingback"') :]
    assert "cited" not in ping[: ping.index("</article>")]
    assert page.count('class="comment__reply"') == 1


def test_many_posts_threads_are_written_together_level_by_level():
    first, second = PostFactory(), PostFactory()
    with CaptureQueriesContext(connection) as queries:
        results = services.import_threads(
            threads=[
                (first, [row(1), row(2, 1), row(3, 2)], {}),
                (second, [row(1), row(2, 1, status=CommentStatus.PENDING)], {}),
            ]
        )
    # The same keys under two posts are two threads.
    assert Comment.objects.get(pk=results[0].comments[3]).depth == 3
    assert Comment.objects.get(pk=results[1].comments[2]).parent_id == results[1].comments[1]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.comment_count, second.comment_count) == (3, 1)
    assert len(queries) < 15


@pytest.mark.parametrize(
    "text",
    [
        "Hi <b>there</b> &amp; you &lt;3",
        "word " * 100,
        "<p>a</p><p>b &quot;c&quot;</p>",
        "Συμφωνώ απόλυτα 🙂 — أوافق",
        "if (a<b) { } x<y <3 &nbsp; &#39;",
        "A long sentence that runs past a hundred and fifty characters without many breaks "
        "between its words, so that the cut happens at a word boundary before the limit.",
    ],
)
def test_an_imported_comments_excerpt_is_the_one_a_readers_comment_gets(text):
    from stoa.core.text import cut_at_word, plain_excerpt
    from stoa.discussion.sanitizers import clean_comment, comment_excerpt

    html = clean_comment(text)
    assert comment_excerpt(html) == cut_at_word(plain_excerpt(html, words=40), 150)


@pytest.mark.parametrize("words", [40])
@pytest.mark.parametrize("written", WRITTEN)
def test_a_comments_excerpt_by_the_short_road_is_the_long_ones(written, words):
    from stoa.core.text import plain_excerpt, sanitised_excerpt
    from stoa.discussion.sanitizers import clean_comment

    html = clean_comment(written)
    assert sanitised_excerpt(html, words) == plain_excerpt(html, words), html


def test_an_excerpt_drawn_with_the_markup_is_kept_when_nothing_is_added_to_it(post, settings):
    settings.STOA = {**settings.STOA, "COMMENT_MARKUP": []}
    drawn = row(1, text="Plain words.", html="<p>Plain words.</p>", excerpt="As drawn ahead")
    result = services.import_comments(post=post, rows=[drawn])
    assert Comment.objects.get(pk=result.comments[1]).excerpt == "As drawn ahead"


def test_an_excerpt_drawn_with_the_markup_is_drawn_again_when_a_hook_changes_it(post, settings):
    settings.STOA = {
        **settings.STOA,
        "COMMENT_MARKUP": ["stoa.discussion.tests.test_imports.signed"],
    }
    drawn = row(1, text="Plain words.", html="<p>Plain words.</p>", excerpt="As drawn ahead")
    result = services.import_comments(post=post, rows=[drawn])
    comment = Comment.objects.get(pk=result.comments[1])
    assert comment.html == "<p>Plain words.</p><p>Signed.</p>"
    assert comment.excerpt == "Plain words.Signed."


def signed(post, html: str) -> str:
    """A hook that adds to every comment's markup (what STOA["COMMENT_MARKUP"] may do)."""
    return html + "<p>Signed.</p>"


def test_imported_comments_get_the_ids_of_their_own_rows_after_any_the_table_had():
    """The rows are written by a hand-made INSERT (an executemany on SQLite, whose ids are
    worked out from the last one): each result names the comment made of its row, above
    the ids of comments made and deleted before, and reads back as bulk_create writes it."""
    post = PostFactory()
    gone = services.import_comments(post=post, rows=[row(n) for n in range(1, 4)])
    Comment.objects.filter(pk=max(gone.comments.values())).delete()
    rows = [row(n, ip_address=f"10.0.0.{n}") for n in range(1, 41)]
    result = services.import_comments(post=post, rows=rows)
    assert min(result.comments.values()) > max(gone.comments.values())
    for key, pk in result.comments.items():
        assert Comment.objects.get(pk=pk).author_name == f"Reader {key}"
    made = Comment.objects.get(pk=result.comments[7])
    [written] = Comment.objects.bulk_create(
        [
            Comment(
                post=post,
                author_name="Reader 7",
                author_email="r7@mail.example",
                text="Comment 7.",
                html=made.html,
                excerpt=made.excerpt,
                created_at=WHEN + dt.timedelta(minutes=7),
                ip_address="10.0.0.7",
                status=CommentStatus.APPROVED,
                depth=1,
            )
        ]
    )
    ignored = {"id", "updated_at"}
    [imported_values] = Comment.objects.filter(pk=made.pk).values()
    [orm_values] = Comment.objects.filter(pk=written.pk).values()
    assert {k: v for k, v in imported_values.items() if k not in ignored} == {
        k: v for k, v in orm_values.items() if k not in ignored
    }


def test_a_new_comment_gets_the_id_it_asks_for_when_no_comment_has_it(post):
    # The WordPress import asks for the old site's ids (its #comment-<id> anchors).
    [taken] = services.import_comments(post=post, rows=[row(1)]).comments.values()
    asked = taken + 50
    result = services.import_comments(
        post=post,
        rows=[
            row(2, wanted_pk=asked),
            row(3, 2, wanted_pk=asked + 1),
            row(4, 3, wanted_pk=taken),  # another comment has it
            row(5, wanted_pk=asked),  # an earlier row of this call has it
        ],
    )
    assert result.comments[2] == asked
    assert result.comments[3] == asked + 1
    assert Comment.objects.get(pk=asked + 1).parent_id == asked
    assert result.comments[4] > asked + 1
    assert Comment.objects.get(pk=result.comments[4]).parent_id == asked + 1
    assert result.comments[5] > asked + 1
    assert {Comment.objects.get(pk=pk).text for pk in result.comments.values()} == {
        "Comment 2.",
        "Comment 3.",
        "Comment 4.",
        "Comment 5.",
    }
    # A reader's comment written afterwards is numbered past all of them.
    later = services.import_comments(post=post, rows=[row(6)]).comments[6]
    assert later > max(result.comments.values())


def test_a_comment_whose_id_another_transaction_took_meanwhile_is_numbered(post, monkeypatch):
    # PostgreSQL: an import beside this one writes a comment under an id after free_ids
    # looked (the INSERT waits for it, then leaves the row out). Played here by free_ids
    # finding free an id that is taken. SQLite's one writer cannot meet it.
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL has writers beside the import")
    [taken] = services.import_comments(post=post, rows=[row(1)]).comments.values()
    monkeypatch.setattr(services.core, "free_ids", lambda *, model, wanted: set(wanted))
    result = services.import_comments(
        post=post, rows=[row(2, wanted_pk=taken), row(3, 2, wanted_pk=taken + 40)]
    )
    assert result.comments[3] == taken + 40
    assert result.comments[2] not in (taken, taken + 40)
    assert Comment.objects.get(pk=result.comments[2]).text == "Comment 2."
    assert Comment.objects.get(pk=taken + 40).parent_id == result.comments[2]
    assert Comment.objects.get(pk=taken).text == "Comment 1."


@pytest.mark.django_db(transaction=True)
def test_an_import_beside_another_on_postgresql_numbers_the_comment_whose_id_it_took():
    # Two real transactions: the other import writes comment `wanted` and commits a moment
    # later; this one, asking for the same id meanwhile, waits for it, then numbers its own.
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL has writers beside the import")
    post = PostFactory()
    wanted = Comment.objects.count() + 10_000
    written = threading.Event()

    def the_other_import() -> None:
        try:
            with transaction.atomic():
                services.import_comments(post=post, rows=[row(9, wanted_pk=wanted)])
                written.set()
                time.sleep(1)  # holds the row uncommitted while this test asks for its id
        finally:
            connections.close_all()

    other = threading.Thread(target=the_other_import)
    other.start()
    assert written.wait(30)
    with transaction.atomic():
        result = services.import_comments(post=post, rows=[row(2, wanted_pk=wanted)])
    other.join(30)
    assert Comment.objects.get(pk=wanted).text == "Comment 9."
    assert result.comments[2] != wanted
    assert Comment.objects.get(pk=result.comments[2]).text == "Comment 2."
