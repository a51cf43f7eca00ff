from typing import Any

from django.core.management.base import BaseCommand

from stoa.discussion.services import purge_old_comments


class Command(BaseCommand):
    help = (
        "Empty spam and trash older than the retention period and erase commenters' old IP "
        "addresses and user agents (the worker also does this once a day)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted, erased = purge_old_comments()
        self.stdout.write(f"Deleted {deleted} old spam/trash comments; anonymised {erased}.")
