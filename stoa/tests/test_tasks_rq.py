"""Tasks on Redis (issue 14): with REDIS_URL the task queue is RQ's (django-tasks-rq), and an
RQ worker, on any machine, runs what the site queues: a comment's emails, an editor's import,
the clean-up. Queued after the commit (stoa.core.tasks.enqueue), so a worker never meets a
task whose rows it cannot read yet, and a rolled-back change queues nothing.

Needs a Redis server: runs in .ci/run's PostgreSQL + Redis pass (REDIS_URL), skipped without."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import django_rq
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks_rq import Job
from rq import SimpleWorker

from stoa.core import tasks
from stoa.discussion import notifications
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.members.tasks import send_account_email
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import PostFactory, UserFactory
from stoa.wordpress.models import ImportRun, RunStatus

REDIS_URL = os.environ.get("REDIS_URL", "")
QUEUES = ["default", "email"]
SAMPLE = Path(__file__).parents[1] / "wordpress" / "tests" / "data" / "sample-export.wordpress.xml"
GUEST = {"name": "Ada Reader", "email": "ada@example.net", "body": "A thought on the piece."}

pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="RQ needs Redis: set REDIS_URL (.ci/run does)"),
    # Real commits: the tasks go to Redis after them, and the worker reads committed rows.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def rq_tasks(settings: Any) -> Iterator[None]:
    """The site's task backend under REDIS_URL, on queues emptied before and after."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": QUEUES}}
    settings.RQ_QUEUES = {name: {"URL": REDIS_URL} for name in QUEUES}
    settings.STOA_TRUST_X_FORWARDED_FOR = False
    row = DiscussionSettings.current()
    row.rate_limit_seconds = 0
    row.save()
    for name in QUEUES:
        django_rq.get_queue(name).empty()
    yield
    for name in QUEUES:
        django_rq.get_queue(name).empty()


def queued() -> list[str]:
    """The task paths waiting in the RQ queues."""
    return sorted(
        job.func_name
        for name in QUEUES
        for job in django_rq.get_queue(name, job_class=Job).get_jobs()
    )


def run_worker() -> None:
    """An RQ worker as `stoa rqworker --job-class django_tasks_rq.Job default email` runs one,
    here in this process (SimpleWorker: no fork) until the queues are empty."""
    queues = [django_rq.get_queue(name, job_class=Job) for name in QUEUES]
    worker = SimpleWorker(queues, connection=queues[0].connection, job_class=Job)
    worker.work(burst=True)


def test_with_redis_url_the_site_queues_its_tasks_in_rq() -> None:
    code = "from django.conf import settings as s; print(s.TASKS['default']['BACKEND'])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "stoa.settings"}
    with_redis = subprocess.run(  # noqa: S603 - this Python, fixed code
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**env, "REDIS_URL": REDIS_URL},
        capture_output=True,
        text=True,
        check=True,
    )
    without = subprocess.run(  # noqa: S603 - this Python, fixed code
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={k: v for k, v in env.items() if k not in {"REDIS_URL", "TASKS_BACKEND"}},
        capture_output=True,
        text=True,
        check=True,
    )
    assert with_redis.stdout.strip() == "django_tasks_rq.RQBackend"
    assert without.stdout.strip() == "django_tasks_db.DatabaseBackend"


def test_a_held_comment_is_told_to_moderators_by_an_rq_worker_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    UserFactory(is_staff=True, is_superuser=True, email="moderator@example.org")
    post = PostFactory()
    in_the_transaction: list[list[str]] = []
    original = notifications.schedule_cleanup

    def recording() -> None:
        original()
        in_the_transaction.append(queued())

    monkeypatch.setattr(notifications, "schedule_cleanup", recording)
    before = queued()  # what making the post queued (its search indexing)

    response = Client().post(f"/comments/post/{post.pk}/", GUEST)

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.PENDING
    assert in_the_transaction == [before], (
        "nothing of the comment's reaches Redis before the commit"
    )
    assert "stoa.discussion.tasks.notify_moderators" in queued()
    assert mail.outbox == [], "the request sends nothing itself"

    run_worker()

    assert queued() == []
    to_moderators = [m for m in mail.outbox if m.to == ["moderator@example.org"]]
    assert len(to_moderators) == 1
    assert GUEST["body"] in to_moderators[0].body


def test_a_rolled_back_comment_queues_nothing_in_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    post = PostFactory()
    before = queued()

    def fail() -> None:
        raise RuntimeError("the database went away before the commit")

    monkeypatch.setattr(notifications, "schedule_cleanup", fail)

    with pytest.raises(RuntimeError):
        Client().post(f"/comments/post/{post.pk}/", GUEST)

    assert Comment.objects.count() == 0
    assert queued() == before


def test_an_account_email_is_sent_by_an_rq_worker_and_its_result_read_back() -> None:
    result = send_account_email.enqueue(
        subject="Confirm", body="Hi.", from_email="stoa@example.org", to=["a@example.net"]
    )
    assert default_task_backend.get_result(result.id).status == TaskResultStatus.READY

    run_worker()

    assert [m.subject for m in mail.outbox] == ["Confirm"]
    assert default_task_backend.get_result(result.id).status == TaskResultStatus.SUCCESSFUL


def test_the_send_once_marker_keeps_a_rerun_rq_job_from_sending_again() -> None:
    result = send_account_email.enqueue(
        subject="Once", body="Hi.", from_email="stoa@example.org", to=["b@example.net"]
    )
    run_worker()
    # The same job run a second time (a worker that died after sending, before RQ marked
    # the job finished): the marker written with its job id stops the second copy.
    job = Job.fetch(result.id, connection=django_rq.get_connection("email"))
    django_rq.get_queue("email", job_class=Job).enqueue_job(job)
    run_worker()

    assert [m.subject for m in mail.outbox] == ["Once"]


def test_an_editors_import_runs_on_an_rq_worker(temporary_media: Path) -> None:
    # A superuser: the roles' groups are data migrations, which a transactional test empties.
    editor = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(editor)
    upload = SimpleUploadedFile(SAMPLE.name, SAMPLE.read_bytes(), content_type="text/xml")

    response = client.post("/admin/wordpress/importrun/add/", {"file": upload})

    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.status == RunStatus.QUEUED
    assert "stoa.wordpress.tasks.import_uploaded_file" in queued()

    run_worker()

    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert Post.objects.count() == 10


def test_the_clean_up_is_queued_after_the_change_and_run_on_an_rq_worker() -> None:
    from stoa.discussion.tasks import purge_old_comments

    tasks.enqueue(purge_old_comments)  # outside a transaction: queued at once

    assert queued() == ["stoa.discussion.tasks.purge_old_comments"]
    run_worker()
    assert queued() == []
    assert django_rq.get_queue("default").failed_job_registry.count == 0
    assert django_rq.get_queue("default").finished_job_registry.count == 1
