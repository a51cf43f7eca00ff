from typing import Any

from django.core.management.base import BaseCommand

from stoa.core.cache import content_changed
from stoa.discussion.services import rerender_comments


class Command(BaseCommand):
    help = "Render every comment's stored display HTML again (after a template change)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = rerender_comments()
        content_changed()
        self.stdout.write(f"Rendered {count} comments.")
