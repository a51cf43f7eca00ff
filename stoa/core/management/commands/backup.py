from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stoa.core import backups


class Command(BaseCommand):
    help = (
        "Write the database (SQLite's online backup, or pg_dump -Fc) and the uploads "
        "(MEDIA_ROOT and the protected files) to one tar file, safe while the site runs "
        "(stoa.core.backups). `stoa restore PATH` puts it back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the tar file to write")
        parser.add_argument(
            "--no-media", action="store_true", help="the database only, not the upload folders"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backups.backup(path=options["path"], media=not options["no_media"])
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up to {options['path']}: " + describe(report))


def describe(report: backups.Report) -> str:
    parts = [f"the {report.engine} database ({report.database_bytes:,} bytes)"]
    parts += [f"{name}/ ({files:,} files)" for name, files in report.folders.items()]
    parts += [f"not {name}/: {why}" for name, why in report.skipped.items()]
    return "; ".join(parts) + "."
