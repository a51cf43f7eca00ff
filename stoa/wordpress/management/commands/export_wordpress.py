from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stoa.wordpress.export import export_wordpress


class Command(BaseCommand):
    help = (
        "Write the whole site (people, categories, tags, posts, pages, comments, media) as a "
        "WordPress eXtended RSS file (WXR 1.2), which WordPress's importer and "
        "`stoa import-wordpress` read: `stoa export-wordpress > site.xml`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", "-o", help="write to this file instead of the standard output"
        )
        parser.add_argument(
            "--base-url", help="the site's address in links (default: STOA_SITE_URL)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["output"]:
            path = Path(options["output"])
            with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
                counts = export_wordpress(out.write, base_url=options["base_url"])
        else:
            # Written a piece at a time as rows are read, never held whole.
            counts = export_wordpress(
                lambda piece: self.stdout.write(piece, ending=""), base_url=options["base_url"]
            )
            self.stdout.flush()
        # The summary goes to stderr, so a redirected stdout holds the file alone.
        summary = (
            f"Exported {counts.authors} people, {counts.categories} categories, "
            f"{counts.tags} tags, {counts.posts} posts, {counts.pages} pages, "
            f"{counts.media} media items, {counts.comments} comments."
        )
        self.stderr.write(summary)
