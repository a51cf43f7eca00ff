"""A comment's emails are queued in the transaction that writes the comment, with the
database task backend the site runs: a committed comment has its tasks, a comment rolled back
has none, and no crash between the two can separate them (stoa.core.tasks.enqueue)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskContext
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from stoa.core import tasks as core_tasks
from stoa.core.models import SentEmail
from stoa.discussion import notifications, tasks
from stoa.discussion.models import Comment, DiscussionSettings
from stoa.discussion.tests.factories import CommentFactory, SubscriptionFactory
from stoa.members.tests.factories import UserFactory
from stoa.publishing.tests.factories import PersonFactory, PostFactory

# Real commits and rollbacks: the request's transaction is the outermost one, as on the site.
pytestmark = pytest.mark.django_db(transaction=True)

GUEST = {"name": "Ada Reader", "email": "ada@example.net", "body": "A thought on the piece."}


@pytest.fixture(autouse=True)
def database_task_backend(settings: Any) -> None:
    """The site's task backend (the other tests run tasks at once); no worker runs here, so
    the tasks stay in their table for the test to read."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "email"],
        }
    }
    settings.STOA_TRUST_X_FORWARDED_FOR = False
    row = DiscussionSettings.current()
    row.rate_limit_seconds = 0
    row.save()


def notification_tasks(comment_id: int | None = None) -> list[str]:
    """The queued email tasks (about one comment, when given), by task name."""
    rows = DBTaskResult.objects.filter(task_path__startswith="stoa.discussion.tasks.notify_")
    return sorted(
        row.task_path.rsplit(".", 1)[1]
        for row in rows
        if comment_id is None
        or row.args_kwargs["args"] == [comment_id]
        or comment_id in row.args_kwargs["kwargs"].get("comment_ids", [])
    )


def task_rows(name: str) -> list[tuple[str, list[int]]]:
    """The queued tasks of that name: (status, the comments they are about), oldest first."""
    rows = DBTaskResult.objects.filter(task_path=name).order_by("enqueued_at")
    return [(row.status, row.args_kwargs["kwargs"]["comment_ids"]) for row in rows]


def last_step_of_the_comment(
    monkeypatch: pytest.MonkeyPatch, then: Callable[[], None] = lambda: None
) -> list[dict[str, Any]]:
    """Record what the request's transaction holds at its last step (services.post_comment
    queues the clean-up after the comment's emails), then run `then` there."""
    seen: list[dict[str, Any]] = []
    original = notifications.schedule_cleanup

    def recording() -> None:
        original()
        seen.append(
            {
                "in_transaction": connection.in_atomic_block,
                "tasks": notification_tasks(),
                "comments": Comment.objects.count(),
            }
        )
        then()

    monkeypatch.setattr(notifications, "schedule_cleanup", recording)
    return seen


def test_a_comment_and_its_notification_tasks_are_committed_in_one_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post = PostFactory()
    seen = last_step_of_the_comment(monkeypatch)

    response = Client().post(f"/comments/post/{post.pk}/", GUEST)

    assert response.status_code == 302
    # Before the commit, inside the transaction that wrote the comment, the tasks are there.
    assert seen == [{"in_transaction": True, "tasks": seen[0]["tasks"], "comments": 1}]
    assert seen[0]["tasks"], "the comment's email tasks are written before the commit"
    comment = Comment.objects.get()
    assert notification_tasks(comment.pk) == seen[0]["tasks"]
    assert DBTaskResult.objects.filter(status="READY").count() == DBTaskResult.objects.count()


