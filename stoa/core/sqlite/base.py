"""Django's SQLite backend, with its writers waiting in one queue the kernel keeps.

SQLite lets one writer write at a time. A writer that finds the lock taken sleeps and tries
again (its busy handler sleeps 1, 2, 5, 10... up to 100 ms between tries, until the busy
timeout), and nobody wakes it when the lock is free: under a steady stream of writers it
finds the lock taken at almost every try. 50 guests commenting at once spent most of their
time asleep while the lock was free, and the task worker, whose every claim, sent-email
marker and result is a write too, lost to the comment writers at nearly every try: it ran
~100 comments' tasks a second while they came in, ~1,200 once they stopped (issue 12).

So every write of a Stoa process first takes an exclusive flock on a file beside the
database (`<database>.writers`), and holds it until its transaction ends: the kernel wakes a
waiting writer as soon as the lock is released, and the web's writers and the task workers
wait in the same queue. A write transaction is one that holds SQLite's write lock: on this
site every `atomic` block (transaction_mode IMMEDIATE takes the lock at BEGIN), and a write
statement run outside one (Django's autocommit: a single save()). Readers never wait (WAL).

The flock is taken only by a connection outside any transaction, which holds no SQLite lock
(WAL readers block nobody), and SQLite's lock is only asked for under it: a holder never
waits for someone waiting for it. Writers from elsewhere (the sqlite3 shell, a process of
another program) still meet SQLite's lock and its busy timeout, as before.

The file is opened for each wait and closed to release it (an open file inherited by a forked
process would share the lock instead of excluding it). In-memory databases and systems
without flock write as Django's backend does."""

from __future__ import annotations

import os
from typing import Any

from django.db.backends.sqlite3 import base

try:
    import fcntl
except ImportError:  # not a POSIX system: SQLite's busy handler alone, as Django's backend
    fcntl = None  # type: ignore[assignment]

# The first word of a statement that takes SQLite's write lock outside a transaction, and the
# BEGINs that take it at once (Django's atomic with transaction_mode IMMEDIATE, django-tasks-db's
# claim with EXCLUSIVE). A plain (DEFERRED) BEGIN takes it at its first write, which is not
# seen here: this site's transactions are IMMEDIATE.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
_WRITING_BEGINS = ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE")


def _writes(query: str) -> bool:
    head = query.lstrip()[:15].upper()
    return head.startswith(_WRITES) or head.startswith(_WRITING_BEGINS)


class WritersQueue:
    """One connection's place in its database's queue of writers."""

    def __init__(self, database: base.DatabaseWrapper) -> None:
        self.database = database
        self.fd: int | None = None

    def path(self) -> str | None:
        """The queue's file, beside the database: read at each wait, as the database's name
        changes after the connection is made (a test database)."""
        name = self.database.settings_dict.get("NAME")
        if fcntl is None or not isinstance(name, (str, os.PathLike)):
            return None
        path = os.fspath(name)
        # In memory, or a URI (file:...), which names no file to put the queue's beside.
        if self.database.is_in_memory_db() or path.startswith("file:"):
            return None
        return f"{path}.writers"

    def enter(self) -> None:
        if self.fd is not None or (path := self.path()) is None:
            return
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd

    def leave(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)  # closing the file releases the lock

    def __del__(self) -> None:
        # A connection dropped without being closed (its thread ended) must not keep every
        # other writer waiting until the process ends.
        self.leave()


class QueuedCursor(base.SQLiteCursorWrapper):
    """Django's cursor; a write outside a transaction waits in the writers' queue first."""

    queue: WritersQueue

    def execute(self, query: str, params: Any = None) -> Any:
        if self.connection.in_transaction or not _writes(query):
            return super().execute(query, params)
        self.queue.enter()
        try:
            return super().execute(query, params)
        finally:
            # Still held after a BEGIN: until the transaction ends (_commit, _rollback).
            if not self.connection.in_transaction:
                self.queue.leave()

    def executemany(self, query: str, param_list: Any) -> Any:
        if self.connection.in_transaction or not _writes(query):
            return super().executemany(query, param_list)
        self.queue.enter()
        try:
            return super().executemany(query, param_list)
        finally:
            if not self.connection.in_transaction:
                self.queue.leave()


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.writers = WritersQueue(self)

    def create_cursor(self, name: str | None = None) -> QueuedCursor:
        cursor = self.connection.cursor(factory=QueuedCursor)
        cursor.queue = self.writers
        return cursor

    def _end_of_transaction(self) -> None:
        if self.connection is None or not self.connection.in_transaction:
            self.writers.leave()

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # Django has it, its stubs do not
        finally:
            self._end_of_transaction()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._end_of_transaction()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self.writers.leave()  # SQLite rolls back what the closed connection left open
