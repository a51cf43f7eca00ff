"""The least an import of a WordPress export can cost on this machine with the tools issue 11
fixes (lxml's iterparse with its safe settings, nh3, SQLite), piece by piece, beside Stoa's
own import of the same file, in one run: how far the goal (20,000 comments a second) is from
what the machine allows before any importer's own work.

    .venv/bin/python bench/wordpress_floor.py                     # 5,000 posts / 100,000 comments
    .venv/bin/python bench/wordpress_floor.py --posts 500 --comments 10000 --repeat 1
    .venv/bin/python bench/wordpress_floor.py --no-import --output /tmp/floor.md

bench/wordpress_generate.py writes the export into a temp dir and `stoa migrate` makes a fresh
SQLite database there (Stoa's comment table with its indexes, as an import finds it). Then,
in this process, each piece alone, the median of --repeat runs, in CPU seconds (of this
process: SQLite works in it):

- parse: one pass of lxml's iterparse over the file with stoa.wordpress.parsing's safety
  settings (no DTD, no entities, no network, no huge tree), only the items' ends handed to
  Python, each item cleared when it ends and nothing else read. An import needs two:
  WordPress writes an attachment after the post it was uploaded to, and a post's body names
  its media by their addresses;
- fields: the same pass reading every comment's fields (a dict of its children's texts),
  less the parse: the least that reading the comments takes;
- nh3: nh3.clean of every comment's text with nh3's defaults (more permissive, so cheaper,
  than the allow-list Stoa's comments need; comments must be sanitised like native ones);
- SQLite: the rows ready-made, then one transaction (BEGIN IMMEDIATE, as Stoa's settings):
  executemany INSERT into Stoa's comment table with only the indexes that start with the
  comment's post (those an import keeps), CREATE INDEX of the others (as an import builds
  them at its end), and the commit (WAL, synchronous=NORMAL, as Stoa's settings), with the
  foreign keys not checked (Stoa's import has them checked at the commit).

No mapping rows, no posts, no old addresses, no excerpts, no threading, no report: only what
the issue's tools must do for the comments themselves. The floor (two parses and the rest)
is the CPU any importer spends; spread perfectly over every CPU it gives the fastest
possible import, against which the goal is set. Then `stoa import-wordpress FILE` runs as a
child on a fresh database (bench/wordpress_import.py's way: its run's own seconds, its and
its reading process's CPU), unless --no-import.

Prints a Markdown table (progress on stderr) and writes it to --output when given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nh3
from lxml import etree

REPO = Path(__file__).resolve().parent.parent
GENERATE = REPO / "bench" / "wordpress_generate.py"
GOAL_COMMENTS_PER_SECOND = 20_000
COMMENT_TABLE = "discussion_comment"
COUNT_SCRIPT = (
    "import json\n"
    "from stoa.discussion.models import Comment\n"
    "from stoa.wordpress.models import ImportRun\n"
    "run = ImportRun.objects.latest('pk')\n"
    "print(json.dumps({'comments': Comment.objects.count(),"
    " 'run_seconds': (run.finished_at - run.started_at).total_seconds()}))\n"
)

sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))
# The Stoa side run as bench/wordpress_import.py runs it; the reader's own safety settings
# (stoa.wordpress.parsing, plain lxml: no Django needed).
from wordpress_import import (  # noqa: E402
    BenchError,
    child_env,
    run_checked,
    say,
    stoa,
    timed_child,
)

from stoa.wordpress import parsing  # noqa: E402

# The fields of a comment a row is made of (WXR's wp:comment children, by local name).
FIELDS = (
    "comment_author",
    "comment_author_email",
    "comment_author_url",
    "comment_author_IP",
    "comment_date_gmt",
    "comment_content",
)


@dataclass
class Piece:
    name: str
    cpu: float  # seconds, the median of the repeats
    wall: float
    times_in_floor: int = 1  # how often an import must do it


@dataclass
class Stoa:
    run_seconds: float
    cpu_seconds: float
    comments: int


def cpu_and_wall(work: Callable[[], object]) -> tuple[float, float, object]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = work()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def local(tag: str) -> str:
    """An element's name without its namespace ("{uri}name" -> "name")."""
    return tag.rpartition("}")[2]


