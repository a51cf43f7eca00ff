"""Comment POST through gunicorn, on a small site and on a big one (issue 12's "Comment
POST" and "Concurrent writers" budgets).

    .venv/bin/python bench/comment_post.py            # 1,000 then 400,000 comments
    .venv/bin/python bench/comment_post.py --quick    # small sizes: the smoke test's run
    .venv/bin/python bench/comment_post.py --keep     # keep the temp dir (database, logs)
    .venv/bin/python bench/comment_post.py --each 100 # the issue's load test: 50 x 100
    .venv/bin/python bench/comment_post.py --paged 50 # comment pages of 50 threads
    .venv/bin/python bench/comment_post.py --each 100 --keep-alive  # one connection a writer

A throwaway SQLite site in a temp dir (STOA_VAR_DIR), production settings on plain http
(DEBUG off, tasks queued in the database as production queues them), the
demo's posts, and comments brought in by the discussion's import service in batches
(services.import_threads: the quick way to a big database). Then, with gunicorn (the
repository's gunicorn.conf.py) on 127.0.0.1:

1. **Sequential**: one returning guest (an approved comment under the same name and address,
   so each comment is approved at once, the costliest path: counted, drawn, its emails
   queued, a new content version) posts one comment after another on one keep-alive
   connection; p50 and p95 of the answers (302), on the small site and on the large one.
2. The two sizes are served at once: the small site is copied aside, the original grows to
   the large size, and a gunicorn serves each. The guest posts `--requests` / ROUNDS
   comments to one, then as many to the other, and so on, the first of each pair taking
   turns: what the machine's speed does meanwhile (it swings by half within minutes) falls
   on both sizes alike. Measured one after the other, the same code gave a large / small
   p50 of 0.81 to 1.73 in one hour.
3. **Concurrent writers**: `--writers` returning guests, each with an address of its own
   (127.0.0.x), post as fast as they are answered for `--seconds`, each comment on a
   connection of its own (`--keep-alive`: all of a writer's comments on one): acknowledged
   writes a second, p50, errors, "database is locked" in the server's log, and whether every
   acknowledged comment is in the database. With `--each`, each writer posts that many
   comments instead; either way the rate of the first fifth of the acknowledged comments is
   put beside the last fifth's, on a thread that grew meanwhile, and so is the CPU a write
   cost gunicorn and the task workers in each (sampled every half second: the rate alone
   moves with whatever else the machine runs). With `--each`, also how many writers were
   still posting when the last fifth began (some finish early: a last fifth with fewer
   writers than gunicorn's threads is slower for want of requests), and the rate of the
   fifth that ended when the first writer was done. `--task-workers` task
   workers (`stoa db_worker`, emails written to files) run meanwhile: the tasks queued, the
   ones still waiting when the writers are done, and how long the workers take to empty
   the queue after that.

Why a connection per comment: a guest's comments come minutes apart, longer than gunicorn
keeps a connection open (2 s), and in production nginx passes requests on over whichever
of its kept connections is free. A writer that kept one connection for all its comments
would be served all along by the one gunicorn process that accepted it: the writers bound to
the less busy process finish first, and the last fifth of the run measures the other process
alone. 50 x 100 with 2 task workers, the first fifth's rate and the last's: with keep-alive
183.5 -> 133.3 and 158.3 -> 131.3 writes/s (32 and 48 of the 50 writers still posting in the
last fifth); a connection per comment, 223.1 -> 186.8 and 165.8 -> 209.1 (all 50 posting).

The flood interval is set to 0 (as bench/run.py does): it would refuse a writer's second
comment within 15 s. Prints a Markdown table. Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from run import HOST, BenchError, Server, log, percentile  # noqa: E402

WRITER_EMAIL = "writer{}@bench.example.com"
BATCH = 5_000  # imported comments per transaction
TEXTS = [
    "I have been sitting with this question for most of the week.",
    "The point about pacing in the second section is the one I keep coming back to.",
    "We tried something similar in a community clinic and the waiting list halved.",
    'See also <a href="https://example.org/reading/supervision">this reading list</a>.',
    "Group supervision changed how I think about my own blind spots.",
]


# ---------------------------------------------------------------------------- the data step


def build(to: int, writers: int, paged: int = 0) -> dict[str, Any]:
    """Grow this site to `to` comments (migrating and loading the demo on first use) and give
    `writers` returning guests an approved comment each; `paged`: threads a comment page
    (0: one page, the default settings); one JSON line of what was made."""
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from stoa.core import freshness
    from stoa.discussion.models import Comment, DiscussionSettings
    from stoa.discussion.services import ImportedComment, import_threads
    from stoa.publishing.models import Post

    call_command("migrate", interactive=False, verbosity=0)
    if not Post.objects.exists():
        call_command("collectstatic", interactive=False, verbosity=0)
        with open(os.devnull, "w") as quiet:
            call_command("demo", stdout=quiet)
    live = list(Post.objects.published().order_by("-published_at", "-pk"))
    target, others = live[0], live[1:] or live
    now = timezone.now()
    if not Comment.objects.filter(author_email=WRITER_EMAIL.format(0)).exists():
        rows = [
            ImportedComment(
                key=f"writer-{k}",
                author_name=f"Writer {k}",
                author_email=WRITER_EMAIL.format(k),
                text=f"An earlier comment of writer {k}.",
                created_at=now - dt.timedelta(days=1, minutes=k),
            )
            for k in range(max(writers, 1))
        ]
        with transaction.atomic(), freshness.changed():
            import_threads(threads=[(target, rows, {})])
    row = DiscussionSettings.current()
    row.rate_limit_seconds = 0
    row.paginate, row.threads_per_page = bool(paged), paged or row.threads_per_page
    row.save()
    have = Comment.objects.count()
    made = have
    while made < to:
        count = min(BATCH, to - made)
        by_post: dict[int, list[ImportedComment]] = {}
        for n in range(made, made + count):
            by_post.setdefault(n % len(others), []).append(
                ImportedComment(
                    key=f"bulk-{n}",
                    author_name=f"Reader {n % 40_000}",
                    author_email=f"reader{n % 40_000}@example.org",
                    ip_address=f"10.{n // 65_536 % 256}.{n // 256 % 256}.{n % 256}",
                    text=f"{TEXTS[n % len(TEXTS)]} ({n})",
                    created_at=now - dt.timedelta(minutes=n % (5 * 365 * 24 * 60)),
                )
            )
        with transaction.atomic(), freshness.changed():
            import_threads(threads=[(others[i], rows, {}) for i, rows in by_post.items()])
        made += count
        print(f"comment_post: {made:,} comments", file=sys.stderr, flush=True)
    from django_tasks_db.models import DBTaskResult

    last = DBTaskResult.objects.order_by("-enqueued_at").values_list("enqueued_at", flat=True)
    queued = last.first()
    return {
        "post_id": target.pk,
        "comments": Comment.objects.count(),
        "imported": made - have,
        # The last task the data step queued (the import's search indexing).
        "queued_before": (
            queued.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
            if queued
            else ""
        ),
    }


# ---------------------------------------------------------------------------- measuring


def environment(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        STOA_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE") or "stoa.settings",
        # Production's: a comment's emails are queued in its transaction (no worker runs).
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        # What the task workers send goes to files under var/mail (never to a mail server).
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        DEBUG="0",
        STOA_HTTPS="0",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS=HOST,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def data_step(
    env: dict[str, str], var_dir: Path, to: int, writers: int, paged: int = 0
) -> dict[str, Any]:
    args = [sys.executable, str(Path(__file__).resolve()), "build", str(to), str(writers)]
    args.append(str(paged))
    log(f"data: growing the site to {to:,} comments")
    started = time.monotonic()
    with (var_dir / "build.log").open("ab") as err:
        done = subprocess.run(  # noqa: S603 - this script, with this interpreter
            args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=err, timeout=3600, check=False
        )
    if done.returncode != 0:
        tail = (var_dir / "build.log").read_text(errors="replace")[-3000:]
        raise BenchError(f"the data step failed:\n{tail}")
    log(f"data: done in {time.monotonic() - started:.0f} s")
    return dict(json.loads(done.stdout.decode().strip().splitlines()[-1]))


def post(conn: http.client.HTTPConnection, post_id: int, fields: dict[str, str]) -> tuple[int, str]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    conn.request("POST", f"/comments/post/{post_id}/", urlencode(fields).encode(), headers)
    response = conn.getresponse()
    response.read()
    found = re.search(r"#comment-(\d+)", response.getheader("Location") or "")
    return response.status, found.group(1) if found else ""


@dataclass
class Sequential:
    p50_ms: float
    p95_ms: float
    ok: int
    requests: int


ROUNDS = 6  # the sequential runs' turns on each size


def sequential(sites: list[tuple[Server, int]], requests: int) -> list[Sequential]:
    """Writer 0 comments `requests` times on each (server, post) of `sites`, one after
    another on a keep-alive connection to each, in ROUNDS turns that take the sites in turn
    (after a few to warm each up); each site's p50 and p95."""
    conns = [http.client.HTTPConnection(HOST, server.port, timeout=30) for server, _ in sites]
    times: list[list[float]] = [[] for _ in sites]
    ok = [0 for _ in sites]
    sent = [0 for _ in sites]

    def one(k: int, counted: bool) -> None:
        n = sent[k] = sent[k] + 1
        fields = {
            "name": "Writer 0",
            "email": WRITER_EMAIL.format(0),
            "body": f"{TEXTS[n % len(TEXTS)]} Sequential {n}.",
        }
        began = time.perf_counter()
        status, _ = post(conns[k], sites[k][1], fields)
        if counted:
            times[k].append((time.perf_counter() - began) * 1000)
            ok[k] += status == 302

    try:
        for k in range(len(sites)):
            for _ in range(10):
                one(k, counted=False)
        for turn in range(ROUNDS):
            share = requests // ROUNDS + (turn < requests % ROUNDS)
            order = list(range(len(sites)))
            for k in order[turn % len(order) :] + order[: turn % len(order)]:
                for _ in range(share):
                    one(k, counted=True)
    finally:
        for conn in conns:
            conn.close()
    return [
        Sequential(percentile(t, 0.5), percentile(t, 0.95), done, requests)
        for t, done in zip(times, ok, strict=True)
    ]


