"""`stoa backup PATH` and `stoa restore PATH`: the database and the uploads in one tar file.

What the file holds:
- `manifest.json`: the format, the database's engine, when it was made, what is inside;
- the database: SQLite's through its online backup API (`sqlite3.Connection.backup`, one
  step: a consistent copy taken inside one read transaction while the site runs in WAL
  mode, writers waiting at most that long), or PostgreSQL's `pg_dump -Fc` (custom format,
  compressed, restored by `pg_restore`);
- `media/` and `protected/`: MEDIA_ROOT and the protected files (webcast sessions, clips)
  when they are folders on this machine; uploads kept in an S3-compatible store are not
  copied (the manifest says so): the bucket's own versioning or replication keeps them.

The cache is not kept (it is rebuilt); nor is SECRET_KEY, which belongs with the
environment's other secrets.

PostgreSQL's password never appears on a command line (where `ps` shows it to every user
of the machine): the connection settings go to pg_dump and pg_restore as PG* environment
variables, the password as PGPASSWORD.

Restoring replaces the database's content (SQLite: the backup API again, into the live file;
PostgreSQL: `pg_restore --clean --if-exists`, dropping each object the dump holds first) and
the upload folders' files. Over a database that has any table, it refuses unless `force`:
a restore aimed at the wrong machine would otherwise erase a live site.
"""

from __future__ import annotations

import copy
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage, storages
from django.db import connections
from django.utils import timezone

from stoa.core.cache import start_new_version

FORMAT = "stoa-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
# The folders a backup may carry, by the storage whose files they are.
FOLDERS = {"media": "default", "protected": "protected"}


class BackupError(Exception):
    """The backup or the restore could not be done; the message says why and what to do."""


@dataclass
class Report:
    """What a backup or a restore did, for the command to print."""

    engine: str
    database_bytes: int = 0
    folders: dict[str, int] = field(default_factory=dict)  # name: files
    skipped: dict[str, str] = field(default_factory=dict)  # name: why


# ---------------------------------------------------------------------------- the database


