"""`stoa backup` and `stoa restore` (stoa.core.backups) on the site's real content: a round
trip gives back exactly what was backed up (every row, every upload), on SQLite and on
PostgreSQL (.ci/run's second pass, DATABASE_URL). Committed rows only, as another process
(pg_dump, the backup API's own connection) sees them: these tests commit."""

from __future__ import annotations

import io
import sqlite3
import stat
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from stoa.core import backups
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)
ON_POSTGRES = connection.vendor == "postgresql"
# Rows that are the database's bookkeeping rather than the site's content.
NOT_CONTENT = ["contenttypes", "auth.permission", "sessions"]


def content() -> str:
    out = io.StringIO()
    # django-rq's dashboard model (installed with REDIS_URL) has no table: nothing to dump.
    exclude = NOT_CONTENT + (["django_rq"] if apps.is_installed("django_rq") else [])
    call_command("dumpdata", exclude=exclude, stdout=out, indent=0)
    return out.getvalue()


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def site(settings: Any, temporary_media: Path) -> dict[str, Path]:
    """Posts, comments (held and approved), an upload and a protected file."""
    post = PostFactory(title="On Listening")
    CommentFactory.create_batch(3, post=post)
    CommentFactory(post=post, status="pending")
    media = temporary_media
    (media / "photos").mkdir(parents=True)
    (media / "photos" / "portrait.jpg").write_bytes(b"\xff\xd8 a picture")
    protected = Path(settings.STORAGES["protected"]["OPTIONS"]["location"])
    (protected / "sessions").mkdir(parents=True)
    (protected / "sessions" / "talk.mp4").write_bytes(b"a session's video")
    return {"media": media, "protected": protected}


def change_everything(folders: dict[str, Path]) -> None:
    post = Post.objects.get(title="On Listening")
    post.title = "Changed after the backup"
    post.save()
    post.comments.first().delete()
    PostFactory(title="Written after the backup")
    (folders["media"] / "photos" / "portrait.jpg").write_bytes(b"another picture")
    (folders["media"] / "new.txt").write_text("uploaded after the backup")
    (folders["protected"] / "sessions" / "talk.mp4").unlink()


def test_a_restore_gives_back_exactly_what_was_backed_up(
    site: dict[str, Path], tmp_path: Path
) -> None:
    before = content()
    uploads = {name: files(folder) for name, folder in site.items()}
    archive = tmp_path / "backups" / "stoa.tar"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert f"the {connection.vendor} database" in out.getvalue()
    assert "media/ (1 files)" in out.getvalue() and "protected/ (1 files)" in out.getvalue()
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # emails and password hashes

    change_everything(site)
    assert content() != before

    call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert content() == before
    assert {name: files(folder) for name, folder in site.items()} == uploads


def test_a_restore_over_a_database_with_tables_needs_force(
    site: dict[str, Path], tmp_path: Path
) -> None:
    archive = tmp_path / "stoa.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    change_everything(site)
    changed, uploads = content(), files(site["media"])
    with pytest.raises(CommandError, match=r"the database is not empty .* --force"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert content() == changed  # nothing touched
    assert files(site["media"]) == uploads


def test_the_database_alone_leaves_the_uploads_as_they_are(
    site: dict[str, Path], tmp_path: Path
) -> None:
    archive = tmp_path / "stoa.tar"
    call_command("backup", str(archive), "--no-media", stdout=io.StringIO())
    with tarfile.open(archive) as opened:
        assert not [name for name in opened.getnames() if name.startswith(("media", "protected"))]
    change_everything(site)
    uploads = files(site["media"])
    call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert Post.objects.filter(title="On Listening").exists()
    assert files(site["media"]) == uploads


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "other.tar"
    with tarfile.open(archive, "w") as opened:
        opened.add(__file__, arcname="notes.py")
    with pytest.raises(CommandError, match="not a Stoa backup"):
        call_command("restore", str(archive), "--force")
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "missing.tar"), "--force")


def test_a_backup_of_another_engine_is_refused(site: dict[str, Path], tmp_path: Path) -> None:
    archive = tmp_path / "stoa.tar"
    call_command("backup", str(archive), "--no-media", stdout=io.StringIO())
    other = "sqlite" if ON_POSTGRES else "postgresql"
    rewritten = tmp_path / "other.tar"
    with tarfile.open(archive) as source, tarfile.open(rewritten, "w") as target:
        manifest = backups.read_manifest(source)
        data = backups.json.dumps({**manifest, "engine": other}).encode()
        info = tarfile.TarInfo(backups.MANIFEST)
        info.size = len(data)
        target.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match=f"this backup is of a {other} database"):
        call_command("restore", str(rewritten), "--force")


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's online backup")
def test_a_sqlite_backup_taken_during_a_write_holds_the_committed_content_only(
    site: dict[str, Path], tmp_path: Path
) -> None:
    before = content()
    # Another process's transaction (the site's, mid-write), open during the backup.
    writer = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, timeout=20)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE publishing_post SET title = 'uncommitted'")
        call_command("backup", str(tmp_path / "stoa.tar"), stdout=io.StringIO())
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert Post.objects.filter(title="uncommitted").exists()
    call_command("restore", str(tmp_path / "stoa.tar"), "--force", stdout=io.StringIO())
    assert content() == before


@pytest.mark.skipif(not ON_POSTGRES, reason="pg_dump and pg_restore")
def test_the_password_reaches_pg_dump_in_its_environment_not_its_command_line(
    site: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = "never-on-a-command-line-" + "7" * 8  # noqa: S105 - trust auth ignores it
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", password)
    seen = tmp_path / "seen"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in ("pg_dump", "pg_restore"):
        real = backups.shutil.which(program)
        wrapper = bin_dir / program
        wrapper.write_text(
            f'#!/bin/sh\necho "{program} $*" >> {seen}/argv\n'
            f'echo "{program} $PGPASSWORD" >> {seen}/env\nexec {real} "$@"\n'
        )
        wrapper.chmod(0o755)
    seen.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}:{backups.os.environ['PATH']}")
    call_command("backup", str(tmp_path / "stoa.tar"), stdout=io.StringIO())
    call_command("restore", str(tmp_path / "stoa.tar"), "--force", stdout=io.StringIO())
    argv = (seen / "argv").read_text()
    assert "pg_dump --format=custom" in argv and "pg_restore --clean --if-exists" in argv
    assert password not in argv
    assert (seen / "env").read_text().split("\n")[:2] == [
        f"pg_dump {password}",
        f"pg_restore {password}",
    ]
