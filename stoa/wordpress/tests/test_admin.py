"""Importing from the admin: an editor uploads the export, the import runs as a background
task, its page shows the progress and then the report; others may not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from stoa.core.services import add_redirect
from stoa.discussion.models import Comment
from stoa.members.roles import Role
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import PostFactory, UserFactory
from stoa.wordpress import services
from stoa.wordpress.models import ImportKind, ImportRun, RunStatus

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample-export.wordpress.xml"
ADD = "/admin/wordpress/importrun/add/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(temporary_media: Path) -> Path:
    return temporary_media


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=Role.EDITOR.value))
    client.force_login(user)
    return user


def upload(client, path: Path = SAMPLE, **data):
    file = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/xml")
    return client.post(ADD, {"file": file, **data})


def test_an_editor_uploads_an_export_and_reads_the_report(
    client, editor, django_capture_on_commit_callbacks
):
    assert client.get(ADD).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client)
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/wordpress/importrun/{run.pk}/change/"
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.started_by == editor
    assert Post.objects.count() == 10
    # The uploaded file (commenters' addresses) is gone once imported.
    assert not run.upload
    page = client.get(response["Location"]).content.decode()
    assert "What came over, per kind" in page
    assert "[contact-form-7]" in page
    assert 'http-equiv="refresh"' not in page


def test_a_running_import_shows_its_progress_and_refreshes(client, editor):
    run = ImportRun.objects.create(file_name="big.xml", status=RunStatus.RUNNING)
    from django.core.cache import cache

    cache.set(services.progress_key(run.pk), (250, 1000))
    page = client.get(f"/admin/wordpress/importrun/{run.pk}/change/").content.decode()
    assert 'http-equiv="refresh"' in page
    assert '<progress id="import-progress" max="100" value="25">' in page
    listing = client.get("/admin/wordpress/importrun/").content.decode()
    assert "Running (25%)" in listing


def test_a_dry_run_from_the_admin_writes_nothing(
    client, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, dry_run="on")
    run = ImportRun.objects.get()
    assert run.status == RunStatus.DONE and run.dry_run
    assert Post.objects.count() == 0
    page = client.get(f"/admin/wordpress/importrun/{run.pk}/change/").content.decode()
    assert "A dry run: nothing was written" in page


def test_a_hostile_file_fails_with_its_reason_shown(
    client, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, DATA / "hostile" / "external-entity.xml")
    run = ImportRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert "DOCTYPE" in run.error
    page = client.get(f"/admin/wordpress/importrun/{run.pk}/change/").content.decode()
    assert "Nothing was imported" in page


def test_a_file_that_is_not_xml_is_refused_by_the_form(client, editor):
    response = upload(client, DATA / "hostile" / "not-xml.xml")
    assert response.status_code == 200
    assert "not an XML file" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_report_cannot_be_changed(client, editor):
    run = ImportRun.objects.create(file_name="x.xml", status=RunStatus.DONE)
    response = client.post(f"/admin/wordpress/importrun/{run.pk}/change/", {"file_name": "y"})
    assert response.status_code == 403 or ImportRun.objects.get().file_name == "x.xml"


def test_staff_without_the_right_cannot_import(client):
    author = UserFactory(is_staff=True)
    author.groups.add(Group.objects.get(name=Role.AUTHOR.value))
    client.force_login(author)
    assert client.get(ADD).status_code == 403


DISQUS = DATA / "disqus" / "export.xml"


def test_an_editor_uploads_a_disqus_export_and_its_comments_land_on_the_posts(
    client, editor, django_capture_on_commit_callbacks
):
    post = PostFactory(
        slug="notes-from-a-first-session",
        published_at=dt.datetime(2024, 3, 5, 15, 15, tzinfo=dt.UTC),
    )
    add_redirect(
        old_path="/2024/03/05/notes-from-a-first-session/", new_path=post.get_absolute_url()
    )
    assert 'value="disqus"' in client.get(ADD).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, DISQUS, kind="disqus")
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/wordpress/importrun/{run.pk}/change/"
    run.refresh_from_db()
    assert (run.kind, run.status, run.error) == (ImportKind.DISQUS, RunStatus.DONE, "")
    assert run.started_by == editor
    assert Comment.objects.filter(post=post).count() == 6
    assert not run.upload
    page = client.get(response["Location"]).content.decode()
    assert "What came over, per kind" in page
    assert "Gone for Good" in page


def test_a_disqus_export_uploaded_as_a_wordpress_one_is_refused_by_the_form(client, editor):
    response = upload(client, DISQUS)
    assert response.status_code == 200
    assert "This file is a Disqus export" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_broken_disqus_export_fails_with_its_reason_shown(
    client, editor, django_capture_on_commit_callbacks, tmp_path
):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(DISQUS.read_bytes()[:600])
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, broken, kind="disqus")
    run = ImportRun.objects.get()
    assert run.status == RunStatus.FAILED and run.error
    assert not run.upload
    page = client.get(f"/admin/wordpress/importrun/{run.pk}/change/").content.decode()
    assert "Nothing was imported" in page


def test_a_failed_run_shows_its_reason_and_no_counts_of_work_rolled_back(client, editor):
    # As a failed Disqus run kept them before it stopped keeping them.
    run = ImportRun.objects.create(
        kind=ImportKind.DISQUS,
        file_name="export.xml",
        status=RunStatus.FAILED,
        error="Not a complete, well-formed XML file (line 40)",
        counts={"comment": {"created": 6, "updated": 0, "skipped": 1, "failed": 0}},
    )
    page = client.get(f"/admin/wordpress/importrun/{run.pk}/change/").content.decode()
    assert "Nothing was imported: Not a complete, well-formed XML file (line 40)" in page
    assert "What came over, per kind" not in page


def test_a_disqus_export_declaring_a_doctype_is_refused_naming_its_line(
    client, editor, django_capture_on_commit_callbacks
):
    PostFactory(slug="notes-from-a-first-session")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, DATA / "disqus-doctype-entity.xml", kind="disqus")
    run = ImportRun.objects.get()
    assert (run.kind, run.status) == (ImportKind.DISQUS, RunStatus.FAILED)
    assert run.error == (
        "Refused: the file declares a DOCTYPE, which a Disqus export never has (line 2)"
    )
    assert (run.counts, run.problems) == ({}, [])
    assert not run.upload and not Comment.objects.exists()
    page = client.get(f"/admin/wordpress/importrun/{run.pk}/change/").content.decode()
    assert "Nothing was imported: Refused: the file declares a DOCTYPE" in page
    assert "(line 2)" in page
    assert "What came over, per kind" not in page
