"""Background tasks that survive a crash of the server or of the task worker.

- `enqueue`: a task is queued in the same transaction as the change that calls for it, so a
  committed comment always has its notification tasks, and a rolled-back one has none.
- `LeaseKeeper` / `take_back_abandoned`: each `stoa db_worker` holds a lease it renews; the
  task a worker was running when it died goes back to the queue once the lease is over.
  django-tasks-db (0.13, the latest release) leaves such a task RUNNING forever: its issue
  RealOrangeOne/django-tasks-db#5 is open and no release has a replacement.
- `send_once`: a task run again after a crash does not send again the emails it had sent.

The guarantee: every task is run at least once, and every email of a task is delivered once,
except when the worker dies between the mail server taking a message and the write of its
marker; that message is then sent again, with the same Message-ID, which lets mail systems
that deduplicate (Gmail, for one) drop the copy. A task about many comments
(notify_comments_published) writes its markers together (`mark_sent`), after its mail
session or every MARK_EVERY emails, so a worker dying in the middle of it may have sent up
to that many emails that are sent again: a marker's write transaction an email was one
more wait for SQLite's one writer's lock each, behind the comment writers (issue 12).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
import socket
import threading
from functools import partial
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.db import close_old_connections, connections, router, transaction
from django.utils import timezone
from django_tasks import TaskContext, TaskResultStatus
from django_tasks_db.backend import DatabaseBackend

if TYPE_CHECKING:
    from django_tasks.base import Task

    from stoa.core.models import SentEmail

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# How long a worker's lease lasts; the worker renews it every third of that. A task runs as
# long as it needs: only a worker that stops renewing loses its task, not a slow task.
LEASE = dt.timedelta(seconds=60)
# A task that was running on a worker that died this many times is not queued again but
# failed: it is probably what kills the workers (memory, a crash in a library).
MAX_RUNS = 5
# The most values a joined task carries (enqueue_joined): a task a worker runs in well under
# a second, and a run after a crash redoes no more than that.
JOIN_LIMIT = 100
# How long a new joined task waits before a worker may claim it (enqueue_joined), so that
# the comments of that moment join it. Claimed at once, a task carried ~5 comments under 50
# writers (two workers took each as soon as it was written), and each task's claim, result
# and reads cost the workers as much as ~5 comments' emails: their CPU a comment grew from
# 2.5 to 4.3 ms as the tasks grew smaller, and the writers' rate fell with it (issue 12).
# Short beside what a reader waits for an email or a search to find a comment.
JOIN_WAIT = dt.timedelta(seconds=0.3)
# The most sent emails a task holds unmarked (mark_sent): what a worker dying in the middle
# of a task may send again.
MARK_EVERY = 100
# The sent-email markers matter while their task may still run again, which is a lease or
# so after a crash; they are kept far longer, then deleted by the workers.
KEEP_SENT_MARKERS = dt.timedelta(days=30)


class WorkerDied(Exception):
    """Recorded on a task failed because its workers kept dying while running it."""


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


@functools.cache
def _joinable_sql(
    alias: str, task_path: str, queue_name: str, backend: str, priority: int
) -> tuple[tuple[str, Any], str]:
    """The query of the newest waiting task of this kind, locked (FOR UPDATE SKIP LOCKED
    where the database has it), and the update of its arguments. Worked out once: the ORM's
    compilation of the query cost more than the database's answer, twice in every comment
    POST. Read through the library's index of waiting tasks (status, priority, run_after,
    enqueued_at), whose rows are the queue alone: a task waiting for its run_after (JOIN_WAIT)
    and one already due are joined alike, as no worker has claimed either."""
    from django_tasks_db.models import DBTaskResult

    query = (
        DBTaskResult.objects.using(alias)
        .filter(
            status=TaskResultStatus.READY,
            priority=priority,
            task_path=task_path,
            queue_name=queue_name,
            backend_name=backend,
        )
        .order_by("-enqueued_at")
        .select_for_update(skip_locked=True)
        .values_list("id", "args_kwargs")[:1]
    )
    select = query.query.get_compiler(alias).as_sql()
    quote = connections[alias].ops.quote_name
    table = quote(DBTaskResult._meta.db_table)
    update = f"UPDATE {table} SET {quote('args_kwargs')} = %s WHERE {quote('id')} = %s"  # noqa: S608 - names only
    return select, update


def enqueue_joined(
    task: Task[P, T],
    *,
    key: str,
    values: list[Any],
    limit: int = 0,
    wait: dt.timedelta | None = None,
) -> None:
    """Queue `task(**{key: values})`, or, on the database queue, add `values` to the `key`
    list of a task of the same kind that no worker has claimed yet (up to `limit` values a
    task; 0: JOIN_LIMIT). A new task on the database queue waits `wait` (None: JOIN_WAIT)
    before a worker may claim it, for the values that come meanwhile to join it.

    Each task on the database queue is a row the writer inserts, then a claim and a result
    the worker writes, each a write transaction on SQLite's one writer's lock; 50 guests
    commenting at once queued a task a comment faster than one worker could run them (issue
    12: 6,681 tasks waiting at the end). Joined, a worker runs the comments that arrived
    meanwhile in one task. Safe against the claim: on SQLite the writer holds the one
    writer's lock from its BEGIN (IMMEDIATE), so no worker claims the row between this read
    and the commit; on PostgreSQL the row is locked here (FOR UPDATE), and a row a worker
    is claiming (locked by it) is skipped, and a new task is queued instead."""
    if not isinstance(task.get_backend(), DatabaseBackend):
        enqueue(task, **{key: values})  # type: ignore[arg-type, call-arg]
        return
    from django_tasks_db.models import DBTaskResult

    limit = limit or JOIN_LIMIT
    database = connections[router.db_for_write(DBTaskResult)]
    select, update = _joinable_sql(
        database.alias, task.module_path, task.queue_name, task.backend, task.priority
    )
    field = DBTaskResult._meta.get_field("args_kwargs")
    with transaction.atomic(using=database.alias, savepoint=False), database.cursor() as cursor:
        cursor.execute(*select)
        if (found := cursor.fetchone()) is not None:
            task_id, args_kwargs = found[0], field.from_db_value(found[1], None, database)  # type: ignore[arg-type]
            listed = args_kwargs.get("kwargs", {}).get(key)
            if (
                isinstance(listed, list)
                and not args_kwargs.get("args")
                and len(listed) + len(values) <= limit
            ):
                listed.extend(value for value in values if value not in listed)
                cursor.execute(update, [field.get_db_prep_save(args_kwargs, database), task_id])
                return
        wait = JOIN_WAIT if wait is None else wait
        if wait:
            task = task.using(run_after=timezone.now() + wait)
        task.enqueue(**{key: values})  # type: ignore[arg-type, call-arg]


def email_key(task_id: str, recipients: list[str], part: str = "") -> str:
    """The identity of one email of one task: the task, the addresses it goes to, and which
    of the task's pieces of news it is (`part`: a comment of a task about several)."""
    addresses = ",".join(sorted({address.strip().lower() for address in recipients}))
    if part:
        return hashlib.sha256(f"{task_id}\n{part}\n{addresses}".encode()).hexdigest()
    return hashlib.sha256(f"{task_id}\n{addresses}".encode()).hexdigest()


