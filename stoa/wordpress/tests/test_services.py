"""The import service: everything the issue lists comes over from a WordPress export, once,
all or nothing, and a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stoa.core import cache
from stoa.core.tests.test_images import photo
from stoa.discussion.models import Comment, CommentKind, CommentStatus
from stoa.members.models import User
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
from stoa.wordpress import services, wxr
from stoa.wordpress.models import ImportRun, Mapping, ObjectKind, RunStatus, SourceSite

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample-export.wordpress.xml"
EDGES = DATA / "edge-cases.wordpress.xml"
UTC = dt.UTC

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
    """Every row the import writes, as plain values (to compare two states); of the mapping
    rows, not the run that last met them (bookkeeping)."""
    rows = {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Person, User, Category, Tag, Post, Page, MediaItem, Comment)
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


def test_a_second_run_of_the_same_file_changes_nothing():
    imported()
    before = snapshot()
    report = imported()
    assert snapshot() == before
    assert report.count("post", "created") == 0
    assert report.count("post", "updated") == 0
    assert report.count("comment", "skipped") == 15


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
    assert snapshot() == before


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


def test_a_featured_image_is_reported_as_not_kept():
    report = imported()
    assert any("featured image" in line for line in report.problems)


def test_a_slug_taken_here_gets_a_suffix_and_the_old_address_a_redirect(client):
    from stoa.publishing.tests.factories import PostFactory

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
