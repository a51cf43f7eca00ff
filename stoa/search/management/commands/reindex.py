from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO, Any, TypeVar, cast

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn
from rich.table import Table

from stoa.search import services
from stoa.search.related import related_backend
from stoa.search.sources import SOURCES

T = TypeVar("T")


class Command(BaseCommand):
    help = (
        "Rebuild the search index from what readers can see (`stoa reindex`), in one "
        "transaction: searches meanwhile answer from the old index. `--catch-up` only adds "
        "what is missing or changed and removes what is gone (after writes that sent no "
        "signal, such as a bulk import run from code)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--catch-up",
            action="store_true",
            help="index only rows missing or changed since they were indexed",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["catch_up"]:
            counts = services.catch_up()
            self._table("Caught up", counts, time.perf_counter() - started)
            self._related()
            return
        labels = {source.label: f"Indexing {source.label}" for source in SOURCES}
        counts = _with_progress(labels, lambda progress: services.reindex(progress=progress))
        self._table("Indexed", counts, time.perf_counter() - started)
        self._related()

    def _related(self) -> None:
        """The related-reading backend's own data (the semantic mode's vectors), level with
        the index: only articles whose text changed are embedded again."""
        chosen = related_backend()
        if not chosen.follows:
            return
        started = time.perf_counter()
        done = _with_progress(
            {"": "Embedding articles"}, lambda progress: chosen.refresh(progress=progress)
        )
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Related reading ({chosen.name}): {done:,} articles embedded in {seconds:.1f} s"
        )

    def _table(self, title: str, counts: dict[str, int], seconds: float) -> None:
        table = Table(title=f"{title} in {seconds:.1f} s")
        table.add_column("kind")
        table.add_column("documents", justify="right")
        for source in SOURCES:
            table.add_row(source.label, f"{counts.get(source.kind, 0):,}")
        Console(file=cast(IO[str], self.stdout), width=80).print(table)


def _with_progress(labels: dict[str, str], run: Callable[[services.Progress | None], T]) -> T:
    """run(progress) with a bar a label (described by `labels`) on a terminal; nothing in a
    pipe or a log (run(None)). A label the work names that `labels` does not know goes to
    the one bar of a single-bar work (key "")."""
    console = Console(file=sys.stderr)
    if not console.is_terminal:
        return run(None)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        tasks: dict[str, TaskID] = {
            label: bar.add_task(description, total=None) for label, description in labels.items()
        }

        def progress(label: str, done: int, total: int) -> None:
            bar.update(tasks[label if label in tasks else ""], completed=done, total=total)

        return run(progress)