def send_once(
    message: EmailMessage,
    context: TaskContext,
    *,
    part: str = "",
    sent_keys: set[str] | None = None,
    unmarked: list[SentEmail] | None = None,
) -> int:
    """Send `message` from the task of `context`, unless this task has already sent it (an
    earlier run of the same task, on a worker that died before marking the task done).
    Returns 1 for an email sent now or before, 0 when there is no recipient. `part` tells
    apart the emails of a task about several things (a comment's id) that go to the same
    addresses. `sent_keys`: the keys (email_key) of this task's emails already sent, when the
    caller read them for many emails in one query; the key of an email sent now is added.
    `unmarked`: the marker of an email sent now is added there, for the caller to write
    with others (mark_sent), instead of being written here.

    Called outside any transaction (as tasks run): the marker must be committed as soon as
    the mail server has taken the message (or, with `unmarked`, by the caller soon after)."""
    from stoa.core.models import SentEmail

    recipients = message.recipients()
    if not recipients:
        return 0
    task_id = str(context.task_result.id)
    key = email_key(task_id, recipients, part)
    if key in sent_keys if sent_keys is not None else SentEmail.objects.filter(key=key).exists():
        logger.info("Task %s already sent email %s; not sending it again", task_id, key)
        return 1
    # The same Message-ID on every attempt: if the marker below is lost (the worker dies right
    # after the mail server took the message), the second copy is recognisably the same email.
    message.extra_headers.setdefault("Message-ID", f"<{key}@{DNS_NAME}>")
    sent = message.send()
    if sent:
        marker = SentEmail(key=key, task_id=task_id)
        if unmarked is not None:
            unmarked.append(marker)
        else:
            mark_sent([marker])
        if sent_keys is not None:
            sent_keys.add(key)
    return sent


