from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeElapsedColumn

from stoa.wordpress import services, wxr
from stoa.wordpress.management.reports import print_report
from stoa.wordpress.models import ImportKind, ImportRun, RunStatus


class Command(BaseCommand):
    help = (
        "Bring a WordPress site over from its export (Tools → Export → All content): "
        "`stoa import-wordpress FILE.xml [--media-from DIR] [--dry-run]`. All or nothing; a "
        "second run of the same file changes nothing, a newer export updates what changed. "
        "The report is kept where the admin shows it (WordPress move → Imports)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the WordPress export (WXR 1.0, 1.1 or 1.2)")
        parser.add_argument(
            "--media-from",
            metavar="DIR",
            help="a copy of the old site's wp-content/uploads folder, to copy the files from",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be done, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        media_from = options["media_from"]
        run = ImportRun.objects.create(
            kind=ImportKind.WXR,
            file_name=path.name[:255],
            media_from=str(media_from or "")[:500],
            dry_run=options["dry_run"],
            status=RunStatus.RUNNING,
        )
        services.start_run(run=run)
        size = path.stat().st_size
        # A progress bar on a terminal; nothing in a pipe or a log.
        console = Console(file=sys.stderr)
        try:
            if console.is_terminal:
                with Progress(
                    "[progress.description]{task.description}",
                    BarColumn(),
                    DownloadColumn(),
                    TimeElapsedColumn(),
                    console=console,
                ) as bar:
                    # Two passes over the file: the bar counts both.
                    task = bar.add_task("Importing the WordPress export", total=2 * size)
                    report = services.import_wordpress(
                        source=path,
                        media_from=media_from,
                        dry_run=options["dry_run"],
                        run=run,
                        progress=lambda done, total: bar.update(task, completed=done, total=total),
                    )
            else:
                report = services.import_wordpress(
                    source=path, media_from=media_from, dry_run=options["dry_run"], run=run
                )
        except (services.ImportRefused, wxr.WXRError) as error:
            services.save_report(run=run, report=None, error=str(error))
            raise CommandError(f"Nothing was imported: {error}") from None
        except Exception as error:
            services.save_report(run=run, report=None, error=f"{type(error).__name__}: {error}")
            raise
        services.save_report(run=run, report=report, done=2 * size, total=2 * size)
        self.report(run)

    def report(self, run: ImportRun) -> None:
        title = "Dry run: nothing was written" if run.dry_run else "Imported"
        print_report(run=run, title=f"{title} ({run.file_name})", out=cast(IO[str], self.stdout))
