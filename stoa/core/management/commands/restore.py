from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stoa.core import backups
from stoa.core.management.commands.backup import describe


class Command(BaseCommand):
    help = (
        "Replace the database's content and the upload folders' files with a backup made by "
        "`stoa backup` (stoa.core.backups). Refuses a database that has tables unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the tar file `stoa backup` wrote")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that is not empty (everything in it is lost)",
        )
        parser.add_argument(
            "--no-media", action="store_true", help="the database only, not the upload folders"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backups.restore(
                path=options["path"], force=options["force"], media=not options["no_media"]
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored from {options['path']}: " + describe(report))
