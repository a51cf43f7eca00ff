from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from stoa.publishing import services
from stoa.publishing.models import MediaItem


class Command(BaseCommand):
    help = (
        "Make the srcset renditions of library pictures that have none (`stoa renditions`): "
        "pictures stored before renditions existed. New uploads get theirs when stored."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        pictures = MediaItem.objects.images().exclude(file="").filter(renditions=[])
        done = 0
        # A hundred at a time, each batch one transaction: a large library is not held open.
        while batch := list(pictures.order_by("pk")[:100]):
            made = services.make_missing_renditions(items=batch)
            done += made
            if made < len(batch):
                # Pictures too small for any rendition stay without one: stop at them.
                remaining = [item.pk for item in batch if not item.renditions]
                pictures = pictures.exclude(pk__in=remaining)
        self.stdout.write(f"Renditions made for {done} picture(s).")
