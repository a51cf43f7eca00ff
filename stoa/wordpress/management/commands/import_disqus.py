from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeElapsedColumn

from stoa.wordpress.disqus import import_disqus
from stoa.wordpress.management.reports import print_report
from stoa.wordpress.models import ImportRun, RunStatus


class Command(BaseCommand):
    help = (
        "Bring a Disqus export's comments onto the posts their threads were under (matched "
        "by address, through the redirect table of old links, or by the WordPress post id "
        "the Disqus plugin recorded): `stoa import-disqus FILE.xml [--dry-run]`. All or "
        "nothing; a second run of the same file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the Disqus export (XML)")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be done, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        size = path.stat().st_size
        # A progress bar on a terminal; nothing in a pipe or a log.
        console = Console(file=sys.stderr)
        with path.open("rb") as source:
            if console.is_terminal:
                with Progress(
                    "[progress.description]{task.description}",
                    BarColumn(),
                    DownloadColumn(),
                    TimeElapsedColumn(),
                    console=console,
                ) as bar:
                    task = bar.add_task("Reading the Disqus export", total=size)
                    run = import_disqus(
                        source=source,
                        file_name=path.name,
                        dry_run=options["dry_run"],
                        progress=lambda: bar.update(task, completed=source.tell()),
                    )
            else:
                run = import_disqus(source=source, file_name=path.name, dry_run=options["dry_run"])
        self.report(run)
        if run.status == RunStatus.FAILED:
            raise CommandError(f"Nothing was imported: {run.error}")

    def report(self, run: ImportRun) -> None:
        title = "Disqus import (dry run: nothing written)" if run.dry_run else "Disqus import"
        print_report(run=run, title=f"{title} ({run.file_name})", out=cast(IO[str], self.stdout))
