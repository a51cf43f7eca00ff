"""The report an import command prints when it ends: the counts per kind as a table, then the
problems. One printer for `stoa import-wordpress` and `stoa import-disqus`, so that both
commands report alike (the admin shows the same run's counts and problems)."""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.table import Table

from stoa.wordpress.models import COUNT_COLUMNS, ImportRun


def print_report(*, run: ImportRun, title: str, out: IO[str]) -> None:
    """The run's counts per kind (created, updated, skipped, failed), then its problems."""
    console = Console(file=out, width=110, highlight=False, soft_wrap=True)
    table = Table(title=title)
    table.add_column("kind")
    for column in COUNT_COLUMNS:
        table.add_column(column, justify="right")
    for kind, numbers in run.count_rows():
        table.add_row(kind, *(f"{n:,}" for n in numbers))
    console.print(table)
    if run.problems:
        console.print(f"Problems ({len(run.problems)}):")
        for line in run.problems:
            console.print(f"  - {line}", markup=False)
    else:
        console.print("No problems.")
