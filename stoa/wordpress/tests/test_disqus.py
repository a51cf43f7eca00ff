"""The Disqus import: the streaming reader of Disqus's XML export (stoa.wordpress.disqus), and
`stoa import-disqus` bringing its threads onto the posts they belong to."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from stoa.core.services import add_redirect
from stoa.discussion.models import Comment, CommentEvent, CommentStatus, DiscussionSettings
from stoa.discussion.services import purge_old_comments
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import PostFactory
from stoa.wordpress import disqus
from stoa.wordpress.models import ImportRun, Mapping, ObjectKind, RunStatus, SourceSite

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data" / "disqus"
EXPORT = DATA / "export.xml"
THREADS_DELETED_AND_CLOSED = DATA.parent / "disqus-deleted-and-closed-threads.xml"
HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
)


def records(text: str) -> list[disqus.Record]:
    return list(disqus.read(io.BytesIO(text.encode())))


def test_the_reader_yields_categories_threads_and_posts_in_file_order() -> None:
    found = list(disqus.read(str(EXPORT)))
    kinds = [type(record).__name__ for record in found]
    assert kinds == ["Category", "Thread", "Thread", *["Post"] * 7]
    category, thread, lost = found[0], found[1], found[2]
    assert isinstance(category, disqus.Category) and category.title == "General"
    assert isinstance(thread, disqus.Thread)
    assert thread.id == "2001"
    assert thread.link == "https://practice-sample.example/2024/03/05/notes-from-a-first-session/"
    assert thread.title == "Notes From a First Session"
    assert thread.identifier == "4 https://practice-sample.example/?p=4"
    assert thread.wordpress_id == 4
    assert thread.created_at == dt.datetime(2024, 3, 5, 15, 20, tzinfo=dt.UTC)
    assert isinstance(lost, disqus.Thread) and lost.is_closed and lost.wordpress_id is None


def test_a_post_carries_its_message_author_flags_thread_and_parent() -> None:
    posts = {r.id: r for r in disqus.read(str(EXPORT)) if isinstance(r, disqus.Post)}
    first = posts["3001"]
    assert first.thread == "2001" and first.parent == ""
    assert first.message == "<p>Thank you for this — it names something I could not.</p>"
    assert first.created_at == dt.datetime(2024, 3, 6, 14, 0, tzinfo=dt.UTC)
    assert first.author == disqus.Author(
        name="First Reader", email="first@mail.example", username="firstreader", is_anonymous=False
    )
    assert first.ip_address == "203.0.113.131"
    assert (first.is_spam, first.is_deleted, first.is_approved) == (False, False, True)
    reply = posts["3003"]
    assert reply.parent == "3002"
    assert reply.message == "<p>Replying to the second comment; a CDATA end ]]> inside.</p>"
    assert reply.author.name == "Ωμέγα Χρήστης" and reply.author.is_anonymous
    assert posts["3004"].is_spam and posts["3005"].is_deleted


def test_a_post_marked_not_approved_is_read_as_waiting() -> None:
    found = records(
        HEAD + '<post dsq:id="1"><message>x</message><isApproved>false</isApproved>'
        '<thread dsq:id="2"/></post></disqus>'
    )
    assert isinstance(found[0], disqus.Post) and not found[0].is_approved


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
            '<disqus xmlns="http://disqus.com"><category><title>&b;</title></category></disqus>',
            "declares a DOCTYPE",
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE disqus SYSTEM "file:///etc/passwd">\n'
            '<disqus xmlns="http://disqus.com"></disqus>',
            "declares a DOCTYPE",
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '\n<disqus xmlns="http://disqus.com"><category><title>&x;</title></category></disqus>',
            "declares a DOCTYPE",
        ),
        ('<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>', "not <disqus>"),
        (HEAD + '<thread dsq:id="1"><link>https://a.example/</link>\n<title>cut', "line 4"),
        (HEAD + '<post dsq:id="1"><message>x</message></post></disqus>', "names no thread"),
        (HEAD + "<thread><link>https://a.example/</link></thread></disqus>", "without a dsq:id"),
        ("", "Not a complete, well-formed XML file"),
        ("this is not xml at all", "Not a complete, well-formed XML file"),
        (
            HEAD + '<thread dsq:id="\u00b2"><link>https://a.example/</link></thread></disqus>',
            "line 3",
        ),
        (
            HEAD + '<post dsq:id="1"><message>x</message>\n<thread dsq:id="2"/>'
            '<parent dsq:id="1x"/></post></disqus>',
            "line 4",
        ),
    ],
    ids=[
        "entity bomb",
        "external dtd",
        "external entity",
        "not disqus",
        "cut off",
        "post without thread",
        "thread without id",
        "empty",
        "not xml",
        "thread id not a number",
        "parent id not a number",
    ],
)
def test_hostile_or_broken_files_are_refused_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(disqus.DisqusError) as refused:
        records(text)
    assert message in str(refused.value)


# ------------------------------------------------------------------------------ the import

OLD_LINK = "/2024/03/05/notes-from-a-first-session/"


@pytest.fixture
def post() -> Post:
    """The post the sample's first thread was under, at its Stoa address, with the old
    WordPress permalink in the redirect table (as the WordPress import leaves it)."""
    post = PostFactory(
        title="Notes From a First Session",
        slug="notes-from-a-first-session",
        published_at=dt.datetime(2024, 3, 5, 15, 15, tzinfo=dt.UTC),
    )
    add_redirect(old_path=OLD_LINK, new_path=post.get_absolute_url())
    return post


def by_text(post: Post) -> dict[str, Comment]:
    return {c.text: c for c in Comment.objects.filter(post=post)}


def test_comments_land_on_the_post_their_thread_was_under_threaded_and_judged(post) -> None:
    run = disqus.import_disqus(source=EXPORT)
    assert run.status == RunStatus.DONE and run.kind == "disqus" and not run.error
    comments = by_text(post)
    first = comments["<p>Thank you for this — it names something I could not.</p>"]
    second = comments["<p>Replying to the first.</p>"]
    third = comments["<p>Replying to the second comment; a CDATA end ]]> inside.</p>"]
    assert (first.parent_id, second.parent_id, third.parent_id) == (None, first.pk, second.pk)
    assert (first.depth, second.depth, third.depth) == (1, 2, 3)
    assert first.author_name == "First Reader" and first.author_email == "first@mail.example"
    assert first.ip_address == "203.0.113.131"
    assert first.created_at == dt.datetime(2024, 3, 6, 14, 0, tzinfo=dt.UTC)
    assert third.author_name == "Ωμέγα Χρήστης"
    assert comments["<p>Buy cheap watches</p>"].status == CommentStatus.SPAM
    assert comments["<p>Deleted by its writer.</p>"].status == CommentStatus.TRASH
    orphan = comments["<p>My parent went missing.</p>"]
    assert orphan.parent_id is None and orphan.status == CommentStatus.APPROVED
    post.refresh_from_db()
    assert post.comment_count == 4
    assert run.counts == {
        "thread": {"created": 0, "updated": 1, "skipped": 1, "failed": 0},
        "comment": {"created": 6, "updated": 0, "skipped": 1, "failed": 0},
    }
    assert any("3006" in p and "top-level" in p for p in run.problems)
    assert any("Gone for Good" in p and "1 comment" in p for p in run.problems)
    assert not Comment.objects.exclude(post=post).exists()


def test_a_second_run_of_the_same_file_changes_nothing(post) -> None:
    disqus.import_disqus(source=EXPORT)
    before = list(Comment.objects.order_by("pk").values())
    again = disqus.import_disqus(source=EXPORT)
    assert again.status == RunStatus.DONE
    assert again.counts["comment"] == {"created": 0, "updated": 0, "skipped": 7, "failed": 0}
    assert list(Comment.objects.order_by("pk").values()) == before


def test_a_newer_export_updates_what_changed_and_adds_no_duplicates(post, tmp_path) -> None:
    disqus.import_disqus(source=EXPORT)
    newer = tmp_path / "newer.xml"
    newer.write_text(
        EXPORT.read_text().replace(
            "<isSpam>true</isSpam>", "<isSpam>false</isSpam>"
        )  # a moderator took the watches out of spam
    )
    run = disqus.import_disqus(source=newer)
    assert run.counts["comment"] == {"created": 0, "updated": 1, "skipped": 6, "failed": 0}
    assert by_text(post)["<p>Buy cheap watches</p>"].status == CommentStatus.APPROVED
    assert Comment.objects.count() == 6


def test_a_dry_run_reports_and_writes_nothing(post) -> None:
    run = disqus.import_disqus(source=EXPORT, dry_run=True)
    assert run.status == RunStatus.DONE and run.dry_run
    assert run.counts["comment"]["created"] == 6
    assert not Comment.objects.exists()
    assert not Mapping.objects.exists() and not SourceSite.objects.exists()
    assert run.site is None


def test_a_file_cut_off_halfway_writes_nothing_and_says_where(post, tmp_path) -> None:
    text = EXPORT.read_text()
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: text.index('<post dsq:id="3005">') + 40])
    run = disqus.import_disqus(source=cut)
    assert run.status == RunStatus.FAILED
    assert "line" in run.error
    assert not Comment.objects.exists() and not Mapping.objects.exists()


def test_replies_met_before_their_parents_wait_for_them_across_batches(post, monkeypatch) -> None:
    monkeypatch.setattr(disqus, "BATCH", 1)
    run = disqus.import_disqus(source=EXPORT)
    comments = by_text(post)
    second = comments["<p>Replying to the first.</p>"]
    third = comments["<p>Replying to the second comment; a CDATA end ]]> inside.</p>"]
    assert third.parent_id == second.pk
    assert run.counts["comment"]["created"] == 6


def thread_file(link: str, identifier: str = "") -> bytes:
    return (
        HEAD + f'<thread dsq:id="1"><forum>f</forum><id>{identifier}</id><link>{link}</link>'
        "<title>T</title></thread>"
        '<post dsq:id="2"><message>Hello.</message><createdAt>2024-01-01T00:00:00Z</createdAt>'
        "<author><name>A</name><email>a@mail.example</email></author>"
        '<thread dsq:id="1"/></post></disqus>'
    ).encode()


def test_a_thread_is_matched_by_the_posts_own_address_with_or_without_its_slash() -> None:
    post = PostFactory(slug="on-listening")
    address = f"https://magazine.example{post.get_absolute_url()}"
    disqus.import_disqus(source=io.BytesIO(thread_file(address.rstrip("/"))))
    assert [c.text for c in Comment.objects.filter(post=post)] == ["Hello."]


def test_a_thread_is_matched_by_the_wordpress_id_the_disqus_plugin_recorded() -> None:
    post = PostFactory()
    site = SourceSite.objects.create(base_url="https://old.example")
    Mapping.objects.create(site=site, kind=ObjectKind.POST, source_key="77", object_id=post.pk)
    source = thread_file(
        "https://old.example/?p=77&amp;preview=true", "77 https://old.example/?p=77"
    )
    run = disqus.import_disqus(source=io.BytesIO(source))
    assert run.counts["thread"]["updated"] == 1
    assert Comment.objects.filter(post=post).count() == 1


def test_the_command_prints_the_report_and_refuses_what_it_cannot_read(post, tmp_path) -> None:
    out = io.StringIO()
    call_command("import_disqus", str(EXPORT), "--dry-run", stdout=out)
    assert "dry run" in out.getvalue() and "comment" in out.getvalue()
    assert not Comment.objects.exists()
    call_command("import_disqus", str(EXPORT), stdout=out)
    assert Comment.objects.count() == 6
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_disqus", str(tmp_path / "missing.xml"), stdout=out)
    hostile = tmp_path / "hostile.xml"
    hostile.write_text('<?xml version="1.0"?><!DOCTYPE disqus [<!ENTITY x "y">]><disqus/>')
    with pytest.raises(CommandError, match="DOCTYPE"):
        call_command("import_disqus", str(hostile), stdout=out)


def test_a_dsq_id_that_is_not_a_number_is_refused_saying_what_and_where() -> None:
    with pytest.raises(disqus.DisqusError) as refused:
        records(HEAD + '<category dsq:id="٣"><title>x</title></category></disqus>')
    assert str(refused.value) == (
        "A <category> whose dsq:id '٣' is not a Disqus id (ASCII digits) (line 3)"
    )


# ----------------------------------------------------- comments deleted here since an import


def purge_spam_and_trash() -> None:
    """What the daily purge does once the retention period is over."""
    purge_old_comments(now=timezone.now() + dt.timedelta(days=365))


def test_a_comment_deleted_here_since_an_import_is_made_again_as_the_wordpress_import_does(
    post, tmp_path
) -> None:
    disqus.import_disqus(source=EXPORT)
    purge_spam_and_trash()  # the watches (spam) and the withdrawn comment (trash) are gone
    assert set(by_text(post)) == {
        "<p>Thank you for this — it names something I could not.</p>",
        "<p>Replying to the first.</p>",
        "<p>Replying to the second comment; a CDATA end ]]> inside.</p>",
        "<p>My parent went missing.</p>",
    }
    newer = tmp_path / "newer.xml"
    text = EXPORT.read_text().replace("<isSpam>true</isSpam>", "<isSpam>false</isSpam>")
    reply = (
        '<post dsq:id="3008"><message><![CDATA[<p>Answering the withdrawn one.</p>]]></message>'
        "<createdAt>2024-03-09T10:00:00Z</createdAt><author><name>Late</name></author>"
        '<thread dsq:id="2001" /><parent dsq:id="3005" /></post>\n</disqus>'
    )
    newer.write_text(text.replace("</disqus>", reply))
    run = disqus.import_disqus(source=newer)
    assert run.status == RunStatus.DONE
    # The watches "changed" (no longer spam) and the withdrawn comment did not: both are
    # written again, with the new reply.
    assert run.counts["comment"] == {"created": 3, "updated": 0, "skipped": 5, "failed": 0}
    comments = by_text(post)
    assert comments["<p>Buy cheap watches</p>"].status == CommentStatus.APPROVED
    withdrawn = comments["<p>Deleted by its writer.</p>"]
    assert withdrawn.status == CommentStatus.TRASH
    late = comments["<p>Answering the withdrawn one.</p>"]
    assert (late.parent_id, late.depth) == (withdrawn.pk, 2)
    # Every mapping row names a comment that exists, one row per Disqus comment brought.
    rows = Mapping.objects.filter(kind=ObjectKind.COMMENT)
    assert rows.count() == Comment.objects.count() == 7
    assert set(rows.values_list("object_id", flat=True)) == set(
        Comment.objects.values_list("pk", flat=True)
    )


def test_a_new_reply_to_a_comment_deleted_here_and_not_in_the_file_is_top_level_and_reported(
    post,
) -> None:
    link = "https://practice-sample.example/2024/03/05/notes-from-a-first-session/"
    first = (
        HEAD + f'<thread dsq:id="1"><forum>f</forum><link>{link}</link><title>T</title></thread>'
        '<post dsq:id="10"><message>Spam.</message><isSpam>true</isSpam>'
        "<createdAt>2024-03-06T10:00:00Z</createdAt>"
        '<thread dsq:id="1"/></post></disqus>'
    )
    disqus.import_disqus(source=io.BytesIO(first.encode()))
    purge_spam_and_trash()
    assert not Comment.objects.exists()
    # A later export left the spam out (Disqus purged it too) but holds a reply to it.
    later = (
        HEAD + f'<thread dsq:id="1"><forum>f</forum><link>{link}</link><title>T</title></thread>'
        '<post dsq:id="11"><message>A reply.</message>'
        "<createdAt>2024-03-07T10:00:00Z</createdAt>\n"
        '<thread dsq:id="1"/><parent dsq:id="10"/></post></disqus>'
    )
    run = disqus.import_disqus(source=io.BytesIO(later.encode()))
    assert run.status == RunStatus.DONE
    reply = Comment.objects.get()
    assert (reply.text, reply.parent_id, reply.depth) == ("A reply.", None, 1)
    assert any(
        "Disqus comment 11 answers comment 10" in p and "top-level" in p and "line 3" in p
        for p in run.problems
    )
    assert not Mapping.objects.filter(kind=ObjectKind.COMMENT, source_key="10").exists()


# ------------------------------------------------------------------- runs that fail


def test_a_failed_run_keeps_no_counts_of_work_that_was_rolled_back(post, tmp_path) -> None:
    text = EXPORT.read_text()
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: text.index('<post dsq:id="3005">') + 40])
    run = disqus.import_disqus(source=cut)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    # As the WordPress import: a failure keeps its reason, not the counts of a rollback.
    assert (run.counts, run.problems) == ({}, [])


def test_a_thread_identifier_that_only_looks_like_a_number_names_no_wordpress_post() -> None:
    post = PostFactory()
    site = SourceSite.objects.create(base_url="https://old.example")
    Mapping.objects.create(site=site, kind=ObjectKind.POST, source_key="2", object_id=post.pk)
    # "²" and "٢" are digits to str.isdigit(), but not a WordPress id: the identifier is free
    # text the site gave Disqus, so the thread is unmatched, not refused.
    for identifier in ("² https://old.example/?p=2", "٢ https://old.example/?p=2"):
        run = disqus.import_disqus(
            source=io.BytesIO(thread_file("https://elsewhere.example/x/", identifier))
        )
        assert run.status == RunStatus.DONE
        assert run.counts["thread"]["skipped"] == 1
    assert not Comment.objects.exists()


def test_an_unexpected_error_marks_the_run_failed_logs_it_and_is_raised_again(
    post, monkeypatch, caplog
) -> None:
    def broken(**kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(disqus, "import_comments", broken)
    with pytest.raises(RuntimeError, match="on fire"):
        call_command("import_disqus", str(EXPORT), stdout=io.StringIO())
    run = ImportRun.objects.get()
    assert run.status == RunStatus.FAILED and run.finished_at is not None
    assert run.error == "RuntimeError: the disk is on fire"
    assert (run.counts, run.problems) == ({}, [])
    logged = [r for r in caplog.records if r.name == "stoa.wordpress.disqus"]
    assert logged and logged[0].exc_info is not None
    assert not Comment.objects.exists() and not Mapping.objects.exists()


# ---------------------------------------------------------------- deleted and closed threads


def post_at(old_path: str) -> Post:
    post = PostFactory()
    add_redirect(old_path=old_path, new_path=post.get_absolute_url())
    return post


def test_the_comments_of_a_thread_deleted_on_disqus_are_skipped_and_reported() -> None:
    post = post_at("/2023/01/10/an-old-discussion/")
    post_at("/2023/02/11/a-closed-discussion/")
    run = disqus.import_disqus(source=THREADS_DELETED_AND_CLOSED)
    assert run.status == RunStatus.DONE
    assert not Comment.objects.filter(post=post).exists()
    assert run.counts["thread"] == {"created": 0, "updated": 1, "skipped": 1, "failed": 0}
    assert run.counts["comment"] == {"created": 1, "updated": 0, "skipped": 2, "failed": 0}
    assert [p for p in run.problems if "An Old Discussion" in p] == [
        "The Disqus thread “An Old Discussion” "
        "(https://practice-sample.example/2023/01/10/an-old-discussion/) was deleted on "
        "Disqus: its 2 comment(s) were not brought over."
    ]


def test_the_comments_of_a_closed_thread_are_imported_as_they_are_and_the_post_is_left_alone():
    post_at("/2023/01/10/an-old-discussion/")
    closed = post_at("/2023/02/11/a-closed-discussion/")
    disqus.import_disqus(source=THREADS_DELETED_AND_CLOSED)
    comment = Comment.objects.get(post=closed)
    assert comment.text == "<p>Written before the thread was closed.</p>"
    assert comment.status == CommentStatus.APPROVED
    closed.refresh_from_db()
    assert closed.comments_open


def test_a_thread_that_matches_no_post_is_reported_only_when_it_had_comments(post) -> None:
    source = (
        HEAD + '<thread dsq:id="1"><forum>f</forum><link>https://x.example/empty/</link>'
        "<title>Nobody Spoke</title></thread>"
        '<thread dsq:id="2"><forum>f</forum><link>https://x.example/busy/</link>'
        "<title>Somebody Spoke</title></thread>"
        '<post dsq:id="3"><message>Hi.</message><thread dsq:id="2"/></post>'
        '<post dsq:id="4"><message>Hi again.</message><thread dsq:id="2"/></post>'
        '<post dsq:id="5"><message>Elsewhere.</message><thread dsq:id="6"/></post></disqus>'
    )
    run = disqus.import_disqus(source=io.BytesIO(source.encode()))
    assert run.status == RunStatus.DONE
    assert run.counts["thread"]["skipped"] == 2
    assert run.counts["comment"]["skipped"] == 3
    assert run.problems == [
        "No post matches the Disqus thread “Somebody Spoke” (https://x.example/busy/): its 2 "
        "comment(s) were not brought over.",
        "No post matches the Disqus thread “thread 6” ((not in the file)): its 1 comment(s) "
        "were not brought over.",
    ]
    assert not Comment.objects.exists()


# --------------------------------------------------------------- as Disqus judged, quietly


def test_imported_comments_are_stored_as_judged_with_no_email_and_no_moderation_rule(
    post,
) -> None:
    settings = DiscussionSettings.current()
    # Rules that would send these to spam or hold them, and emails that would go out, were
    # these comments written here.
    settings.disallowed_keys = "Thank you\nReplying"
    settings.moderation_keys = "missing"
    settings.hold_first_comment = True
    settings.notify_post_author = settings.notify_moderators = True
    settings.moderator_emails = "moderator@mail.example"
    settings.save()
    run = disqus.import_disqus(source=EXPORT)
    assert run.status == RunStatus.DONE
    statuses = {text: c.status for text, c in by_text(post).items()}
    assert statuses == {
        "<p>Thank you for this — it names something I could not.</p>": CommentStatus.APPROVED,
        "<p>Replying to the first.</p>": CommentStatus.APPROVED,
        "<p>Replying to the second comment; a CDATA end ]]> inside.</p>": CommentStatus.APPROVED,
        "<p>Buy cheap watches</p>": CommentStatus.SPAM,
        "<p>Deleted by its writer.</p>": CommentStatus.TRASH,
        "<p>My parent went missing.</p>": CommentStatus.APPROVED,
    }
    assert mail.outbox == []
    assert not CommentEvent.objects.exists()


def snapshot() -> dict[str, list[dict]]:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Comment, Mapping, SourceSite, Post)
    }


def test_a_dry_run_over_an_earlier_import_writes_nothing_and_says_what_it_would_do(
    post, tmp_path
) -> None:
    disqus.import_disqus(source=EXPORT)
    newer = tmp_path / "newer.xml"
    newer.write_text(EXPORT.read_text().replace("<isSpam>true</isSpam>", "<isSpam>false</isSpam>"))
    before = snapshot()
    out = io.StringIO()
    call_command("import_disqus", str(newer), "--dry-run", stdout=out)
    assert snapshot() == before
    run = ImportRun.objects.latest("pk")
    assert run.dry_run and run.status == RunStatus.DONE and run.site is not None
    assert run.counts["comment"] == {"created": 0, "updated": 1, "skipped": 6, "failed": 0}
    printed = out.getvalue()
    assert "dry run: nothing written" in printed
    assert [line.split() for line in printed.splitlines() if "comment" in line][0][1::2] == [
        "comment",
        "0",
        "1",
        "6",
        "0",
    ]


def test_the_progress_callback_is_told_as_the_file_is_read(post) -> None:
    link = "https://practice-sample.example/2024/03/05/notes-from-a-first-session/"
    posts = "".join(
        f'<post dsq:id="{n}"><message>Comment {n}.</message>'
        f'<createdAt>2024-03-06T10:00:00Z</createdAt><thread dsq:id="1"/></post>'
        for n in range(10, 1209)
    )
    source = (
        HEAD + f'<thread dsq:id="1"><forum>f</forum><link>{link}</link><title>T</title></thread>'
        f"{posts}</disqus>"
    )
    told: list[int] = []
    run = disqus.import_disqus(source=io.BytesIO(source.encode()), progress=lambda: told.append(1))
    assert run.counts["comment"]["created"] == 1199
    # Told every 500 records (1,200 in all: the thread and its comments).
    assert len(told) == 2
