from typing import Any

from django.core.management.base import BaseCommand

from stoa.webhooks.conf import webhooks_setting
from stoa.webhooks.services import prune_log


class Command(BaseCommand):
    help = (
        "Delete webhook messages older than STOA_WEBHOOKS['KEEP_DAYS'] whose deliveries have "
        "all ended, with their attempts (the worker also does this once a day)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        pruned = prune_log()
        days = webhooks_setting("KEEP_DAYS")
        self.stdout.write(f"Deleted {pruned} webhook messages older than {days} days.")
