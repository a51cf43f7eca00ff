from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stoa.api import schema


class Command(BaseCommand):
    help = (
        "Write the JSON API's OpenAPI schema to stoa/api/openapi.json (or the file given), "
        "the copy that is committed; a test fails when the API and the copy differ."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=schema.COMMITTED)

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"]
        output.write_text(schema.live(), encoding="utf-8")
        self.stdout.write(f"Wrote {output}")
