"""Background tasks that survive a crash of the server: a task is queued in the same
transaction as the change that calls for it, so a committed comment always has its
notification tasks, and a rolled-back one has none."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from django.db import transaction
from django_tasks_db.backend import DatabaseBackend

if TYPE_CHECKING:
    from django_tasks.base import Task

P = ParamSpec("P")
T = TypeVar("T")


def enqueue(task: Task[P, T], *args: P.args, **kwargs: P.kwargs) -> None:
    """Queue `task` with the change being written: in the same transaction when the task
    backend keeps its queue in the database, after the commit with any other backend."""
    if isinstance(task.get_backend(), DatabaseBackend):
        # The task's row is written by the transaction that writes the change (one database
        # holds both): both commit or neither does, and the worker cannot see the task before
        # the rows it reads are committed. After the commit (on_commit), a crash between the
        # commit and the enqueue would lose the task.
        task.enqueue(*args, **kwargs)
    else:
        # Another backend cannot join the transaction. The immediate one (the tests) runs the
        # task inside enqueue: inside the transaction it would email about a change that may
        # still be rolled back, and its own writes would join the caller's transaction. After
        # the commit it sees what a worker would see. A broker (Redis, ...) could hand the
        # task to a worker before the commit, which would not find the rows yet.
        transaction.on_commit(partial(task.enqueue, *args, **kwargs))