def _engine(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in {SQLITE, POSTGRESQL}:
        raise BackupError(f"stoa backup knows SQLite and PostgreSQL, not {vendor}")
    return vendor


def postgres_environment(db: Mapping[str, Any]) -> dict[str, str]:
    """libpq's variables for the database `db` (Django's settings for it): pg_dump and
    pg_restore read them, so no part of the connection, the password least of all, is on
    their command line."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    given = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
    }
    options = db.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        given[variable] = options.get(option)
    env.update({key: str(value) for key, value in given.items() if value not in (None, "")})
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    program = shutil.which(args[0])
    if program is None:
        raise BackupError(
            f"{args[0]} is not installed (Debian: apt-get install postgresql-client, the "
            "same major version as the server or newer)"
        )
    done = subprocess.run(  # noqa: S603 - pg_dump/pg_restore, arguments of our own
        [program, *args[1:]], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{what} failed ({args[0]} exited {done.returncode}):\n{done.stderr}")


def _dump_database(engine: str, into: Path) -> int:
    connection = connections["default"]
    if engine == SQLITE:
        source = sqlite3.connect(f"file:{connection.settings_dict['NAME']}?mode=ro", uri=True)
        target = sqlite3.connect(into)
        try:
            with target:
                source.backup(target)  # pages=-1: the whole file in one step, one snapshot
        finally:
            target.close()
            source.close()
    else:
        env = postgres_environment(connection.settings_dict)
        _run(["pg_dump", "--format=custom", "--file", str(into)], env, "pg_dump")
    return into.stat().st_size


def database_tables(alias: str = "default") -> list[str]:
    """The tables in the database (none in a database just created)."""
    with connections[alias].cursor() as cursor:
        return list(connections[alias].introspection.table_names(cursor))


def _load_database(engine: str, dump: Path) -> None:
    connection = connections["default"]
    connection.close()  # no connection of ours holds a lock while the content is replaced
    if engine == SQLITE:
        source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        target = sqlite3.connect(connection.settings_dict["NAME"], timeout=60)
        try:
            # The backup API writes the copy into the live file as one transaction: the
            # site's other connections (WAL) see the old content, then the new.
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        env = postgres_environment(connection.settings_dict)
        args = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges"]
        args += ["--single-transaction", "--exit-on-error", "--dbname", env["PGDATABASE"]]
        _run([*args, str(dump)], env, "pg_restore")


# ---------------------------------------------------------------------------- the files


def _folder(storage_alias: str) -> Path | None:
    storage = storages[storage_alias]
    if isinstance(storage, FileSystemStorage):
        return Path(storage.location)
    return None


def _add_folder(archive: tarfile.TarFile, name: str, folder: Path) -> int:
    files = 0
    archive.add(folder, arcname=name, recursive=False)
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            continue  # uploads are files; a link could lead out of the folder
        archive.add(path, arcname=f"{name}/{path.relative_to(folder)}", recursive=False)
        files += path.is_file()
    return files


def _empty_folder(folder: Path) -> None:
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


# ---------------------------------------------------------------------------- services


def backup(*, path: Path, media: bool = True) -> Report:
    """Write the database and (with `media`) the upload folders to the tar file `path`,
    replacing it only once the new one is whole."""
    engine = _engine()
    report = Report(engine=engine)
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".stoa-backup-", dir=path.parent) as work:
        dump = Path(work) / (SQLITE_MEMBER if engine == SQLITE else POSTGRES_MEMBER)
        report.database_bytes = _dump_database(engine, dump)
        partial = Path(work) / "backup.tar"
        with tarfile.open(partial, "w") as archive:
            archive.add(dump, arcname=dump.name)
            for name, storage_alias in FOLDERS.items():
                folder = _folder(storage_alias)
                if not media:
                    report.skipped[name] = "--no-media"
                elif folder is None:
                    report.skipped[name] = "kept in object storage, not on this machine"
                elif folder.is_dir():
                    report.folders[name] = _add_folder(archive, name, folder)
                else:
                    report.folders[name] = 0
            manifest = {
                "format": FORMAT,
                "engine": engine,
                "database": dump.name,
                "created_at": timezone.now().isoformat(),
                "folders": report.folders,
                "skipped": report.skipped,
            }
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
        partial.chmod(0o600)  # it holds every member's email address and password hash
        os.replace(partial, path)
    return report


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile(MANIFEST)
    except KeyError:
        member = None
    if member is None:
        raise BackupError("this file is not a Stoa backup (no manifest.json)")
    manifest = dict(json.loads(member.read()))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r} (expected {FORMAT})")
    return manifest


def restore(*, path: Path, force: bool = False, media: bool = True) -> Report:
    """Replace the database's content and (with `media`) the upload folders' files with the
    backup's. Refuses a database that has any table, unless `force`."""
    engine = _engine()
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    with tarfile.open(path, "r") as archive, tempfile.TemporaryDirectory() as work:
        manifest = read_manifest(archive)
        if manifest["engine"] != engine:
            raise BackupError(
                f"this backup is of a {manifest['engine']} database and this site runs on "
                f"{engine}: restore it on {manifest['engine']} (DATABASE_URL), then move the "
                "data with dumpdata/loaddata"
            )
        if not force and (tables := database_tables()):
            raise BackupError(
                f"the database is not empty ({len(tables)} tables): restoring replaces "
                "everything in it. Check that DATABASE_URL names the database to overwrite, "
                "then run again with --force."
            )
        report = Report(engine=engine, skipped=dict(manifest.get("skipped", {})))
        # The data filter (PEP 706) refuses absolute paths, links out of the folder, devices.
        archive.extract(manifest["database"], work, filter="data")
        dump = Path(work) / manifest["database"]
        report.database_bytes = dump.stat().st_size
        _load_database(engine, dump)
        if media:
            _restore_folders(archive, manifest, report)
        else:
            report.skipped = dict.fromkeys(FOLDERS, "--no-media")
    start_new_version()  # every kept page and fragment was made from the old content
    return report


def _restore_folders(archive: tarfile.TarFile, manifest: dict[str, Any], report: Report) -> None:
    for name, storage_alias in FOLDERS.items():
        if name not in manifest.get("folders", {}):
            continue
        folder = _folder(storage_alias)
        if folder is None:
            report.skipped[name] = "this site keeps it in object storage: copy the files there"
            continue
        members = [m for m in archive.getmembers() if m.name.startswith(f"{name}/")]
        folder.mkdir(parents=True, exist_ok=True)
        _empty_folder(folder)
        for member in members:
            inside = copy.copy(member)  # the archive's own stays as it is, for the next folder
            inside.name = member.name[len(name) + 1 :]
            archive.extract(inside, folder, filter="data")
        report.folders[name] = sum(1 for member in members if member.isfile())
