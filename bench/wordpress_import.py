"""Measure `stoa import-wordpress` on large synthetic exports (issue 11): wall time, items and
comments per second, and the importer's peak memory, for a file and one four times larger.

    .venv/bin/python bench/wordpress_import.py            # 20,000 posts / 400,000 comments, and x4
    .venv/bin/python bench/wordpress_import.py --quick    # 200 / 4,000 and x4: the smoke test
    .venv/bin/python bench/wordpress_import.py --posts 5000 --comments 100000 --scale 4
    .venv/bin/python bench/wordpress_import.py --keep --output /tmp/import.md

Each size: bench/wordpress_generate.py writes the export into a temp dir; a fresh SQLite
database is made there (`stoa migrate`, STOA_VAR_DIR=<its own dir>, DATABASE_URL and
REDIS_URL left out); then `stoa import-wordpress FILE` runs as a child process, timed from
start to exit, and its peak resident memory is read from the kernel's accounting of that
one child (os.wait4's ru_maxrss: the larger of its own and its reading process's), so neither
this script nor the migration counts. The import's own time is its run's (ImportRun's start
to end), which the speed is measured by: the command goes on after it (the report, and the
search index catching up with what was brought). The database is counted afterwards to
check that every comment arrived, and exported again with `stoa export-wordpress` (timed and
measured the same way: its memory should not grow either).

The goals it reports against: at least 20,000 comments a second on SQLite, and the larger
file's peak memory within 10% of the smaller's (memory that does not grow with the file).
Prints a Markdown table (progress on stderr) and writes it to --output when given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GENERATE = REPO / "bench" / "wordpress_generate.py"
GOAL_COMMENTS_PER_SECOND = 20_000
GOAL_MEMORY_GROWTH = 0.10
QUICK = (200, 4_000)
FULL = (20_000, 400_000)
COUNT_SCRIPT = (
    "import json\n"
    "from stoa.discussion.models import Comment\n"
    "from stoa.publishing.models import Page, Post\n"
    "from stoa.wordpress.models import ImportRun\n"
    "run = ImportRun.objects.latest('pk')\n"
    "print(json.dumps({'posts': Post.objects.count(), 'pages': Page.objects.count(),"
    " 'comments': Comment.objects.count(),"
    " 'run_seconds': (run.finished_at - run.started_at).total_seconds()}))\n"
)


class BenchError(Exception):
    """A step failed; the message says which and why."""


@dataclass
class Measured:
    label: str
    posts: int
    comments: int
    items: int  # posts, pages and attachments in the file
    file_bytes: int
    seconds: float  # the command, start to exit
    run_seconds: float  # the import itself: its run's start to its end (ImportRun)
    cpu_seconds: float  # the command's CPU, its reading process's included
    peak_kib: int
    export_seconds: float
    export_peak_kib: int
    load: float
    stored_comments: int
    expected_comments: int  # those not under a trashed post (skipped with it)

    @property
    def items_per_second(self) -> float:
        return self.items / self.run_seconds

    @property
    def comments_per_second(self) -> float:
        """Of the import itself (what runs after its end, in the same command, is not it)."""
        return self.comments / self.run_seconds

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def child_env(var_dir: Path) -> dict[str, str]:
    """A fresh SQLite database under var_dir, production settings on plain http, no worker."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "STOA_VAR_DIR"}
    }
    env.update(
        STOA_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE") or "stoa.settings",
        TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
        DEBUG="0",
        STOA_HTTPS="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def stoa(*args: str) -> list[str]:
    return [sys.executable, "-m", "stoa", *args]


def run_checked(args: list[str], env: dict[str, str], log: Path, cwd: Path = REPO) -> str:
    """Run a command to its end: its stdout back, its stderr into log."""
    with log.open("wb") as err:
        done = subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=err)
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise BenchError(f"{' '.join(args[2:])} exited {done.returncode}:\n{tail}")
    return done.stdout.decode()