@dataclass
class Concurrent:
    rate: float
    p50_ms: float
    ok: int
    errors: int
    locked: int
    stored: int
    detail: dict[str, int]
    # The acknowledged writes a second in the first and in the last fifth of the run (by
    # acknowledged comments), and the thread's size when each began: whether a write costs
    # more as the thread grows.
    early: tuple[float, int] = (0.0, 0)
    late: tuple[float, int] = (0.0, 0)
    # CPU ms per acknowledged write in the first and in the last fifth (gunicorn, the task
    # workers), from samples taken every half second: whether a write costs more CPU as the
    # thread grows, which the rate alone cannot tell on a machine shared with other work.
    early_cpu: tuple[float, float] = (0.0, 0.0)
    late_cpu: tuple[float, float] = (0.0, 0.0)
    queue: Queue | None = None
    # With `each`: the writers still posting when the last fifth began (the others had sent
    # all theirs), and the rate of the fifth of acknowledged writes that ended when the first
    # writer was done, with the thread's size when it began. Writers are served unevenly
    # (with --keep-alive, each by the gunicorn process that accepted its connection; the
    # kernel wakes whichever waiter of the writers' lock), so some finish before others: a
    # last fifth with fewer writers than gunicorn's threads is slower for want of requests,
    # not because the thread grew. The fifth before the first writer was done still has all
    # of them posting.
    posting_late: int = 0
    all_posting: tuple[float, int] = (0.0, 0)
    # CPU seconds used meanwhile (until the workers emptied the queue) by gunicorn, the task
    # workers, and this script's writer threads: the two cores are shared by all three.
    cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass
class Queue:
    """The task workers' side: tasks queued while the writers wrote, how many were still
    waiting when the last writer was answered, how long the workers took to empty the queue
    after that, and how many tasks failed."""

    workers: int
    queued: int
    waiting_at_end: int
    # What the tasks waiting at the end were about (a joined task is about many comments).
    work_at_end: int
    drained_s: float | None
    failed: int
    locked: int


def addresses(count: int) -> list[str | None]:
    """A loopback source address per writer where all of 127/8 routes to the loopback."""
    try:
        import socket

        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.2", 0))
    except OSError:
        return [None] * count
    return [f"127.0.{(n + 2) // 256}.{(n + 2) % 256}" for n in range(count)]


TASKS = "django_tasks_database_dbtaskresult"


def task_counts(database: Path) -> Counter[str]:
    """The task rows by status (READY, RUNNING, SUCCESSFUL, FAILED)."""
    with sqlite3.connect(database, timeout=60) as db:
        rows = db.execute(f"SELECT status, COUNT(*) FROM {TASKS} GROUP BY status").fetchall()  # noqa: S608 - a constant
    return Counter({str(status): int(count) for status, count in rows})


def waiting_work(database: Path) -> int:
    """What the waiting and running tasks carry: a joined task's comments
    (stoa.core.tasks.enqueue_joined: a task about many comments; a comment's email task and
    its index task each count it), one for any other task."""
    with sqlite3.connect(database, timeout=60) as db:
        query = (
            "SELECT COALESCE(SUM(COALESCE(json_array_length(args_kwargs, '$.kwargs.comment_ids'),"  # noqa: S608 - a constant
            f" 1)), 0) FROM {TASKS} WHERE status IN ('READY', 'RUNNING')"
        )
        return int(db.execute(query).fetchone()[0])


