"""Listing pages as a member sees them, measured in-process (issue 12): for each page, the
SQL queries of a warm request and the milliseconds one request costs through Django's whole
stack (the test client, every middleware), as a signed-in member and as a visitor whose
page is rendered (a session cookie naming no session keeps it out of the page cache, as
run.py's "rendered" rows do). The rendered 200-comment post is the yardstick.

    .venv/bin/python bench/pages.py              # 300 requests per page and reader
    .venv/bin/python bench/pages.py --requests 20 --posts 0   # quick: the smoke test's run

A throwaway site in a temp dir (SQLite, production settings on plain http): migrate, the
demo, the bench's 200-comment post (bench/django_script.py), collectstatic. Prints a
Markdown table (progress goes to stderr). Talks to no network.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

BENCH = Path(__file__).resolve().parent
SESSION_COOKIE = "bench-no-session"  # as run.py's rendered rows
HOST = "127.0.0.1"


def log(message: str) -> None:
    print(f"pages: {message}", file=sys.stderr, flush=True)


def environment(var_dir: Path) -> None:
    """Production settings on plain http, as run.py's bench_env, in this process."""
    os.environ.update(
        STOA_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE") or "stoa.settings",
        TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
        DEBUG="0",
        STOA_HTTPS="0",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS=HOST,
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("DATABASE_URL", None)  # always a throwaway SQLite database


def prepare(posts: int) -> dict[str, str]:
    """The site, and the address of each page measured."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed at exit
    sys.path.insert(0, str(BENCH))
    import django_script  # type: ignore[import-not-found]

    from stoa.publishing.models import Category, Person, Post, Tag
    from stoa.webcasts.models import Series

    if posts:
        paths = {"post200": _post_with_comments(django_script)}
    else:
        paths = {"post200": Post.objects.published().first().get_absolute_url()}  # type: ignore[union-attr]
    live = Post.objects.published()
    newest = live.order_by("-published_at").first()
    if newest is None or newest.published_at is None:
        raise SystemExit("pages: the demo has no published post")
    month = newest.published_at
    category = Category.objects.filter(posts__in=live).order_by("pk").first()
    tag = Tag.objects.filter(posts__in=live).order_by("pk").first()
    person = Person.objects.filter(posts__in=live).order_by("pk").first()
    series = Series.objects.order_by("pk").first()
    found = {
        "home": "/",
        "category": category.get_absolute_url() if category else "",
        "tag": tag.get_absolute_url() if tag else "",
        "author": person.get_absolute_url() if person else "",
        "month": f"/{month:%Y}/{month:%m}/",
        "series": series.get_absolute_url() if series else "",
        "account": "/account/",
        "feed": "/feed/",
        "category feed": f"{category.get_absolute_url()}feed/" if category else "",
        "post, 200 comments" if posts else "a post": paths["post200"],
    }
    return {page: path for page, path in found.items() if path}


def _post_with_comments(django_script: Any) -> str:
    """The bench's post with 200 approved comments (only that one: run.py writes more)."""
    import random

    from django.db import transaction
    from django.utils import timezone

    from stoa.discussion.models import DiscussionSettings

    settings = DiscussionSettings.current()
    settings.rate_limit_seconds = 0  # every comment comes from one place, at once
    settings.save()
    now = timezone.now()
    post = django_script._choose_posts(now)["post200"]
    with transaction.atomic():
        django_script._fill(post, 200, random.Random(django_script.SEED), now)  # noqa: S311
    return str(post.get_absolute_url())


def measure(path: str, client: Any, requests: int) -> tuple[int, float, float]:
    """(queries of a warm request, median and fastest ms of one request)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"pages: GET {path} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    count = len(
        queries.captured_queries
    )  # read now: the next request's connection check empties the log
    times = []
    gc.collect()
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - started)
    return count, statistics.median(times) * 1000, min(times) * 1000


class Row(NamedTuple):
    page: str
    path: str
    member: tuple[int, float, float]  # queries warm, median ms, fastest ms
    visitor: tuple[int, float, float] | None  # None: the page is members' only


def run(requests: int, posts: int) -> list[Row]:
    paths = prepare(posts)
    from django.test import Client

    from stoa.members.models import User

    member = User.objects.create_user(
        username="bench-member", email="bench-member@example.com", first_name="Bench Member"
    )
    as_member = Client(HTTP_HOST=HOST)
    as_member.force_login(member)
    as_visitor = Client(HTTP_HOST=HOST)
    as_visitor.cookies["sessionid"] = SESSION_COOKIE
    rows = []
    for page, path in paths.items():
        log(f"{page}: {path}")
        as_members = measure(path, as_member, requests)
        # The account page sends a visitor to log in.
        as_visitors = None if page == "account" else measure(path, as_visitor, requests)
        rows.append(Row(page, path, as_members, as_visitors))
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        "| page | address | queries warm (member) | ms per page (member): median (fastest) "
        "| queries warm (visitor) | ms per page (visitor, rendered): median (fastest) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        cells = [row.page, f"`{row.path}`"]
        for measured in (row.member, row.visitor):
            if measured is None:
                cells += ["–", "–"]
            else:
                queries, median, fastest = measured
                cells += [str(queries), f"{median:.2f} ({fastest:.2f})"]
        lines.append("| " + " | ".join(cells) + " |")
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    lines.append(
        f"\n(in-process, through every middleware; load average {load} on {os.cpu_count()} CPUs)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests per page")
    parser.add_argument(
        "--posts", type=int, default=1, help="1: write the 200-comment post (0: skip it)"
    )
    args = parser.parse_args(argv)
    var_dir = Path(tempfile.mkdtemp(prefix="stoa-pages-"))
    try:
        environment(var_dir)
        result = table(run(args.requests, args.posts))
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    print(result)
    return result


if __name__ == "__main__":
    main()