def timed_child(
    args: list[str], env: dict[str, str], log: Path, cwd: Path = REPO
) -> tuple[float, float, int]:
    """Run one child to its end, what it prints into log: (wall seconds, CPU seconds, peak
    RSS in KiB), the CPU its own and its children's (the import's reading process), the
    peak the larger of theirs."""
    with log.open("wb") as out:
        started = time.monotonic()
        process = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        # wait4 reports this one child's resource use (RUSAGE_CHILDREN would mix in every
        # child this script has waited for, the migration's included).
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise BenchError(f"{' '.join(args[2:])} exited {process.returncode}:\n{tail}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss  # KiB on Linux


def measure(label: str, posts: int, comments: int, work: Path) -> Measured:
    var_dir = work / "var"
    var_dir.mkdir(parents=True)
    export = work / "site.wordpress.xml"
    env = child_env(var_dir)
    say(f"[{label}] generating {posts:,} posts, {comments:,} comments ...")
    started = time.monotonic()
    generated = run_checked(
        [
            sys.executable,
            str(GENERATE),
            "--posts",
            str(posts),
            "--comments",
            str(comments),
            "--out",
            str(export),
            "--json",
        ],
        env,
        work / "generate.log",
    )
    counts = json.loads(generated)
    say(
        f"[{label}] {export.stat().st_size / 1e6:,.0f} MB in {time.monotonic() - started:.0f} s;"
        " migrating a fresh database ..."
    )
    run_checked(stoa("migrate", "--no-input", "-v", "0"), env, work / "migrate.log")
    say(f"[{label}] importing ...")
    seconds, cpu, peak = timed_child(
        stoa("import-wordpress", str(export)), env, work / "import.log"
    )
    printed = run_checked(stoa("shell", "-v", "0", "-c", COUNT_SCRIPT), env, work / "count.log")
    stored = json.loads(printed.strip().splitlines()[-1])
    load = os.getloadavg()[2]  # the last 15 minutes: other work on the machine slows it
    say(
        f"[{label}] {seconds:.1f} s (the import itself {stored['run_seconds']:.1f} s), CPU "
        f"{cpu:.1f} s, peak {peak / 1024:.0f} MiB; stored {stored}; load {load:.1f}"
    )
    # And out again: `stoa export-wordpress` of what was imported, also a child of its own.
    say(f"[{label}] exporting ...")
    written = work / "exported.wordpress.xml"
    export_seconds, _, export_peak = timed_child(
        stoa("export-wordpress", "--output", str(written)), env, work / "export.log"
    )
    say(f"[{label}] exported in {export_seconds:.1f} s, peak {export_peak / 1024:.0f} MiB")
    written.unlink()
    return Measured(
        label=label,
        posts=counts["posts"],
        comments=counts["comments"],
        items=counts["posts"] + counts["pages"] + counts["attachments"],
        file_bytes=export.stat().st_size,
        seconds=seconds,
        run_seconds=stored["run_seconds"],
        cpu_seconds=cpu,
        peak_kib=peak,
        export_seconds=export_seconds,
        export_peak_kib=export_peak,
        load=load,
        stored_comments=stored["comments"],
        expected_comments=counts["comments"] - counts["comments_under_trash"],
    )


def table(rows: list[Measured]) -> str:
    lines = [
        "| export | file | posts | comments | import | comments/s | command | its CPU "
        "| items/s | peak memory | export-wordpress | its peak |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row.label} | {row.file_bytes / 1e6:,.0f} MB | {row.posts:,} | "
            f"{row.comments:,} | {row.run_seconds:,.1f} s | {row.comments_per_second:,.0f} | "
            f"{row.seconds:,.1f} s | {row.cpu_seconds:,.1f} s | {row.items_per_second:,.0f} | "
            f"{row.peak_mib:,.0f} MiB | "
            f"{row.export_seconds:,.1f} s | {row.export_peak_kib / 1024:,.0f} MiB |"
        )
    small, large = rows[0], rows[-1]
    growth = large.peak_kib / small.peak_kib - 1
    slowest = min(row.comments_per_second for row in rows)
    verdict = [
        "",
        "import: the import itself (its run's start to end); command: `stoa import-wordpress`"
        " start to exit, with what runs in it after the import (the search index catching up);"
        " its CPU: the command's and its reading process's; peak memory: the larger of the"
        " two processes' peaks over the whole command.",
        f"Comments per second (goal >= {GOAL_COMMENTS_PER_SECOND:,} on SQLite): slowest "
        f"{slowest:,.0f}: {'met' if slowest >= GOAL_COMMENTS_PER_SECOND else 'NOT met'}.",
        f"Peak memory, larger file against smaller (goal within "
        f"{GOAL_MEMORY_GROWTH:.0%}): {growth:+.1%}: "
        f"{'met' if growth <= GOAL_MEMORY_GROWTH else 'NOT met'}.",
    ]
    for row in rows:
        if row.stored_comments != row.expected_comments:
            verdict.append(
                f"Problem: {row.label}: {row.expected_comments:,} comments in the file outside "
                f"trashed posts, {row.stored_comments:,} in the database."
            )
    machine = f"{platform.python_implementation()} {platform.python_version()}, "
    machine += f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}"
    loads = ", ".join(f"{row.load:.1f}" for row in rows)
    machine += f"; load average (15 min) after each import: {loads}"
    return "\n".join([*lines, *verdict, "", f"Measured on {machine}, SQLite.", ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: the smoke test")
    parser.add_argument("--posts", type=int, help="posts in the smaller file")
    parser.add_argument("--comments", type=int, help="comments in the smaller file")
    parser.add_argument("--scale", type=int, default=4, help="how much larger the other file is")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir and print it")
    parser.add_argument("--output", help="also write the table to this file")
    args = parser.parse_args(argv)
    posts, comments = QUICK if args.quick else FULL
    posts, comments = args.posts or posts, args.comments or comments
    root = Path(tempfile.mkdtemp(prefix="stoa-wp-bench-"))
    try:
        rows = [
            measure(f"{posts:,} posts", posts, comments, root / "smaller"),
            measure(
                f"x{args.scale}: {posts * args.scale:,} posts",
                posts * args.scale,
                comments * args.scale,
                root / "larger",
            ),
        ]
    except BenchError as error:
        say(f"failed: {error}")
        return 1
    finally:
        if args.keep:
            say(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    text = table(rows)
    print(text)
    if args.output:
        Path(args.output).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
