"""Anchor for issue 11: how fast WordPress 6.1 itself writes an imported export's comments,
beside Stoa's `stoa import-wordpress`, on the very same file, on this machine, in one run.

    /work/shared/bench-anchors/setup-wordpress.sh                # as root: the anchor site up
    .venv/bin/python bench/wordpress_anchor_import.py            # 500 posts / 10,000 comments
    .venv/bin/python bench/wordpress_anchor_import.py --scales 1 4   # 10,000 and 40,000
    .venv/bin/python bench/wordpress_anchor_import.py --posts 2000 --comments 40000
    .venv/bin/python bench/wordpress_anchor_import.py --keep --output /tmp/anchor.md
    /work/shared/bench-anchors/setup-wordpress.sh stop           # afterwards

Run it as root (the anchor site's WordPress config is readable by root and www-data only),
with the anchor WordPress of /work/shared/bench-anchors up (Debian's wordpress 6.1 on MariaDB;
`setup-wordpress.sh` brings it up, `setup-wordpress.sh stop` stops it). It needs `php` with
the XMLReader extension (Debian: php-xml).

Each size: bench/wordpress_generate.py writes the export into a temp dir, then
- Stoa: a fresh SQLite database there (STOA_VAR_DIR=<its own dir>, SECRET_KEY set,
  DATABASE_URL and REDIS_URL left out), `stoa migrate`, then `stoa import-wordpress FILE`;
  its time is the import's own (the last ImportRun's finished_at - started_at), as in
  bench/wordpress_import.py, and its comments are those in the database afterwards;
- WordPress: `php bench/wordpress_anchor_import.php FILE` writes the file's posts and their
  comments into the anchor site the way the official WordPress Importer plugin does
  (wp_insert_post, then per comment wp_filter_comment + wp_insert_comment + add_comment_meta,
  comment and term counting deferred, cache invalidation suspended, no transaction: every
  statement autocommits); its time is the loop's (the file read as a stream included) plus
  the import's end (the deferred counts written). Afterwards what it wrote is deleted again
  (`--cleanup`) unless --keep-wordpress, so the site keeps only its own 50 posts.

Prints a Markdown table (progress on stderr): per size, each system's posts and comments
written, seconds, comments per second, and Stoa's comments per second over WordPress's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GENERATE = REPO / "bench" / "wordpress_generate.py"
PHP_SCRIPT = REPO / "bench" / "wordpress_anchor_import.php"
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
SETUP = "/work/shared/bench-anchors/setup-wordpress.sh"

sys.path.insert(0, str(REPO / "bench"))
# The Stoa side runs as bench/wordpress_import.py runs it: the same environment and children.
from wordpress_import import BenchError, child_env, run_checked, say, timed_child  # noqa: E402


@dataclass
class Row:
    system: str
    posts: int
    comments: int  # written (stored) by that system
    seconds: float
    detail: dict = field(default_factory=dict)

    @property
    def comments_per_second(self) -> float:
        return self.comments / self.seconds


@dataclass
class Size:
    label: str
    file_bytes: int
    file_posts: int
    file_comments: int
    stoa: Row
    wordpress: Row
    load: float


def python() -> str:
    return str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable


def mariadb_cpu_seconds() -> float | None:
    """The MariaDB server's CPU so far (user + system), or None when it cannot be read."""
    try:
        pid = Path("/run/mysqld/mysqld.pid").read_text().strip()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy so far (all CPUs; idle, iowait and steal
    out). Counted in clock ticks, so what is derived from it is good to a percent or two."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks[:7]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def stoa_version(tree: Path) -> str:
    """The commit measured, and whether the working tree differs from it (read only: no
    optional locks, so git writes nothing)."""
    if tree.resolve() != REPO:
        return f"Stoa from {tree}"
    git = ["git", "--no-optional-locks", "-C", str(REPO)]
    try:
        head = subprocess.run(
            [*git, "log", "-1", "--format=%h"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            [*git, "status", "--porcelain", "--", "stoa"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "Stoa (version unknown)"
    if not changed:
        return f"Stoa at {head}"
    return f"Stoa at {head} with {len(changed)} uncommitted change(s) under stoa/: " + ", ".join(
        line[3:] for line in changed
    )


def parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def measure_stoa(export: Path, work: Path, tree: Path) -> Row:
    """`python -m stoa` run in tree, so its stoa package is the one imported."""
    var_dir = work / "var"
    var_dir.mkdir(parents=True)
    env = {**child_env(var_dir), "SECRET_KEY": secrets.token_urlsafe(48)}  # 64 characters
    stoa = [python(), "-m", "stoa"]
    run_checked([*stoa, "migrate", "--no-input", "-v0"], env, work / "migrate.log", cwd=tree)
    busy = busy_cpu_seconds()
    command_seconds, cpu, _ = timed_child(
        [*stoa, "import-wordpress", str(export)], env, work / "stoa.log", cwd=tree
    )
    others = busy_cpu_seconds() - busy - cpu
    db = sqlite3.connect(var_dir / "stoa.sqlite3")
    try:
        begun, ended, status = db.execute(
            "SELECT started_at, finished_at, status FROM wordpress_importrun"
            " ORDER BY id DESC LIMIT 1"
        ).fetchone()
        comments = db.execute("SELECT COUNT(*) FROM discussion_comment").fetchone()[0]
        posts = db.execute("SELECT COUNT(*) FROM publishing_post").fetchone()[0]
    finally:
        db.close()
    seconds = (parse_time(ended) - parse_time(begun)).total_seconds()
    return Row(
        "Stoa (SQLite)",
        posts,
        comments,
        seconds,
        {
            "command_seconds": command_seconds,
            "command_cpu": cpu,
            "others_cpu": others,
            "status": status,
        },
    )


def measure_wordpress(export: Path, work: Path) -> Row:
    db_before, busy = mariadb_cpu_seconds(), busy_cpu_seconds()
    log = work / "wordpress.log"
    command_seconds, cpu, _ = timed_child(
        ["php", str(PHP_SCRIPT), str(export)], {**os.environ}, log
    )
    printed = log.read_text(errors="replace")
    db_after, busy = mariadb_cpu_seconds(), busy_cpu_seconds() - busy
    lines = [line for line in printed.splitlines() if line.startswith("{")]
    if not lines:
        raise BenchError(f"the PHP script printed no JSON:\n{printed[-3000:]}")
    result = json.loads(lines[-1])
    result["command_seconds"] = command_seconds
    result["command_cpu"] = cpu
    result["mariadb_cpu"] = None
    if db_before is not None and db_after is not None:
        result["mariadb_cpu"] = db_after - db_before
    result["others_cpu"] = busy - cpu - (result["mariadb_cpu"] or 0.0)
    return Row(
        f"{result['system']} (MariaDB)",
        result["posts"],
        result["comments"],
        result["seconds"],
        result,
    )


def wordpress_cleanup(work: Path) -> None:
    run_checked(
        ["php", str(PHP_SCRIPT), "--cleanup"], {**os.environ}, work / "wordpress-cleanup.log"
    )


def measure(
    posts: int, comments: int, work: Path, tree: Path, keep_wordpress: bool, settle: float
) -> Size:
    work.mkdir(parents=True)
    export = work / "site.wordpress.xml"
    label = f"{posts:,} posts / {comments:,} comments"
    say(f"[{label}] generating ...")
    generated = run_checked(
        [
            python(),
            str(GENERATE),
            "--posts",
            str(posts),
            "--comments",
            str(comments),
            "--out",
            str(export),
            "--json",
        ],
        {**os.environ},
        work / "generate.log",
    )
    counts = json.loads(generated)
    wordpress_cleanup(work)  # an earlier run's leftovers, outside the timing
    time.sleep(settle)
    say(f"[{label}] Stoa: migrate + import-wordpress ...")
    version = stoa_version(tree)
    stoa = measure_stoa(export, work, tree)
    stoa.detail["version"] = version
    say(f"[{label}] Stoa: {stoa.comments:,} comments in {stoa.seconds:.2f} s")
    time.sleep(settle)
    say(f"[{label}] WordPress: php {PHP_SCRIPT.name} ...")
    wordpress = measure_wordpress(export, work)
    say(f"[{label}] WordPress: {wordpress.comments:,} comments in {wordpress.seconds:.2f} s")
    load = os.getloadavg()[1]
    if not keep_wordpress:
        wordpress_cleanup(work)
        time.sleep(settle)
    return Size(
        label=label,
        file_bytes=export.stat().st_size,
        file_posts=counts["posts"],
        file_comments=counts["comments"],
        stoa=stoa,
        wordpress=wordpress,
        load=load,
    )


def table(sizes: list[Size]) -> str:
    lines = [
        "| export | system | posts | comments | seconds | comments/s | Stoa/WordPress |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        ratio = size.stoa.comments_per_second / size.wordpress.comments_per_second
        for row, shown in ((size.stoa, f"{ratio:.1f}x"), (size.wordpress, "1.0x")):
            lines.append(
                f"| {size.label} ({size.file_bytes / 1e6:,.0f} MB) | {row.system} | "
                f"{row.posts:,} | {row.comments:,} | {row.seconds:,.2f} | "
                f"{row.comments_per_second:,.0f} | {shown} |"
            )
    notes = [
        "",
        "comments: those each system wrote (Stoa skips the comments of trashed posts, as the"
        " file's wp:status says; WordPress here writes every post item's). Stoa: the import's"
        " own run (ImportRun), all of the file (pages, attachments, terms too). WordPress: the"
        " importer's write path for post items and their comments, the file read as a stream,"
        " plus the end's deferred counts; every statement autocommits.",
    ]
    for size in sizes:
        st, wp = size.stoa.detail, size.wordpress.detail
        db_cpu = "?" if wp["mariadb_cpu"] is None else f"{wp['mariadb_cpu']:.1f} s"
        notes.append(
            f"- {size.label}: {st['version']}: over the file's {size.file_comments:,} comments"
            f" {size.file_comments / size.stoa.seconds:,.0f}/s (as bench/wordpress_import.py "
            f"counts); its command {st['command_seconds']:.1f} s, CPU {st['command_cpu']:.1f}"
            f" s, other processes' CPU meanwhile about {st['others_cpu']:.1f} s. WordPress: loop "
            f"{wp['loop_seconds']:.2f} s (in WordPress calls {wp['write_seconds']:.2f} s), end "
            f"{wp['finish_seconds']:.2f} s, {wp['sql_queries']:,} SQL statements "
            f"({wp['sql_queries'] / max(1, size.wordpress.comments):.1f} per comment), peak "
            f"{wp['peak_memory_bytes'] / 2**20:.0f} MiB; its command "
            f"{wp['command_seconds']:.1f} s, CPU: PHP {wp['command_cpu']:.1f} s, MariaDB "
            f"{db_cpu}, other processes about {wp['others_cpu']:.1f} s. Load (5 min) "
            f"{size.load:.1f}."
        )
    db = sizes[-1].wordpress.detail.get("mariadb", {})
    machine = (
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}, Python "
        f"{platform.python_version()}, PHP {sizes[-1].wordpress.detail.get('php', '?')}, "
        f"MariaDB {db.get('version', '?')} (autocommit={db.get('autocommit', '?')}, "
        f"innodb_flush_log_at_trx_commit={db.get('innodb_flush_log_at_trx_commit', '?')}, "
        f"log_bin={db.get('log_bin', '?')}, innodb_buffer_pool_size="
        f"{int(db.get('innodb_buffer_pool_size', 0)) // 2**20} MiB)"
    )
    return "\n".join([*lines, *notes, "", f"Measured on {machine}.", ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=500, help="posts in the export")
    parser.add_argument("--comments", type=int, default=10_000, help="comments in the export")
    parser.add_argument(
        "--scales",
        type=int,
        nargs="+",
        default=[1],
        help="sizes to run, as multiples of --posts and --comments (e.g. 1 4)",
    )
    parser.add_argument("--settle", type=float, default=3.0, help="seconds of quiet between")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir and print it")
    parser.add_argument(
        "--keep-wordpress", action="store_true", help="leave the imported posts in WordPress"
    )
    parser.add_argument(
        "--stoa-tree",
        type=Path,
        default=REPO,
        help="run Stoa from this source tree (e.g. a `git archive HEAD | tar -x` copy);"
        " default: this repository",
    )
    parser.add_argument("--output", help="also write the table to this file")
    args = parser.parse_args(argv)
    if shutil.which("php") is None:
        say(f"php is not installed: run {SETUP} first")
        return 1
    root = Path(tempfile.mkdtemp(prefix="stoa-wp-anchor-"))
    sizes = []
    try:
        for scale in args.scales:
            posts, comments = args.posts * scale, args.comments * scale
            sizes.append(
                measure(
                    posts,
                    comments,
                    root / f"x{scale}",
                    args.stoa_tree.resolve(),
                    args.keep_wordpress,
                    args.settle,
                )
            )
    except BenchError as error:
        say(f"failed: {error}\n(is the anchor site up? {SETUP})")
        return 1
    finally:
        if args.keep:
            say(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    text = table(sizes)
    print(text)
    if args.output:
        Path(args.output).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
