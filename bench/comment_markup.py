"""What drawing comments' markup costs the 200-comment post: issue 9's choice between storing
each comment's display markup (what Stoa does) and drawing it whenever a thread is read.

    .venv/bin/python bench/comment_markup.py [--comments 200] [--runs 30]

In a throwaway SQLite database under a temp dir: migrate, one post with N approved threaded
comments written through the services (as the bench's own), a member. Then, in process:

- drawing every comment's markup from its sanitised text (what each new content version
  would cost the thread without stored markup),
- the thread's rows from the stored markup (what a new content version costs it now),
- the post page for a member (rendered, never from the page cache), warm and after a new
  content version.

Prints a Markdown table of medians; wall-clock here is the point of a benchmark.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def median_ms(
    action: Callable[[], object], runs: int, before: Callable[[], object] | None = None
) -> float:
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=200)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="stoa-markup-"))
    os.environ.update(
        {"STOA_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "stoa.settings", "STOA_HTTPS": "0"}
    )
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import django

    django.setup()
    import datetime as dt
    import random

    import django_script  # the bench's own comment writer
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from stoa.core.cache import forget_request_version
    from stoa.core.freshness import mark_changed
    from stoa.discussion import threads
    from stoa.discussion.models import Comment, CommentStatus
    from stoa.members.models import User
    from stoa.publishing import services as publishing
    from stoa.publishing.models import Category, Person, PostStatus

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", interactive=False, verbosity=0)
    now = timezone.now()
    post = publishing.create_post(
        title="A post for the markup bench",
        body="<p>Body.</p>",
        status=PostStatus.PUBLISHED,
        published_at=now - dt.timedelta(days=90),
        authors=[Person.objects.create(name="Bench Author", slug="bench-author")],
        categories=[Category.objects.create(name="Bench", slug="bench")],
    )
    rng = random.Random(2026)  # noqa: S311 - reproducible comments, not security
    django_script._fill(post, args.comments, rng, now)
    member = User.objects.create_user("member", "member@example.net", "a long passphrase")
    client = Client()
    client.force_login(member)
    url = post.get_absolute_url()

    def new_version() -> None:
        mark_changed()
        forget_request_version()

    approved = Comment.objects.filter(post=post, status=CommentStatus.APPROVED)
    whole = list(approved.select_related("user__profile"))

    def draw() -> object:
        return threads.render_comments(whole)

    def stored() -> object:
        forget_request_version()
        return threads.thread_rows(post.pk)

    def page() -> object:
        response = client.get(url, HTTP_HOST="127.0.0.1")
        if response.status_code != 200:
            raise SystemExit(f"markup bench: {url} answered {response.status_code}")
        return response

    page()
    with CaptureQueriesContext(connection) as warm_queries:
        page()
    n = args.comments
    rows = [
        (f"drawing {n} comments' markup (what storing it saves)", median_ms(draw, args.runs)),
        (
            f"thread rows of {n} comments from stored markup, new version",
            median_ms(stored, args.runs, new_version),
        ),
        ("post page for a member, warm (rows kept with the thread)", median_ms(page, args.runs)),
        ("post page for a member, new content version", median_ms(page, args.runs, new_version)),
    ]
    warm = rows[2][1]
    heading = f"{args.comments} approved comments, median of {args.runs}"
    print(f"| {heading} | ms | share of the warm page |")
    print("|---|---:|---:|")
    for label, ms in rows:
        print(f"| {label} | {ms:.2f} | {ms / warm:.0%} |")
    print(f"\nWarm member page: {len(warm_queries)} SQL queries.")


if __name__ == "__main__":
    main()
