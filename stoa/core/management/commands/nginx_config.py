from typing import Any

from django.core.management.base import BaseCommand

from stoa.core import readers


class Command(BaseCommand):
    help = (
        "Print nginx's `map` blocks that tell personal requests from shared ones, generated "
        "from the rule Stoa's page cache follows (stoa.core.readers). docs/deploy.md carries "
        "this output; a test fails if the two differ."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(readers.nginx_maps(), ending="")