def thread_size(database: Path, post_id: int) -> int:
    with sqlite3.connect(database, timeout=60) as db:
        query = "SELECT COUNT(*) FROM discussion_comment WHERE post_id = ?"
        return int(db.execute(query, [post_id]).fetchone()[0])


class TaskWorkers:
    """`stoa db_worker --queue-name '*'` processes, as the deploy guide runs them, each
    polling every 0.1 s when it finds nothing (the guide's default is 1 s)."""

    def __init__(self, env: dict[str, str], var_dir: Path, count: int) -> None:
        self.env, self.var_dir, self.count = env, var_dir, count
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        stoa = [sys.executable, "-m", "stoa", "db_worker", "--queue-name", "*"]
        for k in range(self.count):
            args = [*stoa, "--interval", "0.1", "--no-startup-delay", "--worker-id", f"bench-{k}"]
            with (self.var_dir / f"worker-{k}.log").open("ab") as out:
                self.processes.append(
                    subprocess.Popen(  # noqa: S603 - our own command, with this interpreter
                        args, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT
                    )
                )
        log(f"task workers: {self.count} started")

    def log_text(self) -> str:
        return "".join(
            path.read_text(errors="replace") for path in sorted(self.var_dir.glob("worker-*.log"))
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.processes = []


def clear_queue(database: Path, before: str) -> int:
    """Delete the waiting tasks queued before `before` (an enqueued_at value): the data
    step's, not the writers'."""
    with sqlite3.connect(database, timeout=60) as db:
        done = db.execute(
            f"DELETE FROM {TASKS} WHERE status = 'READY' AND enqueued_at <= ?",  # noqa: S608 - a constant
            [before],
        )
        return int(done.rowcount)


def drain(database: Path, workers: TaskWorkers | None, timeout: float) -> float | None:
    """Seconds until no task waits or runs (None: not within `timeout`, or no worker)."""
    if workers is None or not workers.count:
        return None
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        counts = task_counts(database)
        if not counts.get("READY", 0) and not counts.get("RUNNING", 0):
            return time.monotonic() - began
        time.sleep(0.5)
    return None


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds these processes and their children still running have
    used (/proc; 0 where there is none): gunicorn's master and workers, the task workers."""
    if not Path("/proc/self/stat").exists():
        return 0.0
    wanted, total = set(pids), 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        pid, parent = int(stat.parent.name), int(fields[1])
        if pid in wanted or parent in wanted:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def cpu_at(samples: list[tuple[float, float, float]], at: float) -> tuple[float, float]:
    """The CPU seconds (gunicorn, task workers) used by the time `at`, interpolated between
    the samples (time, gunicorn's, the workers') around it."""
    before = max((s for s in samples if s[0] <= at), default=samples[0], key=lambda s: s[0])
    after = min((s for s in samples if s[0] >= at), default=samples[-1], key=lambda s: s[0])
    if after[0] <= before[0]:
        return before[1], before[2]
    share = (at - before[0]) / (after[0] - before[0])
    return (
        before[1] + share * (after[1] - before[1]),
        before[2] + share * (after[2] - before[2]),
    )


def cpu_between(
    samples: list[tuple[float, float, float]], times: list[float], first: int, last: int
) -> tuple[float, float]:
    """CPU ms a write (gunicorn, task workers) from the `first` to the `last` acknowledgement."""
    if len(samples) < 2 or last <= first:
        return 0.0, 0.0
    began, ended = cpu_at(samples, times[first]), cpu_at(samples, times[last])
    return (
        1000 * (ended[0] - began[0]) / (last - first),
        1000 * (ended[1] - began[1]) / (last - first),
    )


def rate_between(times: list[float], first: int, last: int) -> float:
    """Acknowledged writes a second from the `first` to the `last` acknowledgement."""
    span = times[last] - times[first]
    return (last - first) / span if span > 0 else 0.0


def concurrent(
    server: Server,
    post_id: int,
    writers: int,
    seconds: float,
    database: Path,
    each: int = 0,
    workers: TaskWorkers | None = None,
    keep_alive: bool = False,
) -> Concurrent:
    """`writers` guests post into one thread for `seconds`, or `each` comments each (the
    issue's load test: 50 guests x 100 comments), with `workers` running meanwhile."""
    lock = threading.Lock()
    latencies: list[float] = []
    acknowledged: list[float] = []
    statuses: Counter[str] = Counter()
    ids: set[int] = set()
    sources = addresses(writers)
    log_before = len(server.log_text())
    worker_log_before = len(workers.log_text()) if workers else 0
    start = threading.Barrier(writers + 1)
    done_at: list[float] = []
    deadline = 0.0
    before = task_counts(database)
    size_before = thread_size(database, post_id)

    def writer(k: int) -> None:
        source = sources[k]
        conn = http.client.HTTPConnection(
            HOST, server.port, timeout=60, source_address=(source, 0) if source else None
        )
        start.wait()
        n = 0
        while (n < each) if each else (time.monotonic() < deadline):
            n += 1
            fields = {
                "name": f"Writer {k}",
                "email": WRITER_EMAIL.format(k),
                "body": f"{TEXTS[(k + n) % len(TEXTS)]} Writer {k}, comment {n}.",
            }
            began = time.perf_counter()
            try:
                status, found = post(conn, post_id, fields)
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                with lock:
                    statuses[type(error).__name__] += 1
                continue
            if not keep_alive:
                conn.close()  # the next request opens a new one (http.client reconnects)
            with lock:
                latencies.append((time.perf_counter() - began) * 1000)
                statuses[str(status)] += 1
                if status == 302 and found:
                    ids.add(int(found))
                    acknowledged.append(time.monotonic())
        with lock:
            done_at.append(time.monotonic())
        conn.close()

    server_pids = [server.process.pid] if server.process else []
    worker_pids = [process.pid for process in workers.processes] if workers else []
    cpu_before = (cpu_seconds(server_pids), cpu_seconds(worker_pids), time.process_time())
    samples: list[tuple[float, float, float]] = []
    writing = threading.Event()

    def sample() -> None:
        # Until after the last acknowledgement: the last fifth ends between two samples.
        while True:
            samples.append((time.monotonic(), cpu_seconds(server_pids), cpu_seconds(worker_pids)))
            if writing.is_set():
                return
            writing.wait(0.5)

    threads = [threading.Thread(target=writer, args=(k,), daemon=True) for k in range(writers)]
    for thread in threads:
        thread.start()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    deadline = time.monotonic() + seconds
    began = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join(timeout=(3600 if each else seconds + 120))
    elapsed = time.monotonic() - began
    writing.set()
    sampler.join()
    after = task_counts(database)
    work_at_end = waiting_work(database)
    queue = None
    if workers is not None:
        drained = drain(database, workers, timeout=max(120.0, 3 * elapsed))
        ended = task_counts(database)
        queue = Queue(
            workers=workers.count,
            queued=sum(after.values()) - sum(before.values()),
            waiting_at_end=after.get("READY", 0) + after.get("RUNNING", 0),
            work_at_end=work_at_end,
            drained_s=drained,
            failed=ended.get("FAILED", 0) - before.get("FAILED", 0),
            locked=workers.log_text()[worker_log_before:].count("database is locked"),
        )
    cpu_after = (cpu_seconds(server_pids), cpu_seconds(worker_pids), time.process_time())
    cpu = (
        cpu_after[0] - cpu_before[0],
        cpu_after[1] - cpu_before[1],
        cpu_after[2] - cpu_before[2],
    )
    ok = statuses.get("302", 0)
    with sqlite3.connect(database) as db:
        stored = 0
        listed = sorted(ids)
        for at in range(0, len(listed), 500):
            chunk = listed[at : at + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT COUNT(*) FROM discussion_comment WHERE id IN ({marks})"  # noqa: S608 - placeholders only
            stored += db.execute(query, chunk).fetchone()[0]
    locked = server.log_text()[log_before:].count("database is locked")
    acknowledged.sort()
    fifth = len(acknowledged) // 5
    early = late = (0.0, size_before)
    early_cpu = late_cpu = (0.0, 0.0)
    if fifth >= 2:
        early = (rate_between(acknowledged, 0, fifth - 1), size_before)
        early_cpu = cpu_between(samples, acknowledged, 0, fifth - 1)
        late_first = len(acknowledged) - fifth
        late = (
            rate_between(acknowledged, late_first, len(acknowledged) - 1),
            size_before + late_first,
        )
        late_cpu = cpu_between(samples, acknowledged, late_first, len(acknowledged) - 1)
    posting_late = 0
    all_posting = (0.0, size_before)
    if each and fifth >= 2 and done_at:
        late_began = acknowledged[len(acknowledged) - fifth]
        posting_late = sum(1 for at in done_at if at > late_began)
        # The acknowledgements up to the first writer's last one: all writers posting.
        steady = sum(1 for at in acknowledged if at <= min(done_at))
        if steady >= 2 * fifth:
            all_posting = (
                rate_between(acknowledged, steady - fifth, steady - 1),
                size_before + steady - fifth,
            )
    return Concurrent(
        rate=ok / elapsed,
        p50_ms=percentile(latencies, 0.5),
        ok=ok,
        errors=sum(statuses.values()) - ok,
        locked=locked,
        stored=stored,
        detail=dict(statuses),
        early=early,
        late=late,
        early_cpu=early_cpu,
        late_cpu=late_cpu,
        queue=queue,
        cpu=cpu,
        posting_late=posting_late,
        all_posting=all_posting,
    )


def table(
    small: tuple[int, Sequential],
    large: tuple[int, Sequential],
    load: Concurrent,
    writers: int,
    run: str,
) -> str:
    lines = [
        "| comment POST (gunicorn, SQLite) | comments in the database | p50 ms | p95 ms "
        "| answered 302 |",
        "|---|---:|---:|---:|---:|",
    ]
    for size, seq in (small, large):
        lines.append(
            f"| sequential, one returning guest | {size:,} | {seq.p50_ms:.2f} | {seq.p95_ms:.2f} "
            f"| {seq.ok}/{seq.requests} |"
        )
    ratio = large[1].p50_ms / small[1].p50_ms if small[1].p50_ms else 0.0
    lines += [
        "",
        f"Large / small p50: {ratio:.2f}.",
        "",
        "| concurrent writers | writes/s acknowledged | p50 ms | errors | database is locked "
        "| acknowledged and stored |",
        "|---|---:|---:|---:|---:|---:|",
        f"| {writers} writers, {run}, {large[0]:,}+ comments | {load.rate:.1f} | "
        f"{load.p50_ms:.1f} | {load.errors} | {load.locked} | {load.stored}/{load.ok} |",
        "",
        f"As the thread grew: {load.early[0]:.1f} writes/s in the first fifth of the run (the "
        f"thread at {load.early[1]:,} comments), {load.late[0]:.1f} in the last fifth (at "
        f"{load.late[1]:,}). CPU per write in the first fifth: {load.early_cpu[0]:.2f} ms "
        f"gunicorn, {load.early_cpu[1]:.2f} ms task workers; in the last: "
        f"{load.late_cpu[0]:.2f} ms, {load.late_cpu[1]:.2f} ms.",
    ]
    if load.posting_late:
        steady = (
            f" The fifth that ended when the first writer was done (all {writers} posting; the "
            f"thread at {load.all_posting[1]:,}): {load.all_posting[0]:.1f} writes/s."
            if load.all_posting[0]
            else ""
        )
        lines[-1] += (
            f" Writers still posting when the last fifth began: {load.posting_late} of "
            f"{writers}.{steady}"
        )
    if load.queue is not None:
        q = load.queue
        drained = f"{q.drained_s:.1f} s" if q.drained_s is not None else "not within the wait"
        lines += [
            "",
            "| task workers | tasks queued | waiting when the writers were done (what they "
            "carry: a joined task's comments, its email and its index task each) "
            "| emptied the queue after | failed | database is locked |",
            "|---|---:|---:|---:|---:|---:|",
            f"| {q.workers} × `stoa db_worker` | {q.queued:,} | {q.waiting_at_end:,} "
            f"({q.work_at_end:,}) | {drained} | {q.failed} | {q.locked} |",
        ]
    per = [1000 * seconds / load.ok if load.ok else 0.0 for seconds in load.cpu]
    lines += [
        "",
        f"CPU per acknowledged write: {per[0]:.2f} ms gunicorn, {per[1]:.2f} ms task workers, "
        f"{per[2]:.2f} ms this load client.",
        "",
        f"Answers: {load.detail}. Load average: {os.getloadavg()[0]:.2f} (1 min).",
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1_000, help="comments of the small site")
    parser.add_argument("--large", type=int, default=400_000, help="comments of the large site")
    parser.add_argument("--requests", type=int, default=300, help="sequential POSTs per size")
    parser.add_argument("--writers", type=int, default=50, help="concurrent writers")
    parser.add_argument("--seconds", type=float, default=10, help="concurrent writers' run")
    parser.add_argument(
        "--each",
        type=int,
        default=0,
        help="each writer posts this many comments instead (the issue's load test: 100)",
    )
    parser.add_argument(
        "--task-workers",
        type=int,
        default=1,
        help="`stoa db_worker` processes sending the emails while the writers write (0: none)",
    )
    parser.add_argument(
        "--paged", type=int, default=0, help="threads a comment page (0: no paging)"
    )
    parser.add_argument(
        "--keep-alive",
        action="store_true",
        help="each concurrent writer posts all its comments on one connection",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (the smoke test)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args(argv)
    if args.quick:
        args.small, args.large, args.requests = 200, 2_000, 20
        args.writers, args.seconds = min(args.writers, 10), 2
        args.each = min(args.each, 10)
    return args


def main(argv: list[str] | None = None) -> int:
    if argv is None and sys.argv[1:2] == ["build"]:
        print(json.dumps(build(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
        return 0
    args = parse_args(argv)

    def terminate(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    var_dir = Path(tempfile.mkdtemp(prefix="stoa-comment-bench-"))
    small_dir = Path(tempfile.mkdtemp(prefix="stoa-comment-bench-small-"))
    env = environment(var_dir)
    server: Server | None = None
    small_server: Server | None = None
    workers: TaskWorkers | None = None
    try:
        data = data_step(env, var_dir, args.small, args.writers, args.paged)
        # The small site as it is (no server has it open: the data step's process ended).
        shutil.copytree(var_dir, small_dir, dirs_exist_ok=True)
        small_data = data
        data = data_step(env, var_dir, args.large, args.writers, args.paged)
        small_server = Server(environment(small_dir), small_dir)
        server = Server(env, var_dir)
        for each in (small_server, server):
            each.start()
            each.wait_ready()
        small_seq, large_seq = sequential(
            [(small_server, small_data["post_id"]), (server, data["post_id"])], args.requests
        )
        small_server.stop()
        small = (small_data["comments"], small_seq)
        large = (data["comments"], large_seq)
        databases = sorted(var_dir.rglob("*.sqlite3"))
        if not databases:
            raise BenchError(f"no SQLite database under {var_dir}")
        if args.task_workers:
            # The writers' run starts with an empty queue: the data step's tasks (the search
            # indexing of 400,000 imported comments) are no part of what is measured here,
            # and the sequential runs' tasks are run first.
            dropped = clear_queue(databases[0], data["queued_before"])
            log(f"task queue: dropped the data step's {dropped:,} waiting tasks")
            workers = TaskWorkers(env, var_dir, args.task_workers)
            workers.start()
            drain(databases[0], workers, timeout=600)
        load = concurrent(
            server,
            data["post_id"],
            args.writers,
            args.seconds,
            databases[0],
            args.each,
            workers,
            keep_alive=args.keep_alive,
        )
    except BenchError as error:
        log(f"FAILED: {error}")
        return 1
    finally:
        if workers is not None:
            workers.stop()
        for each in (small_server, server):
            if each is not None:
                each.stop()
        if args.keep:
            log(f"kept {var_dir} (the small site: {small_dir})")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)
            shutil.rmtree(small_dir, ignore_errors=True)
    run = f"{args.each} comments each" if args.each else f"{args.seconds:g} s"
    run += ", one connection each" if args.keep_alive else ", a connection per comment"
    print(table(small, large, load, args.writers, run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
