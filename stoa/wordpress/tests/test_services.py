"""The import service: everything the issue lists comes over from a WordPress export, once,
all or nothing, and a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stoa.core import cache
from stoa.core.models import Redirect
from stoa.core.tests.test_images import photo
from stoa.discussion import services as discussion
from stoa.discussion.models import Comment, CommentKind, CommentStatus, DiscussionSettings
from stoa.members.models import Profile, User
from stoa.members.tests.helpers import last_email_to, link_in
from stoa.publishing.models import (
    Category,
    MediaItem,
    Page,
    PageStatus,
    Person,
    Post,
    PostStatus,
    PostVisibility,
    Tag,
)
from stoa.publishing.tests.factories import PostFactory
from stoa.wordpress import services, wxr
from stoa.wordpress.models import ImportRun, Mapping, ObjectKind, RunStatus, SourceSite

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample-export.wordpress.xml"
EDGES = DATA / "edge-cases.wordpress.xml"
UTC = dt.UTC
CLAIMED = "a-password-chosen-after-the-move"
NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(temporary_media: Path) -> Path:
    return temporary_media


def imported(path: Path = SAMPLE, **kwargs) -> services.Report:
    return services.import_wordpress(source=path, **kwargs)


def post_of(wp_id: int) -> Post:
    mapping = Mapping.objects.get(kind=ObjectKind.POST, source_key=str(wp_id))
    return Post.objects.get(pk=mapping.object_id)


def comment_of(wp_id: int) -> Comment:
    mapping = Mapping.objects.get(kind=ObjectKind.COMMENT, source_key=str(wp_id))
    return Comment.objects.get(pk=mapping.object_id)


def snapshot() -> dict[str, list]:
    """Every row the import writes, as plain values (to compare two states): the content,
    the authors' accounts with their allauth addresses and profiles, the old site, the
    redirect table (old address → new, note, when); of the mapping rows, not the run that
    last met them (bookkeeping)."""
    rows = {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (
            Person,
            User,
            EmailAddress,
            Profile,
            Category,
            Tag,
            Post,
            Page,
            MediaItem,
            Comment,
            SourceSite,
            Redirect,
        )
    }
    rows["Mapping"] = list(Mapping.objects.order_by("pk").values())
    for row in rows["Mapping"]:
        row.pop("run_id", None)
    return rows


def test_the_sample_export_comes_over_with_counts_per_kind():
    report = imported()
    assert report.count("author", "created") == 2
    assert report.count("category", "created") == 5
    assert report.count("tag", "created") == 8
    assert report.count("attachment", "created") == 2
    # 11 posts: the trashed one skipped.
    assert report.count("post", "created") == 10
    assert report.count("post", "skipped") == 1
    assert report.count("page", "created") == 4
    assert report.count("comment", "created") == 15
    assert Post.objects.count() == 10
    assert Comment.objects.count() == 15
    assert SourceSite.objects.get().base_url == "https://practice-sample.example"


def test_authors_become_people_with_accounts_claimable_by_password_reset():
    imported()
    maria = Person.objects.get(name="María Ortega")
    assert maria.slug == "mariaeditor" or maria.slug.startswith("maria")
    user = maria.user
    assert user is not None
    assert user.email == "maria@practice-sample.example"
    assert not user.has_usable_password()
    assert not user.is_staff
    assert user.emailaddress_set.get().email == "maria@practice-sample.example"


def claimed_by_reset(client, email: str) -> User:
    """An imported author claims their account: a reset asked at their address, the
    emailed link followed, a password chosen."""
    asked = client.post(reverse("account_reset_password"), {"email": email})
    assert asked.status_code == 302
    assert asked["Location"] == reverse("account_reset_password_done")
    message = last_email_to(email)
    assert message.to == [email]
    assert "do not have any record" not in message.body
    opened = client.get(link_in(message))
    assert opened.status_code == 302  # to the form, the key out of the address
    done = client.post(opened["Location"], {"password1": CLAIMED, "password2": CLAIMED})
    assert done.status_code == 302
    assert done["Location"] == reverse("account_reset_password_from_key_done")
    return User.objects.get(email=email)


def test_an_imported_authors_account_without_a_password_gets_one_by_a_reset(client):
    imported()
    user = Person.objects.get(name="María Ortega").user
    assert not user.has_usable_password()
    claimed = claimed_by_reset(client, "maria@practice-sample.example")
    assert claimed == user
    assert claimed.has_usable_password() and claimed.check_password(CLAIMED)


def test_an_imported_author_logs_in_with_the_password_the_reset_gave():
    imported()
    email = "maria@practice-sample.example"
    user = claimed_by_reset(Client(), email)
    author = Client()
    logged = author.post(reverse("account_login"), {"login": email, "password": CLAIMED})
    assert logged.status_code == 302
    assert logged["Location"] != reverse("account_email_verification_sent")
    assert author.session.get("_auth_user_id") == str(user.pk)


def test_categories_keep_hierarchy_and_descriptions_and_tags_their_names():
    imported()
    trauma = Category.objects.get(slug="trauma-work")
    assert trauma.name == "Trauma"
    assert trauma.parent is not None and trauma.parent.slug == "clinical-practice"
    assert trauma.parent.description == "Work in the room."
    assert Tag.objects.filter(name="Ψυχοθεραπεία").exists()
    assert Tag.objects.get(name="Éthique").slug == "ethique"


def test_a_child_category_named_before_its_parent_gets_it():
    imported(EDGES)
    child = Category.objects.get(slug="child")
    assert child.parent == Category.objects.get(slug="parent")


def test_every_post_status_is_mapped():
    imported()
    assert post_of(4).status == PostStatus.PUBLISHED
    assert post_of(9).status == PostStatus.DRAFT
    assert post_of(9).published_at is None
    assert post_of(10).status == PostStatus.PENDING
    assert post_of(11).status == PostStatus.PRIVATE
    scheduled = post_of(12)
    assert scheduled.status == PostStatus.SCHEDULED
    assert scheduled.published_at == dt.datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
    assert not Mapping.objects.filter(kind=ObjectKind.POST, source_key="15").exists()


def test_a_password_protected_post_is_for_members_and_reported():
    report = imported()
    assert post_of(13).visibility == PostVisibility.MEMBERS
    assert any("password" in line and "members only" in line for line in report.problems)


def test_slugs_dates_sticky_excerpts_and_comment_status_are_kept():
    imported()
    post = post_of(4)
    assert post.slug == "notes-from-a-first-session"
    assert post.published_at == dt.datetime(2024, 3, 5, 15, 15, tzinfo=UTC)
    assert post.created_at == dt.datetime(2024, 3, 5, 15, 15, tzinfo=UTC)
    assert post.updated_at == dt.datetime(2026, 12, 6, 5, 31, 10, tzinfo=UTC)
    assert post.excerpt == "What the intake form never tells you."
    assert post_of(14).is_sticky
    assert not post_of(17).comments_open
    assert post_of(4).comments_open
    assert [p.name for p in post.authors.all()] == ["María Ortega"]
    assert sorted(t.slug for t in post.tags.all()) == ["ethique", "first-sessions", "intake"]


def test_a_title_with_markup_becomes_plain_text():
    imported()
    title = post_of(17).title
    assert title.startswith("Markup in a Title & “Quotes” — and a Very Long Title")
    assert "<em>" not in title


def test_bodies_are_converted_and_point_at_the_imported_media():
    imported()
    body = post_of(4).body
    assert "<figcaption>The waiting room, before nine.</figcaption>" in body
    assert "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE" in body
    assert '[contact-form-7 id="12" title="Ask us"]' in body
    assert "wp:" not in post_of(8).body
    assert "https://player.vimeo.com/video/76979871" in post_of(8).body


def test_unknown_shortcodes_are_reported():
    report = imported()
    assert any("[contact-form-7]" in line for line in report.problems)


def test_what_the_report_tallies_by_name_keeps_a_few_names_and_places_whatever_the_file(
    tmp_path, monkeypatch
):
    # A file of made-up names (post types here; shortcodes and reasons alike) must not grow
    # the importer's memory: a few names are kept, each with its first places, the rest
    # counted.
    monkeypatch.setattr(services, "NAMES_TALLIED", 2)
    monkeypatch.setattr(services, "PLACES_NAMED", 1)
    others = "".join(
        f"<item><title>Other {n}</title><wp:post_id>{900 + n}</wp:post_id>"
        f"<wp:post_type><![CDATA[{kind}]]></wp:post_type><wp:status>publish</wp:status></item>"
        for n, kind in enumerate(["menu_a", "menu_a", "menu_a", "block_b", "c", "d", "e"])
    )
    source = tmp_path / "others.xml"
    source.write_text(SAMPLE.read_text().replace("</channel>", others + "</channel>"))
    report = imported(source)
    lines = [line for line in report.problems if "skipped: Stoa has nothing like" in line]
    assert lines == [
        "1 item(s) of type “block_b” skipped: Stoa has nothing like them.",
        "3 item(s) of type “menu_a” skipped: Stoa has nothing like them.",
        "3 more item(s) of other types skipped: Stoa has nothing like them.",
    ]
    assert report.count("other item", "skipped") == 7


def test_pages_keep_parents_order_and_drafts():
    imported()
    pages = {p.title: p for p in Page.objects.all()}
    assert pages["Team"].parent == pages["About"]
    assert pages["History"].path == "about/team/history"
    assert (pages["About"].menu_order, pages["Team"].menu_order) == (1, 2)
    assert pages["Draft Page"].status == PageStatus.DRAFT
    assert pages["Draft Page"].slug == "draft-page"


def test_comments_keep_status_type_threading_and_their_writers():
    imported()
    assert comment_of(7).depth == 6
    assert comment_of(3).parent == comment_of(2)
    assert comment_of(10).status == CommentStatus.PENDING
    assert comment_of(12).status == CommentStatus.TRASH
    assert comment_of(13).kind == CommentKind.PINGBACK
    assert comment_of(14).kind == CommentKind.TRACKBACK
    first = comment_of(2)
    assert (first.author_name, first.author_email, first.author_url) == (
        "Reader 1",
        "reader1@mail.example",
        "https://reader1.example/",
    )
    assert first.ip_address == "203.0.113.16"
    assert first.created_at == dt.datetime(2024, 2, 15, 7, 0, tzinfo=UTC)
    by_author = comment_of(15)
    assert by_author.user is not None and by_author.user.email == "maria@practice-sample.example"
    assert "<blockquote>" in comment_of(8).html
    # Approved ones, pingbacks and trackbacks included (WordPress's comment_count).
    assert post_of(22).comment_count == 12


def test_comments_keep_their_wordpress_ids_so_old_anchors_name_them():
    # WordPress links a comment as #comment-<its id>; on a fresh site every id is free.
    imported()
    for wp_id in (2, 3, 7, 8, 13, 14, 16, 17):
        assert comment_of(wp_id).pk == wp_id
    # A comment written here afterwards is numbered past them.
    later = discussion.import_comments(
        post=post_of(22),
        rows=[
            discussion.ImportedComment(
                key="later", author_name="Later", text="After the move.", created_at=NOW
            )
        ],
    ).comments["later"]
    assert later > 17


def test_a_comment_whose_wordpress_id_is_taken_here_is_numbered_and_reported(client):
    elsewhere = PostFactory()
    discussion.import_comments(
        post=elsewhere,
        rows=[
            discussion.ImportedComment(
                key=1, author_name="Here", text="Mine.", created_at=NOW, wanted_pk=8
            )
        ],
    )
    report = imported()
    moved = comment_of(8)
    assert moved.pk != 8 and "Say it early." in moved.text
    assert comment_of(7).pk == 7
    [line] = [p for p in report.problems if "could not keep their WordPress ids" in p]
    assert line.startswith("1 comment(s) could not keep their WordPress ids (8)")
    # Its post's page shows no comment 8, so the anchor script asks the old id's address.
    response = client.get("/wordpress/comment/8/")
    assert response["Location"].endswith(f"#comment-{moved.pk}")


def test_a_comment_that_cannot_keep_its_id_takes_none_a_later_batch_asks_for(tmp_path, monkeypatch):
    # Each post a batch of its own. The first post's comment is WordPress's 1 here, and a
    # comment of this site has 1: it is numbered past every comment id of the file (the
    # first pass found the largest), not past its own batch's, where post 22's comment 2
    # would have lost its id to it.
    monkeypatch.setattr(services, "POST_BATCH", 1)
    monkeypatch.setattr(services, "COMMENT_BATCH", 1)
    discussion.import_comments(
        post=PostFactory(),
        rows=[
            discussion.ImportedComment(
                key=1, author_name="Here", text="Mine.", created_at=NOW, wanted_pk=1
            )
        ],
    )
    source = tmp_path / "first-comment-one.xml"
    source.write_text(
        SAMPLE.read_text().replace(
            "<wp:comment_id>17</wp:comment_id>", "<wp:comment_id>1</wp:comment_id>"
        )
    )
    report = imported(source)
    assert comment_of(1).pk > 16
    for wp_id in range(2, 17):
        if wp_id != 11:  # not in the file
            assert comment_of(wp_id).pk == wp_id, wp_id
    [line] = [p for p in report.problems if "could not keep their WordPress ids" in p]
    assert line.startswith("1 comment(s) could not keep their WordPress ids (1)")


def test_a_comment_id_too_large_to_keep_is_numbered_and_later_comments_still_get_ids(
    tmp_path, client
):
    source = tmp_path / "huge-id.xml"
    huge = 2**63 - 1
    source.write_text(
        SAMPLE.read_text().replace(
            "<wp:comment_id>17</wp:comment_id>", f"<wp:comment_id>{huge}</wp:comment_id>"
        )
    )
    report = imported(source)
    kept = comment_of(huge)
    assert kept.pk < 2**31
    assert any(f"could not keep their WordPress ids ({huge})" in p for p in report.problems)
    later = discussion.import_comments(
        post=post_of(22),
        rows=[discussion.ImportedComment(key="x", author_name="Later", text="x", created_at=NOW)],
    ).comments["x"]
    assert kept.pk < later < 2**31


def with_members(tmp_path: Path) -> Path:
    """The sample with comments 2 and 3 by members who write no posts, as Stoa's export names
    them (_stoa_member): 2's account is here already, 3's is not."""
    member = (
        "<wp:comment_user_id>0</wp:comment_user_id>"
        "<wp:commentmeta><wp:meta_key>_stoa_member</wp:meta_key>"
        "<wp:meta_value><![CDATA[{}]]></wp:meta_value></wp:commentmeta>"
    )
    text = SAMPLE.read_text()
    for wp_id, email in ((2, "Reader1@Mail.example"), (3, "reader2@mail.example")):
        start = text.index(f"<wp:comment_id>{wp_id}</wp:comment_id>")
        end = text.index("<wp:comment_user_id>0</wp:comment_user_id>", start)
        closing = end + len("<wp:comment_user_id>0</wp:comment_user_id>")
        text = text[:end] + member.format(email) + text[closing:]
    source = tmp_path / "members.xml"
    source.write_text(text)
    return source


def test_a_members_comment_in_stoas_export_comes_back_under_their_account(client, tmp_path):
    here = User.objects.create_user(username="reader1", email="reader1@mail.example")
    report = imported(with_members(tmp_path))
    assert comment_of(2).user == here
    newcomer = comment_of(3).user
    assert newcomer is not None and newcomer.email == "reader2@mail.example"
    assert not newcomer.has_usable_password()
    assert report.count("member account", "created") == 1
    # Its owner claims it as an author claims theirs.
    assert claimed_by_reset(client, "reader2@mail.example") == newcomer
    # A guest's comment stays a guest's; the same file again changes nothing.
    assert comment_of(4).user is None
    assert imported(with_members(tmp_path)).count("comment", "updated") == 0
    assert User.objects.filter(email__iexact="reader2@mail.example").count() == 1


@pytest.mark.parametrize("address", ["not an address", "r" * 250 + "@mail.example"])
def test_a_member_named_by_no_address_an_account_can_have_is_kept_as_a_guest(tmp_path, address):
    source = with_members(tmp_path)
    source.write_text(source.read_text().replace("Reader1@Mail.example", address))
    report = imported(source)
    assert comment_of(2).user is None
    assert comment_of(2).author_email == "reader1@mail.example"
    assert not User.objects.filter(email__iexact=address).exists()
    assert any("Comment 2:" in line and "kept as a guest's" in line for line in report.problems)


def test_a_comment_whose_parent_is_missing_is_top_level_and_reported():
    report = imported()
    orphan = comment_of(16)
    assert orphan.parent is None
    assert any("999999" in line for line in report.problems)


def test_threading_ten_deep_spam_and_a_repeated_post_id():
    report = imported(EDGES)
    assert comment_of(210).depth == 10
    assert comment_of(221).status == CommentStatus.SPAM
    assert comment_of(225).ip_address is None
    assert report.count("post", "skipped") == 1
    assert any("given twice" in line for line in report.problems)
    assert post_of(100).title == "A Thread Ten Deep"


def test_a_long_title_is_cut_and_reported():
    report = imported(EDGES)
    assert len(post_of(101).title) == 200
    assert any("cut to 200" in line for line in report.problems)


def test_nothing_is_emailed_and_no_moderation_rule_runs():
    imported()
    assert mail.outbox == []


def discuss(**changes) -> None:
    """Change the discussion settings as an administrator would."""
    row = DiscussionSettings.current()
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()


@pytest.mark.parametrize(
    ("setting", "value", "native_status"),
    [
        # WordPress's comment 8: "I <strong>always</strong> say so in the first session.
        # <blockquote>Say it early.</blockquote> <a href=…>A longer note</a>"
        ("moderation_keys", "say it early", CommentStatus.PENDING),
        ("disallowed_keys", "always", CommentStatus.SPAM),
        ("max_links", 0, CommentStatus.PENDING),
    ],
)
def test_imported_comments_skip_the_moderation_rules_and_send_no_email(
    setting, value, native_status, django_capture_on_commit_callbacks
):
    discuss(
        **{setting: value},
        hold_first_comment=False,
        notify_moderators=True,
        notify_post_author=True,
        moderator_emails="desk@practice.example",
    )
    with django_capture_on_commit_callbacks(execute=True):
        imported()
    assert comment_of(8).status == CommentStatus.APPROVED
    assert Comment.objects.filter(status=CommentStatus.APPROVED).count() == 13
    assert mail.outbox == []
    # The same words sent here by a reader meet the rule (and a held one is emailed about).
    with django_capture_on_commit_callbacks(execute=True):
        native = discussion.post_comment(
            post=post_of(22),
            author=discussion.Guest(name="Ada Reader", email="ada@reader.example"),
            body=comment_of(8).text,
        )
    assert native.status == native_status
    if native_status == CommentStatus.PENDING:
        assert any("desk@practice.example" in message.to for message in mail.outbox)


def test_a_second_run_of_the_same_file_changes_nothing():
    imported()
    before = snapshot()
    report = imported()
    assert snapshot() == before
    assert report.count("post", "created") == 0
    assert report.count("post", "updated") == 0
    assert report.count("comment", "skipped") == 15
    assert report.count("old address", "created") == 0


def test_the_compared_state_holds_the_redirects_addresses_profiles_and_the_old_site():
    """What the second-run, dry-run and failure tests compare is not empty of the tables
    the import writes besides the content."""
    imported()
    rows = snapshot()
    redirects = {row["old_path"]: row["new_path"] for row in rows["Redirect"]}
    assert redirects["/?p=4"] == post_of(4).get_absolute_url()
    assert redirects["/2024/03/05/notes-from-a-first-session"] == post_of(4).get_absolute_url()
    assert redirects["/?cat=3"] == "/category/trauma-work/"
    assert {row["note"] for row in rows["Redirect"]} == {
        "WordPress: https://practice-sample.example"
    }
    assert sorted((row["email"], row["verified"]) for row in rows["EmailAddress"]) == [
        ("maria@practice-sample.example", False),
        ("tom@practice-sample.example", False),
    ]
    names = sorted(row["display_name"] for row in rows["Profile"])
    assert names == ["María Ortega", "Tom Baptiste"]
    assert [(row["base_url"], row["title"]) for row in rows["SourceSite"]] == [
        ("https://practice-sample.example", "The Sample Practice")
    ]


def test_a_newer_export_updates_what_changed_and_duplicates_nothing(tmp_path):
    imported()
    newer = tmp_path / "newer.xml"
    newer.write_text(
        SAMPLE.read_text()
        .replace("It will happen. What then?", "It will happen. Here is what then.")
        .replace("Reply at depth 2.", "Reply at depth two, edited.")
    )
    report = imported(newer)
    assert report.count("post", "updated") == 1
    assert report.count("comment", "updated") == 1
    assert Post.objects.count() == 10
    assert Comment.objects.count() == 15
    assert "Here is what then." in post_of(22).body
    assert "edited" in comment_of(3).html


def test_a_dry_run_reports_and_writes_nothing():
    before = snapshot()
    report = imported(dry_run=True)
    assert report.count("post", "created") == 10
    assert report.count("old address", "created") > 0
    assert snapshot() == before
    # Nor a redirect, an address, a profile or the old site (in the snapshot too).
    assert not Redirect.objects.exists()
    assert not EmailAddress.objects.exists() and not Profile.objects.exists()
    assert not SourceSite.objects.exists()


def test_a_failure_halfway_leaves_the_database_as_it_was(monkeypatch):
    before = snapshot()
    original = services._Importer._page

    def broken(self, item):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services._Importer, "_page", broken)
    with pytest.raises(RuntimeError):
        imported()
    assert snapshot() == before
    monkeypatch.setattr(services._Importer, "_page", original)


def test_a_file_cut_off_in_the_middle_writes_nothing():
    before = snapshot()
    with pytest.raises(wxr.WXRError) as refused:
        imported(DATA / "hostile" / "truncated.xml")
    assert refused.value.line == 624
    assert snapshot() == before


def test_one_new_content_version_for_the_whole_import():
    first = cache.content_version()
    imported()
    cache.forget_request_version()
    assert cache.content_version() != first


def test_media_files_are_copied_from_the_uploads_folder(tmp_path):
    uploads = tmp_path / "uploads" / "2024" / "03"
    uploads.mkdir(parents=True)
    (uploads / "waiting-room.jpg").write_bytes(photo((40, 30)))
    report = imported(media_from=tmp_path / "uploads")
    media = MediaItem.objects.get(title="waiting-room")
    assert media.file
    assert media.alt_text == "An empty waiting room"
    assert media.caption == "The waiting room, before nine."
    assert media.url in post_of(4).body
    assert any(
        "two-chairs.jpg" in line and "not in the media folder" in line for line in report.problems
    )


def test_without_a_media_folder_media_keep_their_old_address():
    imported()
    media = MediaItem.objects.get(title="two-chairs")
    assert not media.file
    assert media.url == "https://practice-sample.example/wp-content/uploads/2024/03/two-chairs.jpg"


def test_a_path_outside_the_uploads_folder_is_refused(tmp_path):
    (tmp_path / "secret.jpg").write_bytes(b"x")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    hostile = tmp_path / "x.xml"
    hostile.write_text(
        SAMPLE.read_text().replace(
            "<wp:meta_value><![CDATA[2024/03/waiting-room.jpg]]>",
            "<wp:meta_value><![CDATA[../secret.jpg]]>",
        )
    )
    report = imported(hostile, media_from=uploads)
    assert any("outside the media folder" in line for line in report.problems)
    assert not MediaItem.objects.get(title="waiting-room").file


def test_the_run_keeps_the_report():
    run = ImportRun.objects.create(file_name="sample.xml", status=RunStatus.RUNNING)
    report = imported(run=run)
    services.save_report(run=run, report=report)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.counts["post"]["created"] == 10
    assert run.problems == report.problem_lines()


def test_comments_are_written_in_batches_not_one_query_each(tmp_path):
    imported()
    with CaptureQueriesContext(connection) as queries:
        imported()
    assert len(queries) < 400


def test_old_addresses_answer_a_permanent_redirect_to_the_new_pages(client):
    imported()
    post = post_of(4)
    for old in ("/?p=4", "/2024/03/05/notes-from-a-first-session/", "/notes-from-a-first-session/"):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == post.get_absolute_url()
    feed = client.get("/2024/03/05/notes-from-a-first-session/feed/")
    assert feed.status_code == 301
    assert feed["Location"] == f"/comments/post/{post.pk}/feed/"
    team = Page.objects.get(title="Team")
    assert client.get("/?page_id=19")["Location"] == team.get_absolute_url()
    assert client.get("/?cat=3")["Location"] == "/category/trauma-work/"
    assert client.get("/category/clinical-practice/trauma-work/")["Location"] == (
        "/category/trauma-work/"
    )
    maria = Person.objects.get(name="María Ortega")
    assert client.get("/author/maria-editor/")["Location"] == maria.get_absolute_url()
    greek = Tag.objects.get(name="Ψυχοθεραπεία")
    assert client.get("/tag/Ψυχοθεραπεία/")["Location"] == greek.get_absolute_url()


def test_on_a_site_with_post_name_permalinks_slug_feed_is_the_posts_comment_feed(client, tmp_path):
    # The structure is guessed from the first published post's <link>: /%postname%/ here.
    source = tmp_path / "post-name.xml"
    source.write_text(
        SAMPLE.read_text().replace(
            "<link>https://practice-sample.example/2024/03/05/notes-from-a-first-session</link>",
            "<link>https://practice-sample.example/notes-from-a-first-session/</link>",
        )
    )
    imported(source)
    post = post_of(22)
    feed = f"/comments/post/{post.pk}/feed/"
    for old in ("/when-the-client-googles-you/feed/", "/when-the-client-googles-you/feed"):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == feed
    assert client.get("/when-the-client-googles-you/")["Location"] == post.get_absolute_url()
    assert client.get(feed).status_code == 200


def test_old_upload_addresses_lead_to_the_copied_files(client, tmp_path):
    uploads = tmp_path / "uploads" / "2024" / "03"
    uploads.mkdir(parents=True)
    (uploads / "waiting-room.jpg").write_bytes(photo((40, 30)))
    imported(media_from=tmp_path / "uploads")
    media = MediaItem.objects.get(title="waiting-room")
    response = client.get("/wp-content/uploads/2024/03/waiting-room.jpg")
    assert response.status_code == 301
    assert response["Location"] == media.url
    assert client.get("/?attachment_id=5")["Location"] == media.url


def test_a_featured_image_comes_over_when_its_picture_is_copied_and_described(tmp_path):
    uploads = tmp_path / "uploads" / "2024" / "03"
    uploads.mkdir(parents=True)
    (uploads / "waiting-room.jpg").write_bytes(photo((40, 30)))
    report = imported(media_from=tmp_path / "uploads")
    picture = post_of(4).featured_image
    assert picture is not None and picture.title == "waiting-room"
    assert picture.alt_text == "An empty waiting room"
    assert not any("featured image" in line for line in report.problems)
    # The same file again: nothing changes, the picture stays.
    again = imported(media_from=tmp_path / "uploads")
    assert again.count("post", "updated") == 0
    assert post_of(4).featured_image == picture


def test_a_featured_image_whose_file_was_not_brought_is_left_off_and_reported():
    report = imported()
    assert post_of(4).featured_image is None
    lines = [line for line in report.problems if "featured image" in line]
    assert len(lines) == 1
    assert "1 post(s)" in lines[0] and "Post 4" in lines[0] and "--media-from" in lines[0]


def test_a_featured_image_without_alternative_text_is_left_off_and_reported(tmp_path):
    uploads = tmp_path / "uploads" / "2024" / "03"
    uploads.mkdir(parents=True)
    (uploads / "waiting-room.jpg").write_bytes(photo((40, 30)))
    source = tmp_path / "no-alt.xml"
    source.write_text(
        SAMPLE.read_text().replace("<![CDATA[An empty waiting room]]>", "<![CDATA[]]>")
    )
    report = imported(source, media_from=tmp_path / "uploads")
    assert post_of(4).featured_image is None
    assert any("featured image" in line and "alternative text" in line for line in report.problems)


def test_a_newer_export_sets_the_featured_image_it_names_and_keeps_an_editors_otherwise(
    tmp_path,
):
    from django.core.files.base import ContentFile

    from stoa.publishing import services as publishing

    uploads = tmp_path / "uploads" / "2024" / "03"
    uploads.mkdir(parents=True)
    (uploads / "waiting-room.jpg").write_bytes(photo((40, 30)))
    text = SAMPLE.read_text()
    without = tmp_path / "without.xml"
    without.write_text(text.replace("<![CDATA[_thumbnail_id]]>", "<![CDATA[_edit_last]]>"))
    imported(without, media_from=tmp_path / "uploads")
    assert post_of(4).featured_image is None
    pick = publishing.create_media_item(
        title="Editor's pick",
        file=ContentFile(photo((40, 30))),
        file_name="pick.jpg",
        alt_text="A window over the street",
    )
    publishing.set_featured_image(post=post_of(4), image=pick)
    # A newer export that changed the post but names no picture: the editor's stays.
    retitled = tmp_path / "retitled.xml"
    retitled.write_text(
        without.read_text().replace(
            "What the intake form never tells you.", "What no intake form tells you."
        )
    )
    assert imported(retitled, media_from=tmp_path / "uploads").count("post", "updated") == 1
    assert post_of(4).featured_image == pick
    # One that names it: the post takes the picture its attachment became.
    assert imported(media_from=tmp_path / "uploads").count("post", "updated") >= 1
    assert post_of(4).featured_image == MediaItem.objects.get(title="waiting-room")


def test_a_slug_taken_here_gets_a_suffix_and_the_old_address_a_redirect(client):
    PostFactory(slug="notes-from-a-first-session")
    report = imported()
    moved = post_of(4)
    assert moved.slug == "notes-from-a-first-session-2"
    assert any("notes-from-a-first-session" in line and "taken" in line for line in report.problems)
    response = client.get("/2024/03/05/notes-from-a-first-session/")
    assert response.status_code == 301
    assert response["Location"] == moved.get_absolute_url()


def test_a_wxr_1_0_file_without_authors_list_brings_its_creators():
    imported(DATA / "wxr-1.0.wordpress.xml")
    post = Post.objects.get(slug="hello-world")
    assert [p.name for p in post.authors.all()] == ["admin"]
    assert [c.slug for c in post.categories.all()] == ["news"]
    assert [t.slug for t in post.tags.all()] == ["old"]
    assert post.comment_count == 1


def test_progress_is_told_as_the_file_is_read_and_ends_full():
    told: list[tuple[int, int]] = []
    imported(progress=lambda done, total: told.append((done, total)))
    assert told
    assert told[-1][0] == told[-1][1] == 2 * SAMPLE.stat().st_size
    assert [done for done, _ in told] == sorted(done for done, _ in told)


def test_a_failure_halfway_removes_the_files_it_copied(monkeypatch, tmp_path, media):
    uploads = tmp_path / "uploads" / "2024" / "03"
    uploads.mkdir(parents=True)
    (uploads / "waiting-room.jpg").write_bytes(photo((40, 30)))

    def broken(self, item):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services._Importer, "_page", broken)
    with pytest.raises(RuntimeError):
        imported(media_from=tmp_path / "uploads")
    assert not MediaItem.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_a_post_deleted_here_comes_back_with_its_comments_on_the_next_import():
    imported()
    post_of(22).delete()
    report = imported()
    assert report.count("post", "created") == 1
    assert report.count("comment", "created") == 14
    assert Post.objects.count() == 10
    assert Comment.objects.count() == 15
    assert comment_of(3).parent == comment_of(2)


# ----------------------------------------------------- Stoa's own fields (Stoa's export)


def stoa_file(
    tmp_path: Path,
    *,
    stoa: bool = True,
    dek: str = "What the intake form never tells you",
    featured: bool = True,
    visibility: str = "members",
    status: str = "published",
    authors: str = "tom,maria",
    show_in_menu: bool = True,
    credit: str = "Photo: Ana Lima",
    bio: str = "Writes on supervision.",
    title: str = "Notes From a First Session",
) -> Path:
    """A small WXR file as Stoa's export writes it (its namespace declared, its fields in
    _stoa_* postmeta and <stoa:author_bio>); with stoa=False, the same file as if another
    tool wrote it (no Stoa namespace: its _stoa_ keys are anybody's)."""

    def meta(key: str, value: str) -> str:
        return (
            f"<wp:postmeta><wp:meta_key>{key}</wp:meta_key>"
            f"<wp:meta_value><![CDATA[{value}]]></wp:meta_value></wp:postmeta>"
        )

    post_meta = "".join(
        [
            meta("_stoa_dek", dek) if dek else "",
            meta("_stoa_featured", "1") if featured else "",
            meta("_stoa_visibility", visibility) if visibility else "",
            meta("_stoa_status", status) if status else "",
            meta("_stoa_authors", authors) if authors else "",
        ]
    )
    author_bio = f"<stoa:author_bio><![CDATA[{bio}]]></stoa:author_bio>" if bio and stoa else ""
    namespace = 'xmlns:stoa="urn:stoa:wxr:1.0"' if stoa else ""
    text = f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"
 {namespace}>
<channel>
<title>Stoa Site</title><link>https://stoa.example</link><description></description>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://stoa.example</wp:base_site_url>
<wp:base_blog_url>https://stoa.example</wp:base_blog_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login>maria</wp:author_login>
<wp:author_email>maria@stoa.example</wp:author_email>
<wp:author_display_name>María Ortega</wp:author_display_name>
<wp:author_first_name></wp:author_first_name><wp:author_last_name></wp:author_last_name>
{author_bio}</wp:author>
<wp:author><wp:author_id>2</wp:author_id><wp:author_login>tom</wp:author_login>
<wp:author_email></wp:author_email><wp:author_display_name>Tom Baptiste</wp:author_display_name>
<wp:author_first_name></wp:author_first_name><wp:author_last_name></wp:author_last_name>
</wp:author>
<wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>clinical</wp:category_nicename>
<wp:category_parent></wp:category_parent><wp:cat_name>Clinical</wp:cat_name></wp:category>
<item><title>{title}</title><link>https://stoa.example/?p=10</link>
<dc:creator>tom</dc:creator><guid isPermaLink="false">https://stoa.example/?p=10</guid>
<content:encoded><![CDATA[<p>Mostly listening.</p>]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>10</wp:post_id><wp:post_date>2024-03-05 15:15:00</wp:post_date>
<wp:post_date_gmt>2024-03-05 15:15:00</wp:post_date_gmt>
<wp:post_modified>2024-03-05 15:15:00</wp:post_modified>
<wp:post_modified_gmt>2024-03-05 15:15:00</wp:post_modified_gmt>
<wp:comment_status>open</wp:comment_status><wp:ping_status>closed</wp:ping_status>
<wp:post_name>notes</wp:post_name><wp:status>private</wp:status>
<wp:post_parent>0</wp:post_parent><wp:menu_order>0</wp:menu_order>
<wp:post_type>post</wp:post_type><wp:post_password></wp:post_password>
<wp:is_sticky>0</wp:is_sticky>
<category domain="category" nicename="clinical"><![CDATA[Clinical]]></category>
{post_meta}</item>
<item><title>About</title><link>https://stoa.example/about/</link><dc:creator></dc:creator>
<guid isPermaLink="false">https://stoa.example/?page_id=20</guid>
<content:encoded><![CDATA[<p>Who we are.</p>]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>20</wp:post_id><wp:post_date>2024-03-05 15:15:00</wp:post_date>
<wp:post_date_gmt>2024-03-05 15:15:00</wp:post_date_gmt>
<wp:comment_status>closed</wp:comment_status><wp:ping_status>closed</wp:ping_status>
<wp:post_name>about</wp:post_name><wp:status>publish</wp:status>
<wp:post_parent>0</wp:post_parent><wp:menu_order>1</wp:menu_order>
<wp:post_type>page</wp:post_type><wp:post_password></wp:post_password>
<wp:is_sticky>0</wp:is_sticky>{meta("_stoa_show_in_menu", "1") if show_in_menu else ""}</item>
<item><title>Two chairs</title><link>https://stoa.example/?attachment_id=30</link>
<dc:creator></dc:creator>
<guid isPermaLink="false">https://old.example/wp-content/uploads/2019/05/two-chairs.jpg</guid>
<content:encoded><![CDATA[]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>30</wp:post_id><wp:post_date>2024-03-05 15:15:00</wp:post_date>
<wp:post_date_gmt>2024-03-05 15:15:00</wp:post_date_gmt>
<wp:post_name>two-chairs</wp:post_name><wp:status>inherit</wp:status>
<wp:post_parent>0</wp:post_parent><wp:menu_order>0</wp:menu_order>
<wp:post_type>attachment</wp:post_type>
<wp:attachment_url>https://old.example/wp-content/uploads/2019/05/two-chairs.jpg</wp:attachment_url>
{meta("_wp_attached_file", "2019/05/two-chairs.jpg")}
{meta("_stoa_credit", credit) if credit else ""}
</item>
</channel>
</rss>
"""
    path = tmp_path / ("stoa.wordpress.xml" if stoa else "other.wordpress.xml")
    path.write_text(text, encoding="utf-8")
    return path


def authors_in_order(post: Post) -> list[str]:
    through = Post.authors.through.objects.filter(post=post).order_by("pk")
    return list(through.values_list("person__slug", flat=True))


def test_a_stoa_export_brings_back_dek_featured_and_members_only(tmp_path):
    report = imported(stoa_file(tmp_path))
    post = post_of(10)
    assert post.dek == "What the intake form never tells you"
    assert post.is_featured is True
    # It left as WordPress's "private"; _stoa_visibility and _stoa_status say what it was.
    assert post.visibility == PostVisibility.MEMBERS
    assert post.status == PostStatus.PUBLISHED
    assert post.published_at == dt.datetime(2024, 3, 5, 15, 15, tzinfo=UTC)
    assert not any("password" in line for line in report.problems)


def test_a_stoa_export_brings_back_every_author_in_order(tmp_path):
    imported(stoa_file(tmp_path))
    assert authors_in_order(post_of(10)) == ["tom", "maria"]


def test_a_stoa_export_brings_back_a_page_in_the_menu_a_credit_and_a_biography(tmp_path):
    imported(stoa_file(tmp_path))
    page = Page.objects.get(slug="about")
    assert page.show_in_menu is True
    assert MediaItem.objects.get().credit == "Photo: Ana Lima"
    assert Person.objects.get(slug="maria").bio == "Writes on supervision."
    assert Person.objects.get(slug="tom").bio == ""


def test_a_second_run_of_a_stoa_export_changes_nothing(tmp_path):
    path = stoa_file(tmp_path)
    imported(path)
    before = snapshot()
    report = imported(path)
    assert snapshot() == before
    for kind in ("author", "post", "page", "attachment"):
        assert report.count(kind, "updated") == 0, kind
        assert report.count(kind, "created") == 0, kind


def test_a_newer_stoa_export_updates_each_of_stoa_s_fields(tmp_path):
    imported(stoa_file(tmp_path))
    newer = tmp_path / "newer"
    newer.mkdir()
    report = imported(
        stoa_file(
            newer,
            dek="A new dek",
            featured=False,
            visibility="",
            status="",
            authors="maria,tom",
            show_in_menu=False,
            credit="Photo: someone else",
            bio="Now writes on ethics.",
        )
    )
    post = post_of(10)
    assert post.dek == "A new dek"
    assert post.is_featured is False
    # No Stoa visibility nor status: WordPress's "private" is the post's own.
    assert (post.visibility, post.status) == (PostVisibility.PUBLIC, PostStatus.PRIVATE)
    assert authors_in_order(post) == ["maria", "tom"]
    assert Page.objects.get(slug="about").show_in_menu is False
    assert MediaItem.objects.get().credit == "Photo: someone else"
    assert Person.objects.get(slug="maria").bio == "Now writes on ethics."
    for kind in ("author", "post", "page", "attachment"):
        assert report.count(kind, "created") == 0, kind
    assert report.count("post", "updated") == 1
    assert report.count("page", "updated") == 1
    assert report.count("attachment", "updated") == 1
    assert Post.objects.count() == 1 and MediaItem.objects.count() == 1


def test_an_unknown_stoa_visibility_or_status_is_reported_and_wordpress_s_kept(tmp_path):
    report = imported(stoa_file(tmp_path, visibility="friends", status="archived"))
    post = post_of(10)
    assert (post.visibility, post.status) == (PostVisibility.PUBLIC, PostStatus.PRIVATE)
    assert any("visibility “friends” is unknown" in line for line in report.problems)
    assert any("status “archived” is unknown" in line for line in report.problems)


def test_a_file_not_from_stoa_is_read_as_wordpress_wrote_it(tmp_path):
    """_stoa_ keys in a file without Stoa's namespace are not Stoa's: nothing of them is
    read, the post is private with its creator, as from WordPress."""
    imported(stoa_file(tmp_path, stoa=False))
    post = post_of(10)
    assert post.dek == "" and post.is_featured is False
    assert (post.visibility, post.status) == (PostVisibility.PUBLIC, PostStatus.PRIVATE)
    assert authors_in_order(post) == ["tom"]
    assert Page.objects.get(slug="about").show_in_menu is False
    assert MediaItem.objects.get().credit == ""
    assert Person.objects.get(slug="maria").bio == ""


def test_a_newer_wordpress_export_leaves_what_an_editor_set_in_stoa_s_fields(tmp_path):
    """WordPress's files say nothing of Stoa's fields: an update from one keeps them."""
    imported(stoa_file(tmp_path, stoa=False))
    post = post_of(10)
    Post.objects.filter(pk=post.pk).update(dek="Set here", is_featured=True)
    Page.objects.filter(slug="about").update(show_in_menu=True)
    MediaItem.objects.update(credit="Credited here")
    Person.objects.filter(slug="maria").update(bio="Written here.")
    newer = tmp_path / "newer"
    newer.mkdir()
    report = imported(stoa_file(newer, stoa=False, title="A New Title", credit="Changed"))
    post.refresh_from_db()
    assert report.count("post", "updated") == 1
    assert post.title == "A New Title"
    assert (post.dek, post.is_featured) == ("Set here", True)
    assert Page.objects.get(slug="about").show_in_menu is True
    assert MediaItem.objects.get().credit == "Credited here"
    assert Person.objects.get(slug="maria").bio == "Written here."


def test_the_sample_s_fingerprints_do_not_change_with_stoa_s_fields():
    """A WordPress file imported before Stoa's fields were read: a second run still finds
    every fingerprint the same (nothing updated)."""
    imported()
    report = imported()
    for kind in ("author", "post", "page", "attachment", "comment"):
        assert report.count(kind, "updated") == 0, kind


def table_indexes() -> dict[str, list[tuple[str, str]]]:
    """The comment and mapping tables' indexes, each with what it is on."""
    found = {}
    with connection.cursor() as cursor:
        for model in (Comment, Mapping):
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            found[model.__name__] = sorted(
                (name, repr((c["columns"], c["unique"], c.get("orders"))))
                for name, c in constraints.items()
                if c["index"]
            )
    return found


@pytest.fixture
def indexes_later(monkeypatch) -> list[list[str]]:
    """Any import counts as large (its indexes built after its rows); what each dropped."""
    monkeypatch.setattr(services, "LATER_INDEXES_FROM", 1)
    monkeypatch.setattr(services, "EXPORT_BYTES_PER_COMMENT", 1)
    dropped: list[list[str]] = []
    original = services._LaterIndexes.drop.__func__

    def spy(cls, tables):
        later = original(cls, tables)
        dropped.append(list(later.statements))
        return later

    monkeypatch.setattr(services._LaterIndexes, "drop", classmethod(spy))
    return dropped


sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the indexes are built after on SQLite only"
)


@sqlite_only
def test_a_large_import_on_sqlite_builds_the_comment_indexes_after_its_rows(indexes_later):
    before = table_indexes()
    report = imported()
    assert report.count("comment", "created") == 15
    (dropped,) = indexes_later
    # Every secondary index but those on the comment's post (each batch's recount reads
    # by them) and the mapping's unique key.
    assert any("comment_ip" in sql for sql in dropped)
    assert any("wordpress_mapping_key" in sql for sql in dropped)
    assert not any("comment_thread" in sql for sql in dropped)
    assert table_indexes() == before
    assert list(Comment.objects.order_by("pk")) == list(
        Comment.objects.filter(post__in=Post.objects.all()).order_by("pk")
    )


@sqlite_only
def test_a_large_dry_run_or_failure_leaves_the_indexes_as_they_were(indexes_later, monkeypatch):
    before, rows = table_indexes(), snapshot()
    imported(dry_run=True)
    assert indexes_later
    assert table_indexes() == before
    assert snapshot() == rows

    def broken(self):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services._Importer, "_term_links", broken)
    with pytest.raises(RuntimeError):
        imported()
    assert len(indexes_later) == 2
    assert table_indexes() == before
    assert snapshot() == rows


@sqlite_only
def test_a_site_with_more_comments_than_the_file_brings_writes_them_row_by_row(
    indexes_later, monkeypatch
):
    with monkeypatch.context() as small:
        small.setattr(services, "LATER_INDEXES_FROM", 10**9)
        imported()
    assert indexes_later == []
    monkeypatch.setattr(services, "EXPORT_BYTES_PER_COMMENT", EDGES.stat().st_size)
    report = imported(EDGES)  # "one comment" in the file; 15 here
    assert report.count("comment", "created") > 1
    assert indexes_later == []
    before = snapshot()
    imported(EDGES)  # and a second run, which writes no comment, drops nothing either
    assert indexes_later == []
    assert snapshot() == before


def media_of(*keys: str) -> dict[str, MediaItem]:
    """The media items the sample's attachments of these ids became."""
    return {
        key: MediaItem.objects.get(
            pk=Mapping.objects.get(kind=ObjectKind.ATTACHMENT, source_key=key).object_id
        )
        for key in keys
    }


def test_a_gallery_shows_the_imported_images_its_old_ids_name_in_their_order():
    imported()
    media = media_of("5", "6")
    body = post_of(4).body
    # [gallery ids="5,6"]: the images' figures inside one.
    gallery = body[re.search(r"<figure>\s*<figure>", body).start() :]
    assert gallery.index(f'src="{media["5"].url}"') < gallery.index(f'src="{media["6"].url}"')
    assert f'alt="{media["5"].alt_text}"' in gallery


def test_a_gallery_without_ids_shows_the_pictures_uploaded_to_the_post_in_wordpress_order(
    tmp_path,
):
    source = tmp_path / "attached.xml"
    source.write_text(SAMPLE.read_text().replace('[gallery ids="5,6" columns="2"]', "[gallery]"))
    report = imported(source)
    media = media_of("5", "6")
    body = post_of(4).body
    gallery = body[re.search(r"<figure>\s*<figure>", body).start() :]
    # Attachments 5 and 6 were uploaded to post 4: by menu order (both 0), then id.
    assert gallery.index(f'src="{media["5"].url}"') < gallery.index(f'src="{media["6"].url}"')
    assert not any("gallery" in line for line in report.problems)


def test_a_gallery_without_ids_on_a_post_with_no_uploads_is_reported(tmp_path):
    source = tmp_path / "nothing-attached.xml"
    source.write_text(
        SAMPLE.read_text()
        .replace('[gallery ids="5,6" columns="2"]', "[gallery]")
        .replace("<wp:post_parent>4</wp:post_parent>", "<wp:post_parent>0</wp:post_parent>")
    )
    report = imported(source)
    assert "[gallery]" not in post_of(4).body
    assert any(
        "Post 4" in line and "pictures attached to the post" in line for line in report.problems
    )


def test_a_gallerys_images_at_their_old_addresses_are_not_looked_up_one_by_one():
    # Without a media folder an image keeps its old upload address, which the gallery's
    # markup then names: it is known with the batch's uploads, not asked for again alone.
    with CaptureQueriesContext(connection) as queries:
        imported()
    assert "wp-content/uploads" in post_of(4).body
    alone = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and "= 'path:" in q["sql"]]
    assert alone == []


@pytest.mark.django_db
def test_the_mapping_table_has_no_index_that_only_repeats_the_unique_constraints_start() -> None:
    """Each mapping index is one more B-tree an import grows once a comment (migration 0004):
    the site's own index would repeat what the unique constraint, which begins with it,
    answers."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Mapping._meta.db_table)
    columns = [about["columns"] for about in found.values() if about["index"]]
    assert ["site_id"] not in columns
    unique = found["wordpress_one_mapping_per_object"]
    assert unique["columns"] == ["site_id", "kind", "source_key"]


def test_a_page_pending_review_becomes_a_draft_and_the_report_says_so(tmp_path):
    source = tmp_path / "pending-page.xml"
    text = SAMPLE.read_text().replace(
        "<title><![CDATA[Draft Page]]></title>", "<title><![CDATA[Waiting Page]]></title>"
    )
    start = text.index("<title><![CDATA[Waiting Page]]></title>")
    end = text.index("</item>", start)
    item = text[start:end].replace(
        "<wp:status><![CDATA[draft]]></wp:status>", "<wp:status><![CDATA[pending]]></wp:status>"
    )
    source.write_text(text[:start] + item + text[end:])
    report = imported(source)
    assert Page.objects.get(title="Waiting Page").status == PageStatus.DRAFT
    assert any("Page 21" in line and "was pending" in line for line in report.problems)


def test_a_page_whose_slug_is_taken_here_gets_a_suffix_and_the_report_says_so(tmp_path):
    source = tmp_path / "reserved-page.xml"
    source.write_text(
        SAMPLE.read_text().replace(
            "<wp:post_name><![CDATA[about]]></wp:post_name>",
            "<wp:post_name><![CDATA[admin]]></wp:post_name>",
        )
    )
    report = imported(source)
    assert Page.objects.get(title="About").slug == "admin-2"
    assert any("Page 18" in line and "“admin”" in line for line in report.problems)


def test_a_page_title_longer_than_the_field_is_cut_and_the_report_says_so(tmp_path):
    source = tmp_path / "long-page.xml"
    long_title = "About " + "the practice " * 30
    source.write_text(
        SAMPLE.read_text().replace(
            "<title><![CDATA[About]]></title>", f"<title><![CDATA[{long_title}]]></title>"
        )
    )
    report = imported(source)
    page = Page.objects.get(slug="about")
    assert len(page.title) <= 200 and page.title.startswith("About the practice")
    assert any("Page 18" in line and "cut to 200" in line for line in report.problems)