def bare_iterparse(path: Path) -> Any:
    """stoa.wordpress.parsing's iterparse (its safety settings), handing Python only the
    items' ends (the reader asks for starts too, which cost a little more)."""
    return parsing.iterparse(str(path), events=("end",), tag="item")


def parse_only(path: Path) -> int:
    """One pass, items cleared as they end: the parser's own cost. Returns the items seen."""
    items = 0
    for _, element in bare_iterparse(path):
        items += 1
        element.clear(keep_tail=False)
        while element.getprevious() is not None:
            del element.getparent()[0]
    return items


def parse_comments(path: Path) -> list[tuple[int, dict[str, str]]]:
    """One pass reading every comment's fields: (the post's number in the file, fields)."""
    comments: list[tuple[int, dict[str, str]]] = []
    for post, (_, element) in enumerate(bare_iterparse(path), start=1):
        for comment in element.iterchildren("{*}comment"):
            comments.append((post, {local(child.tag): child.text or "" for child in comment}))
        element.clear(keep_tail=False)
        while element.getprevious() is not None:
            del element.getparent()[0]
    return comments


def clean_all(texts: list[str]) -> list[str]:
    return [nh3.clean(text) for text in texts]


def comment_rows(
    comments: list[tuple[int, dict[str, str]]], cleaned: list[str]
) -> list[tuple[object, ...]]:
    """Rows of Stoa's comment table (its columns as the migration made them), ready-made."""
    rows = []
    for (post, fields), html in zip(comments, cleaned, strict=True):
        when = fields.get("comment_date_gmt") or "2020-01-01 00:00:00"
        text = fields.get("comment_content", "")
        rows.append(
            (
                fields.get("comment_author", "")[:100],
                fields.get("comment_author_email", "")[:254],
                fields.get("comment_author_url", "")[:300],
                text,
                html,
                html,
                text[:200],
                "approved",
                0,
                False,
                0,
                fields.get("comment_author_IP") or None,
                "",
                when,
                when,
                None,
                post,
                None,
                "",
                "comment",
                None,
            )
        )
    return rows


