"""`stoa demo`: write the demo content into an empty site, one part after the other."""

import datetime as dt
import random
from typing import Any, Protocol

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from stoa.core import freshness
from stoa.demo import discussion, publishing, webcasts
from stoa.demo.loader import DemoDataError

DEFAULT_SEED = 2026


class Part(Protocol):
    """One app's share of the demo content."""

    LABEL: str

    def read(self) -> object: ...

    def is_loaded(self) -> bool: ...

    def build(self, *, rng: random.Random, today: dt.datetime) -> str: ...


# Dependencies first: the discussion is under the posts, the series name their people. The
# order is also the order in which the parts draw from the one generator: keep it, or a seed
# no longer writes what it wrote before.
PARTS: tuple[Part, ...] = (publishing, discussion, webcasts)


class Command(BaseCommand):
    help = (
        "Write the demo content (stoa/demo/data/) where it is not there yet. Deterministic "
        "for a given seed, and a no-op where the content is already there."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        parts = [part for part in PARTS if not part.is_loaded()]
        if not parts:
            self.stdout.write("Demo content is already loaded; nothing to do.")
            return
        # One generator for all parts, so the same seed always writes the same content.
        rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
        # Dates count back from today's midnight so that a reload writes the same dates.
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            # Every file is read and checked before anything is written: a mistake in the
            # last file must not cost a minute of writing, then a rollback.
            for part in parts:
                part.read()
            # One new content version at the end, not one per row written.
            with transaction.atomic(), freshness.changed():
                for part in parts:
                    summary = part.build(rng=rng, today=today)
                    self.stdout.write(f"{part.LABEL}: {summary}")
        except DemoDataError as error:
            raise CommandError(f"Demo content not loaded: {error}") from error
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
