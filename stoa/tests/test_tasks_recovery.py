"""The pieces that keep background tasks through a crash (stoa.core.tasks), one by one: where a
task is queued, the workers' leases, taking back a dead worker's task, and an email sent once
per task. test_tasks_crash.py runs them together in real processes."""

from __future__ import annotations

import datetime as dt
import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import get_commands, load_command_class
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from stoa.core import tasks
from stoa.core.management.commands.db_worker import Command as LeasedWorker
from stoa.core.models import SentEmail, WorkerLease
from stoa.members.tasks import send_account_email

EMAIL = {"subject": "Hello", "body": "Hi.", "from_email": "stoa@example.org", "to": ["a@b.net"]}


@pytest.fixture
def database_tasks(settings: Any) -> None:
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "email"],
        }
    }


def running_task(*, worker: str, started: dt.timedelta, runs: int = 1) -> DBTaskResult:
    """A queued task claimed by `worker` (after `runs - 1` other workers), `started` ago."""
    row = send_account_email.enqueue(**EMAIL).db_result  # type: ignore[attr-defined]
    for run in range(runs - 1):
        row.claim(f"earlier-{run}")
    row.claim(worker)
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - started)
    return row


def status_of(row: DBTaskResult) -> str:
    return DBTaskResult.objects.get(pk=row.pk).status


def lease(worker: str, *, left: dt.timedelta) -> None:
    now = timezone.now()
    WorkerLease.objects.create(
        worker_id=worker, host="h", pid=1, started_at=now, expires_at=now + left
    )


# --- `stoa db_worker` -------------------------------------------------------------------------


def test_stoa_db_worker_is_the_worker_that_holds_a_lease() -> None:
    # stoa.core comes before django_tasks_db in INSTALLED_APPS, so its command wins the name.
    assert get_commands()["db_worker"] == "stoa.core"
    assert isinstance(load_command_class("stoa.core", "db_worker"), LeasedWorker)


# --- Queued with the change -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_with_the_database_backend_a_task_is_written_by_the_callers_transaction() -> None:
    with transaction.atomic():
        tasks.enqueue(send_account_email, **EMAIL)
        assert DBTaskResult.objects.count() == 1, "queued before the commit"
        transaction.set_rollback(True)
    assert DBTaskResult.objects.count() == 0, "and rolled back with it"