def mark_sent(markers: list[SentEmail]) -> None:
    """Write these markers of sent emails (send_once's `unmarked`) in one statement, and
    empty the list. One INSERT that leaves a marker already there alone (a run that raced
    this one), not get_or_create's read, savepoint and insert (issue 12)."""
    from stoa.core.models import SentEmail

    if markers:
        SentEmail.objects.bulk_create(markers, ignore_conflicts=True)
        markers.clear()


def renew_lease(worker_id: str, lease: dt.timedelta) -> None:
    """Hold (or extend) the lease of this worker process until `lease` from now."""
    from stoa.core.models import WorkerLease

    now = timezone.now()
    WorkerLease.objects.update_or_create(
        worker_id=worker_id,
        defaults={"expires_at": now + lease},
        create_defaults={
            "expires_at": now + lease,
            "started_at": now,
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )


def end_lease(worker_id: str) -> None:
    from stoa.core.models import WorkerLease

    WorkerLease.objects.filter(worker_id=worker_id).delete()


def take_back_abandoned(*, grace: dt.timedelta = LEASE) -> list[str]:
    """Put back in the queue each running task whose worker holds no lease any more and that
    started more than `grace` ago (a task of a worker without a lease, such as django-tasks-db's
    own, gets that long); fail one that has killed MAX_RUNS workers. Returns the tasks' ids."""
    from django_tasks_db.models import DBTaskResult

    from stoa.core.models import SentEmail, WorkerLease

    now = timezone.now()
    WorkerLease.objects.filter(expires_at__lt=now).delete()
    SentEmail.objects.filter(sent_at__lt=now - KEEP_SENT_MARKERS).delete()
    live = set(WorkerLease.objects.values_list("worker_id", flat=True))
    running = DBTaskResult.objects.running().filter(started_at__lt=now - grace)
    taken = []
    for task_id, worker_ids, started_at in running.values_list("id", "worker_ids", "started_at"):
        if worker_ids and worker_ids[-1] in live:
            continue
        # Changed only if nobody claimed it since it was read (a claim sets a new started_at),
        # so two workers sweeping at once take it back once.
        same_run = DBTaskResult.objects.filter(
            pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
        )
        if len(worker_ids) >= MAX_RUNS:
            changed = same_run.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
                traceback=f"{len(worker_ids)} workers died while running this task.\n",
            )
            verb = "failed"
        else:
            changed = same_run.update(status=TaskResultStatus.READY)
            verb = "queued again"
        if changed:
            worker = worker_ids[-1] if worker_ids else "(none)"
            logger.warning("Task %s %s: its worker %s died", task_id, verb, worker)
            taken.append(str(task_id))
    return taken


class LeaseKeeper:
    """A worker's lease, renewed on a thread of its own every third of the lease (a task may
    run longer than the lease), which also takes back the tasks of dead workers.

    Used as a context manager around the worker's loop: the lease is held before the first
    task is claimed and given up when the worker stops."""

    def __init__(self, worker_id: str, lease: dt.timedelta = LEASE) -> None:
        self.worker_id = worker_id
        self.lease = lease
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stoa-lease", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        renew_lease(self.worker_id, self.lease)
        take_back_abandoned(grace=self.lease)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stopped.set()
        self._thread.join(timeout=self.lease.total_seconds())
        end_lease(self.worker_id)

    def _run(self) -> None:
        try:
            while not self._stopped.wait(self.lease.total_seconds() / 3):
                try:
                    close_old_connections()
                    renew_lease(self.worker_id, self.lease)
                    take_back_abandoned(grace=self.lease)
                # The thread must outlive any failure (a locked or unreachable database): once
                # it stopped, this live worker's task would be taken back and run twice.
                except Exception:  # noqa: BLE001
                    logger.exception("Worker %s could not renew its lease", self.worker_id)
        finally:
            connections.close_all()