INSERT = (  # into COMMENT_TABLE
    'INSERT INTO "discussion_comment" ("author_name", "author_email", "author_url", "text", '
    '"html", "rendered", "excerpt", "status", "depth", "is_by_post_author", "flag_count", '
    '"ip_address", "user_agent", "created_at", "updated_at", "edited_at", "post_id", '
    '"user_id", "rendered_with", "kind", "parent_id") '
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def sqlite_pieces(database: Path, rows: list[tuple[object, ...]]) -> dict[str, tuple[float, float]]:
    """INSERT, later indexes, commit on a copy of the migrated database: (CPU, wall) each."""
    copy = database.with_name("floor.sqlite3")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(database, copy)
    connection = sqlite3.connect(copy, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=OFF")
        connection.execute("BEGIN IMMEDIATE")
        later = []
        indexes = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL ORDER BY name",
            [COMMENT_TABLE],
        ).fetchall()
        for name, sql in indexes:
            first = connection.execute(f'PRAGMA index_info("{name}")').fetchone()
            if first is not None and first[2] == "post_id":
                continue  # kept, as an import keeps it
            connection.execute(f'DROP INDEX "{name}"')
            later.append(sql)
        pieces = {}
        cpu, wall, _ = cpu_and_wall(lambda: connection.executemany(INSERT, rows))
        pieces["insert"] = (cpu, wall)
        cpu, wall, _ = cpu_and_wall(lambda: [connection.execute(sql) for sql in later])
        pieces["indexes"] = (cpu, wall)
        cpu, wall, _ = cpu_and_wall(lambda: connection.execute("COMMIT"))
        pieces["commit"] = (cpu, wall)
        count = f'SELECT COUNT(*) FROM "{COMMENT_TABLE}"'  # noqa: S608 - a constant
        stored = connection.execute(count).fetchone()[0]
        if stored != len(rows):
            raise BenchError(f"SQLite holds {stored:,} comments of {len(rows):,} inserted")
        pieces["later"] = (float(len(later)), 0.0)
    finally:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    return pieces


def median_pair(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def measure_floor(export: Path, database: Path, repeat: int) -> tuple[list[Piece], int, int]:
    parses, reads, cleans, sql = [], [], [], []
    items = 0
    comments: list[tuple[int, dict[str, str]]] = []
    cleaned: list[str] = []
    for turn in range(repeat):
        say(f"[floor {turn + 1}/{repeat}] parsing ...")
        cpu, wall, items = cpu_and_wall(lambda: parse_only(export))  # type: ignore[assignment]
        parses.append((cpu, wall))
        comments = []  # the last turn's are dropped before the next is read
        cpu, wall, comments = cpu_and_wall(lambda: parse_comments(export))  # type: ignore[assignment]
        reads.append((cpu, wall))
        texts = [fields.get("comment_content", "") for _, fields in comments]
        say(f"[floor {turn + 1}/{repeat}] nh3 over {len(texts):,} comments ...")
        cpu, wall, cleaned = cpu_and_wall(lambda texts=texts: clean_all(texts))  # type: ignore[assignment]
        cleans.append((cpu, wall))
        rows = comment_rows(comments, cleaned)
        say(f"[floor {turn + 1}/{repeat}] SQLite ...")
        sql.append(sqlite_pieces(database, rows))
        del rows
    parse = median_pair(parses)
    read = median_pair(reads)
    later = int(sql[-1]["later"][0])
    pieces = [
        Piece("parse: one pass of iterparse, items cleared (an import needs two)", *parse, 2),
        Piece(
            "reading every comment's fields in that pass",
            max(0.0, read[0] - parse[0]),
            max(0.0, read[1] - parse[1]),
        ),
        Piece("nh3.clean of every comment (nh3's defaults)", *median_pair(cleans)),
        Piece(
            "SQLite: INSERT of every comment row (the indexes starting with the post kept)",
            *median_pair([s["insert"] for s in sql]),
        ),
        Piece(
            f"SQLite: building the other {later} indexes of the comment table",
            *median_pair([s["indexes"] for s in sql]),
        ),
        Piece("SQLite: the commit", *median_pair([s["commit"] for s in sql])),
    ]
    return pieces, len(comments), items


def environment(var_dir: Path) -> dict[str, str]:
    """bench/wordpress_import.py's environment for a child, with a secret key of its own
    when none is set (production settings ask for one)."""
    env = child_env(var_dir)
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    return env


def measure_stoa(export: Path, work: Path) -> Stoa:
    var_dir = work / "stoa-var"
    var_dir.mkdir()
    env = environment(var_dir)
    run_checked(stoa("migrate", "--no-input", "-v", "0"), env, work / "stoa-migrate.log")
    say("[stoa] importing ...")
    _, cpu, _ = timed_child(stoa("import-wordpress", str(export)), env, work / "import.log")
    printed = run_checked(stoa("shell", "-v", "0", "-c", COUNT_SCRIPT), env, work / "count.log")
    stored = json.loads(printed.strip().splitlines()[-1])
    return Stoa(run_seconds=stored["run_seconds"], cpu_seconds=cpu, comments=stored["comments"])


def table(
    pieces: list[Piece], comments: int, items: int, file_bytes: int, stoa_row: Stoa | None
) -> str:
    cpus = os.cpu_count() or 1
    lines = [
        f"Export: {file_bytes / 1e6:,.0f} MB, {items:,} items, {comments:,} comments.",
        "",
        "| piece | CPU | wall | times in an import | alone, at most (comments/s) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    floor_cpu = 0.0
    for piece in pieces:
        floor_cpu += piece.cpu * piece.times_in_floor
        alone = comments / piece.cpu if piece.cpu else float("inf")
        lines.append(
            f"| {piece.name} | {piece.cpu:,.2f} s | {piece.wall:,.2f} s | "
            f"{piece.times_in_floor} | {alone:,.0f} |"
        )
    best_wall = floor_cpu / cpus
    ceiling = comments / best_wall if best_wall else float("inf")
    goal_wall = comments / GOAL_COMMENTS_PER_SECOND
    lines += [
        f"| **the floor** (each piece as often as an import needs it) | **{floor_cpu:,.2f} s** "
        f"| | | |",
        "",
        f"Spread perfectly over this machine's {cpus} CPUs, the floor takes {best_wall:,.2f} s: "
        f"at most {ceiling:,.0f} comments a second, before any of an importer's own work.",
        f"The goal ({GOAL_COMMENTS_PER_SECOND:,} comments a second) allows {goal_wall:,.2f} s, "
        f"{goal_wall * cpus:,.2f} CPU-seconds on {cpus} CPUs: the floor alone is "
        f"{floor_cpu / (goal_wall * cpus):.0%} of it: "
        f"{'within reach' if floor_cpu < goal_wall * cpus else 'OUT OF REACH on this machine'}.",
    ]
    if stoa_row is not None:
        lines += [
            "",
            f"Stoa's `stoa import-wordpress` of the same file, in the same run: "
            f"{stoa_row.run_seconds:,.2f} s (its run's own time), "
            f"{stoa_row.comments / stoa_row.run_seconds:,.0f} comments a second, "
            f"{stoa_row.cpu_seconds:,.1f} CPU-seconds for the whole command with its reading "
            f"process ({stoa_row.cpu_seconds / floor_cpu:.1f}x the floor); "
            f"{stoa_row.comments:,} comments stored.",
        ]
        if stoa_row.comments == 0:
            lines.append("Problem: Stoa stored no comment.")
    machine = f"{platform.python_implementation()} {platform.python_version()}, "
    machine += f"lxml {'.'.join(map(str, etree.LXML_VERSION))}, "
    machine += f"libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))}, "
    machine += f"SQLite {sqlite3.sqlite_version}, {cpus} CPUs, "
    machine += f"load average (15 min) {os.getloadavg()[2]:.1f}"
    return "\n".join([*lines, "", f"Measured on {machine}.", ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=5_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each piece (median)")
    parser.add_argument("--no-import", action="store_true", help="the floor only")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir and print it")
    parser.add_argument("--output", help="also write the table to this file")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    root = Path(tempfile.mkdtemp(prefix="stoa-wp-floor-"))
    try:
        export = root / "site.wordpress.xml"
        var_dir = root / "var"
        var_dir.mkdir()
        env = environment(var_dir)
        say(f"generating {args.posts:,} posts, {args.comments:,} comments ...")
        run_checked(
            [sys.executable, str(GENERATE), "--posts", str(args.posts), "--comments",
             str(args.comments), "--out", str(export)],
            env,
            root / "generate.log",
        )  # fmt: skip
        run_checked(stoa("migrate", "--no-input", "-v", "0"), env, root / "migrate.log")
        pieces, comments, items = measure_floor(export, var_dir / "stoa.sqlite3", args.repeat)
        stoa_row = None if args.no_import else measure_stoa(export, root)
        text = table(pieces, comments, items, export.stat().st_size, stoa_row)
    except BenchError as error:
        say(f"failed: {error}")
        return 1
    finally:
        if args.keep:
            say(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(text)
    if args.output:
        Path(args.output).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