@pytest.mark.django_db
def test_with_the_immediate_backend_a_task_runs_only_after_the_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        tasks.enqueue(send_account_email, **EMAIL)
        assert mail.outbox == [], "nothing runs while the change may still roll back"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_with_the_immediate_backend_a_rolled_back_change_runs_no_task(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        tasks.enqueue(send_account_email, **EMAIL)
        transaction.set_rollback(True)
    assert mail.outbox == []


# --- Taking back the task of a dead worker ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_the_task_of_a_worker_whose_lease_ran_out_goes_back_to_the_queue() -> None:
    row = running_task(worker="dead", started=dt.timedelta(minutes=5))
    lease("dead", left=-dt.timedelta(seconds=1))

    assert tasks.take_back_abandoned(grace=dt.timedelta(minutes=1)) == [str(row.pk)]

    assert status_of(row) == TaskResultStatus.READY
    assert not WorkerLease.objects.filter(worker_id="dead").exists(), "the lease is cleared"
    assert DBTaskResult.objects.ready().filter(pk=row.pk).exists(), "a worker will claim it"


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_a_live_worker_keeps_its_task_however_long_it_runs() -> None:
    row = running_task(worker="alive", started=dt.timedelta(hours=3))
    lease("alive", left=dt.timedelta(seconds=30))

    assert tasks.take_back_abandoned(grace=dt.timedelta(minutes=1)) == []
    assert status_of(row) == TaskResultStatus.RUNNING


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_a_task_of_a_worker_without_a_lease_is_taken_back_only_after_the_grace() -> None:
    # A worker that holds no lease at all (django-tasks-db's own command, during a deploy).
    recent = running_task(worker="unleased", started=dt.timedelta(seconds=5))
    old = running_task(worker="unleased", started=dt.timedelta(minutes=5))

    assert tasks.take_back_abandoned(grace=dt.timedelta(minutes=1)) == [str(old.pk)]
    assert status_of(recent) == TaskResultStatus.RUNNING


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_a_task_that_keeps_killing_its_workers_fails_instead_of_running_forever() -> None:
    row = running_task(worker="dead", started=dt.timedelta(minutes=5), runs=tasks.MAX_RUNS)

    assert tasks.take_back_abandoned(grace=dt.timedelta(minutes=1)) == [str(row.pk)]

    failed = DBTaskResult.objects.get(pk=row.pk)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.exception_class_path == "stoa.core.tasks.WorkerDied"
    assert failed.finished_at is not None


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_finished_tasks_are_never_taken_back() -> None:
    row = running_task(worker="dead", started=dt.timedelta(minutes=5))
    DBTaskResult.objects.get(pk=row.pk).set_successful(1)

    assert tasks.take_back_abandoned(grace=dt.timedelta(minutes=1)) == []
    assert status_of(row) == TaskResultStatus.SUCCESSFUL


# --- The lease ------------------------------------------------------------------------------


# Its own thread and connection write the lease: the test's data must be committed.
@pytest.mark.django_db(transaction=True)
def test_a_worker_renews_its_lease_while_it_works_and_gives_it_up_when_it_stops() -> None:
    with tasks.LeaseKeeper("busy", lease=dt.timedelta(seconds=0.3)):
        first = WorkerLease.objects.get(worker_id="busy").expires_at
        give_up = time.monotonic() + 30
        while WorkerLease.objects.get(worker_id="busy").expires_at == first:
            assert time.monotonic() < give_up, "the lease was never renewed"
            time.sleep(0.05)
    assert not WorkerLease.objects.filter(worker_id="busy").exists()


# --- Once per task ----------------------------------------------------------------------------


def run_of(task_id: str) -> Any:
    """What a task receives as its context, as far as send_once reads it."""
    return SimpleNamespace(task_result=SimpleNamespace(id=task_id))


def message(to: list[str]) -> EmailMessage:
    return EmailMessage(subject="New reply", body="...", to=to)


@pytest.mark.django_db
def test_an_email_a_task_already_sent_is_not_sent_again_when_the_task_runs_again() -> None:
    assert tasks.send_once(message(["Ann@example.net"]), run_of("task-1")) == 1
    # The same task after a crash: the same address (however written) is skipped.
    assert tasks.send_once(message(["ann@example.net"]), run_of("task-1")) == 1

    assert len(mail.outbox) == 1
    assert SentEmail.objects.filter(task_id="task-1").count() == 1


@pytest.mark.django_db
def test_another_task_or_another_address_is_another_email() -> None:
    tasks.send_once(message(["ann@example.net"]), run_of("task-1"))
    tasks.send_once(message(["bob@example.net"]), run_of("task-1"))
    tasks.send_once(message(["ann@example.net"]), run_of("task-2"))

    assert [m.to for m in mail.outbox] == [
        ["ann@example.net"],
        ["bob@example.net"],
        ["ann@example.net"],
    ]


@pytest.mark.django_db
def test_each_email_of_a_task_has_a_message_id_of_its_own_that_a_resend_would_repeat() -> None:
    tasks.send_once(message(["ann@example.net"]), run_of("task-1"))
    tasks.send_once(message(["bob@example.net"]), run_of("task-1"))
    ids = [m.message()["Message-ID"] for m in mail.outbox]

    assert ids[0] != ids[1]
    # A resend, had the marker been lost, carries the same Message-ID.
    SentEmail.objects.all().delete()
    tasks.send_once(message(["ann@example.net"]), run_of("task-1"))
    assert mail.outbox[2].message()["Message-ID"] == ids[0]


@pytest.mark.django_db
def test_a_message_without_recipients_is_not_sent_nor_marked() -> None:
    assert tasks.send_once(message([]), run_of("task-1")) == 0
    assert mail.outbox == []
    assert not SentEmail.objects.exists()