def test_a_comment_rolled_back_leaves_no_notification_task(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post = PostFactory()

    def fail() -> None:
        raise RuntimeError("the database went away before the commit")

    seen = last_step_of_the_comment(monkeypatch, then=fail)

    with pytest.raises(RuntimeError):
        Client().post(f"/comments/post/{post.pk}/", GUEST)

    assert seen[0]["in_transaction"] and seen[0]["tasks"], "queued inside the transaction"
    assert Comment.objects.count() == 0
    assert notification_tasks() == [], "rolled back with the comment"
    assert DBTaskResult.objects.count() == 0


def test_an_approved_comment_queues_one_task_for_all_its_emails() -> None:
    # Issue 12: every queued task is a row written under SQLite's one writer's lock, and a
    # claim and a result the worker writes under it again; the post's authors and the
    # thread's subscribers hear from one task (tasks.notify_comments_published).
    post = PostFactory()
    with notifications.silenced():
        CommentFactory(post=post, author_name=GUEST["name"], author_email=GUEST["email"])

    response = Client().post(f"/comments/post/{post.pk}/", GUEST)

    assert response.status_code == 302
    comment = Comment.objects.latest("pk")
    assert comment.status == "approved"
    assert notification_tasks(comment.pk) == ["notify_comments_published"]


NOTIFY = "stoa.discussion.tasks.notify_comments_published"
INDEX = "stoa.search.tasks.index_comments"


def guest(n: int) -> dict[str, str]:
    return {"name": f"Guest {n}", "email": f"guest{n}@example.net", "body": f"Thought {n}."}


def returning_guests(post: Any, count: int) -> None:
    """Guests 0 to count - 1 with an approved comment each: their next is approved at once."""
    with notifications.silenced():
        for n in range(count):
            CommentFactory(
                post=post, author_name=f"Guest {n}", author_email=f"guest{n}@example.net"
            )


def test_comments_approved_while_a_task_waits_join_that_task() -> None:
    # Issue 12: a task a comment was a row written under SQLite's one writer's lock, and a
    # claim and a result the worker writes under it again: 50 writers queued them faster than
    # a worker ran them. The emails and the search index of comments approved meanwhile are
    # one task each (stoa.core.tasks.enqueue_joined).
    post = PostFactory()
    returning_guests(post, 3)

    for n in range(3):
        assert Client().post(f"/comments/post/{post.pk}/", guest(n)).status_code == 302

    ids = sorted(Comment.objects.filter(post=post).values_list("pk", flat=True))
    assert task_rows(NOTIFY) == [("READY", ids[3:])]
    assert task_rows(INDEX) == [("READY", ids)], "the earlier comments' index task too"


def test_a_comment_after_the_worker_claimed_the_task_queues_a_new_one() -> None:
    post = PostFactory()
    returning_guests(post, 2)
    assert Client().post(f"/comments/post/{post.pk}/", guest(0)).status_code == 302
    first = Comment.objects.latest("pk").pk
    claimed = DBTaskResult.objects.get(task_path=NOTIFY)
    claimed.claim("a-worker")  # what the worker writes when it takes the task

    assert Client().post(f"/comments/post/{post.pk}/", guest(1)).status_code == 302

    second = Comment.objects.latest("pk").pk
    assert task_rows(NOTIFY) == [("RUNNING", [first]), ("READY", [second])]


def test_a_full_task_is_not_joined(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("stoa.core.tasks.JOIN_LIMIT", 2)
    post = PostFactory()
    returning_guests(post, 3)

    for n in range(3):
        assert Client().post(f"/comments/post/{post.pk}/", guest(n)).status_code == 302

    ids = sorted(Comment.objects.filter(post=post).order_by("-pk").values_list("pk", flat=True)[:3])
    assert task_rows(NOTIFY) == [("READY", ids[:2]), ("READY", ids[2:])]


def test_a_new_joined_task_waits_a_moment_before_a_worker_may_claim_it() -> None:
    # Issue 12: claimed as soon as it was written, a task carried ~5 comments under 50
    # writers, and its claim, result and reads cost the workers as much as its emails. It
    # now waits JOIN_WAIT (run_after), for the comments of that moment to join it.
    post = PostFactory()
    returning_guests(post, 1)
    assert Client().post(f"/comments/post/{post.pk}/", guest(0)).status_code == 302
    row = DBTaskResult.objects.get(task_path=NOTIFY)

    assert dt.timedelta(0) < row.run_after - row.enqueued_at <= core_tasks.JOIN_WAIT
    assert not DBTaskResult.objects.ready().filter(pk=row.pk).exists(), "not claimable yet"
    with freeze_time(row.run_after + dt.timedelta(milliseconds=1)):
        assert DBTaskResult.objects.ready().filter(pk=row.pk).exists(), "claimable after it"


def test_a_task_already_due_but_not_yet_claimed_is_joined() -> None:
    # A worker busy with another task leaves a due one waiting: the next comment joins it
    # rather than queueing another (safe as before: no worker has claimed it).
    post = PostFactory()
    returning_guests(post, 2)
    assert Client().post(f"/comments/post/{post.pk}/", guest(0)).status_code == 302
    DBTaskResult.objects.filter(task_path=NOTIFY).update(
        run_after=timezone.now() - dt.timedelta(seconds=5)
    )

    assert Client().post(f"/comments/post/{post.pk}/", guest(1)).status_code == 302

    ids = sorted(Comment.objects.filter(post=post).order_by("-pk").values_list("pk", flat=True)[:2])
    assert task_rows(NOTIFY) == [("READY", ids)]


class FailingSecondBackend(locmem.EmailBackend):
    """Django's memory backend, whose mail server refuses the second message it is given."""

    given = 0

    def send_messages(self, messages: Any) -> int:
        FailingSecondBackend.given += len(messages)
        if FailingSecondBackend.given >= 2:
            raise OSError("the mail server hung up")
        return super().send_messages(messages)


def test_the_markers_of_the_emails_sent_are_written_when_a_later_one_fails(
    settings: Any,
) -> None:
    # The task's markers are written together after its mail session (mark_sent): an email
    # that fails must not lose the markers of the ones sent before it, or the task's next
    # run would send those again.
    a_followed_thread(2)
    settings.EMAIL_BACKEND = f"{__name__}.FailingSecondBackend"
    FailingSecondBackend.given = 0
    row = DBTaskResult.objects.get(task_path=NOTIFY)

    with pytest.raises(OSError, match="hung up"):
        run_notify_task(row)

    assert len(mail.outbox) == 1
    assert SentEmail.objects.filter(task_id=str(row.id)).count() == 1


def test_a_task_with_more_emails_than_mark_every_writes_its_markers_in_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What a worker dying in the middle of a task may send again is bounded (MARK_EVERY).
    monkeypatch.setattr("stoa.discussion.tasks.MARK_EVERY", 2)
    a_followed_thread(2)  # 6 emails: the author's and two subscribers' for each comment
    row = DBTaskResult.objects.get(task_path=NOTIFY)

    with CaptureQueriesContext(connection) as queries:
        assert run_notify_task(row) == 6

    assert len([q for q in queries if q["sql"].startswith("INSERT")]) == 3
    assert SentEmail.objects.filter(task_id=str(row.id)).count() == 6


def test_a_joined_task_emails_the_posts_author_once_about_each_comment(settings: Any) -> None:
    # Each email of a task is sent once (send_once): an email is known by its task, its
    # comment and its recipients, so the author hears of both comments of one task, and
    # the task run again after a crash sends neither again.
    writer = UserFactory(email="writer@example.org")
    post = PostFactory(authors=[PersonFactory(user=writer)])
    returning_guests(post, 2)
    for n in range(2):
        assert Client().post(f"/comments/post/{post.pk}/", guest(n)).status_code == 302
    row = DBTaskResult.objects.get(task_path=NOTIFY)
    mail.outbox.clear()

    for _ in range(2):  # the second run: the same task run again after its worker died
        context = TaskContext(task_result=row.task_result)
        assert tasks.notify_comments_published.call(context, **row.args_kwargs["kwargs"]) == 2

    bodies = sorted(message.body for message in mail.outbox)
    assert [message.to for message in mail.outbox] == [["writer@example.org"]] * 2
    assert "Thought 0." in bodies[0] and "Thought 1." in bodies[1]


class CountingBackend(locmem.EmailBackend):
    """Django's memory backend, counting the connections opened (an SMTP session each)."""

    opened = 0

    def open(self) -> bool:
        CountingBackend.opened += 1
        return True


def run_notify_task(row: DBTaskResult | None = None) -> int:
    """Run the queued notify_comments_published task (`row`) as the worker would."""
    row = row or DBTaskResult.objects.get(task_path=NOTIFY)
    context = TaskContext(task_result=row.task_result)
    return tasks.notify_comments_published.call(context, **row.args_kwargs["kwargs"])


def a_followed_thread(comments: int) -> None:
    """A post with an author and two confirmed subscribers, and one queued task about
    `comments` new comments of returning guests."""
    writer = UserFactory(email="writer@example.org")
    post = PostFactory(authors=[PersonFactory(user=writer)])
    SubscriptionFactory(post=post, email="first@example.net")
    SubscriptionFactory(post=post, email="second@example.net")
    returning_guests(post, comments)
    for n in range(comments):
        assert Client().post(f"/comments/post/{post.pk}/", guest(n)).status_code == 302
    mail.outbox.clear()


@pytest.mark.parametrize("comments", [2, 6])
def test_a_tasks_reads_do_not_grow_with_its_comments(comments: int) -> None:
    # Issue 12: the worker read the markers, and built the addresses, once an email, and
    # wrote each email's marker in a write transaction of its own. Now the comments,
    # authors, subscribers and markers are read for the whole task, and the markers of its
    # emails written in one statement after its mail session (stoa.core.tasks.mark_sent).
    a_followed_thread(comments)
    row = DBTaskResult.objects.get(task_path=NOTIFY)

    with CaptureQueriesContext(connection) as queries:
        sent = run_notify_task(row)

    assert sent == len(mail.outbox) == 3 * comments
    writes = [q for q in queries if q["sql"].startswith("INSERT")]
    reads = [q for q in queries if q["sql"].startswith("SELECT")]
    assert len(writes) == 1, [q["sql"] for q in writes]
    assert SentEmail.objects.filter(task_id=str(row.id)).count() == sent
    # The comments with their posts, the posts' authors, the subscribers, the markers (the
    # settings row is cached).
    assert len(reads) == 4, [q["sql"] for q in reads]


def test_a_tasks_emails_share_one_mail_connection(settings: Any) -> None:
    # An SMTP session an email was most of the cost of a task about many comments.
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    a_followed_thread(3)
    CountingBackend.opened = 0

    assert run_notify_task() == 9

    assert CountingBackend.opened == 1
    assert len(mail.outbox) == 9


def test_each_subscriber_gets_their_own_unsubscribe_address() -> None:
    # The reply email is rendered once a comment, each subscriber's address filled in after.
    a_followed_thread(2)

    run_notify_task()

    replies = [m for m in mail.outbox if "New reply" in m.subject]
    assert (
        sorted(m.to[0] for m in replies) == ["first@example.net"] * 2 + ["second@example.net"] * 2
    )
    addresses = set()
    for message in replies:
        address = message.extra_headers["List-Unsubscribe"].strip("<>")
        [(html, _)] = message.alternatives
        assert address in message.body and f'href="{address}"' in html
        assert "unsubscribe-address-slot" not in message.body + html
        addresses.add((message.to[0], address))
    assert len(addresses) == 2, "one address per subscriber, the same for both comments"


def test_a_task_run_again_sends_only_what_the_first_run_did_not() -> None:
    # The markers read at the start of the run (one query) skip the emails an earlier run
    # sent before its worker died; the others are sent.
    a_followed_thread(2)
    row = DBTaskResult.objects.get(task_path=NOTIFY)
    first = Comment.objects.order_by("-pk").values_list("pk", flat=True)[1]
    context = TaskContext(task_result=row.task_result)
    assert tasks.notify_comments_published.call(context, comment_ids=[first]) == 3
    mail.outbox.clear()

    assert run_notify_task() == 6

    assert len(mail.outbox) == 3
    assert all("Thought 1." in message.body for message in mail.outbox)
