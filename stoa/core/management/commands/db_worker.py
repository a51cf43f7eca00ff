"""`stoa db_worker`: django-tasks-db's worker holding a lease (stoa.core.tasks.LeaseKeeper), so
that the task of a worker that died is taken back by another one instead of staying RUNNING.

It keeps the library's name: stoa.core comes before django_tasks_db in INSTALLED_APPS, so this
command is the one `stoa db_worker` runs (a test checks it), and every worker that can be
started holds a lease. A worker without one would see its running tasks taken back."""

from __future__ import annotations

import datetime as dt
import math
import os
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as LibraryWorker

from stoa.core.tasks import LEASE, LeaseKeeper


def lease_seconds(value: str) -> float:
    seconds = float(value)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ArgumentTypeError("Must be a number of seconds greater than zero")
    return seconds


class Command(LibraryWorker):
    help = (
        "Run the database task worker. It holds a lease it renews every third of --lease; "
        "the task of a worker whose lease ran out (it died) goes back to the queue."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--lease",
            type=lease_seconds,
            default=LEASE.total_seconds(),
            help="Seconds after its last renewal that a silent worker counts as dead "
            "(default: %(default)r)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        lease = dt.timedelta(seconds=options.pop("lease"))
        # With --reload this process only restarts a child running the same command, which
        # holds its own lease (the library turns --reload off with --batch).
        reloader = options["reload"] and not options["batch"]
        if reloader and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            super().handle(*args, **options)
            return
        with LeaseKeeper(options["worker_id"], lease):
            super().handle(*args, **options)
