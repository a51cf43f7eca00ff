"""Search at magazine scale (issue 13): a generated corpus of 20,000 posts and 400,000
comments, indexed from scratch and searched.

    .venv/bin/python bench/search.py                          # SQLite, the issue's corpus
    .venv/bin/python bench/search.py --database postgres://postgres@127.0.0.1:5432/stoa_bench_s
    .venv/bin/python bench/search.py --posts 200 --comments 2000 --searches 20  # smoke test

A throwaway site (SQLite in a temp dir, or the PostgreSQL database named, dropped and created
again), production settings on plain http. The corpus is written with bulk_create, which
sends no signals, so nothing is indexed until `services.reindex()` is timed. Bodies are
drawn from a vocabulary with Zipf-like word frequencies (a few words everywhere, most rare)
and the searches mix a frequent word, rare words, two words, a phrase, an exclusion, OR and
a typo ("did you mean"). Each search is a whole GET /search/?q= through Django (every
middleware, rendered), as a visitor and as a member; p50 and p95 of those, and searches a
second one process renders back to back. A third row searches the corpus's most frequent
word alone (in nine documents of ten: every match is counted and ranked), which the mix
leaves out. Prints a Markdown table (progress to stderr).

Goals (the issue): p95 under 50 ms, at least 200 searches/s rendered, indexing within 2 min.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
DOMAIN = [
    "grief",
    "anniversary",
    "fees",
    "supervision",
    "therapy",
    "client",
    "session",
    "boundaries",
    "trauma",
    "attachment",
    "couples",
    "money",
    "burnout",
    "ethics",
    "referral",
    "silence",
    "rupture",
    "repair",
    "countertransference",
    "dream",
    "insurance",
    "practice",
    "training",
    "licence",
    "mourning",
    "loss",
    "calendar",
    "weekend",
    "holiday",
    "letter",
]
SEARCHES = [
    "grief",
    "anniversary calendar",
    '"fees and money"',
    "supervision -burnout",
    "dream OR silence",
    "countertransference",
    "anniversery",
    "vokabel",
]


def log(message: str) -> None:
    print(f"search bench: {message}", file=sys.stderr, flush=True)


def environment(var_dir: Path, database: str | None) -> None:
    os.environ.update(
        STOA_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="stoa.settings",
        TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
        DEBUG="0",
        STOA_HTTPS="0",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS=HOST,
        LOG_LEVEL="WARNING",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-only-" + "x" * 50,
    )
    os.environ.pop("REDIS_URL", None)
    if database:
        os.environ["DATABASE_URL"] = database
        _fresh_postgres(database)
    else:
        os.environ.pop("DATABASE_URL", None)


def _fresh_postgres(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def vocabulary(size: int, rng: random.Random) -> tuple[list[str], list[float]]:
    """Made-up words (and the domain's real ones), with Zipf-like weights."""
    syllables = [
        "ka",
        "lo",
        "mi",
        "ne",
        "sa",
        "tu",
        "ri",
        "ve",
        "do",
        "pa",
        "gu",
        "fe",
        "zo",
        "hi",
        "ba",
        "ne",
        "ul",
        "or",
        "en",
        "ast",
        "ing",
    ]
    words = set(DOMAIN)
    while len(words) < size:
        words.add("".join(rng.choices(syllables, k=rng.randint(2, 4))))
    ordered = list(DOMAIN) + sorted(words - set(DOMAIN))
    rng.shuffle(ordered)
    return ordered, [1.0 / (rank + 1) for rank in range(len(ordered))]


def corpus(posts: int, comments: int, rng: random.Random) -> str:
    """Write the corpus; returns its most frequent word."""
    from django.utils import timezone

    from stoa.discussion.models import Comment, CommentStatus
    from stoa.publishing.models import Category, Person, Post, PostStatus, PostVisibility, Tag

    words, weights = vocabulary(20_000, rng)
    cumulative = list(itertools.accumulate(weights))  # summed once, not per draw

    def text(count: int) -> str:
        return " ".join(rng.choices(words, cum_weights=cumulative, k=count))

    people = Person.objects.bulk_create(
        [Person(name=f"Writer {n}", slug=f"writer-{n}") for n in range(60)]
    )
    categories = Category.objects.bulk_create(
        [Category(name=f"Section {n}", slug=f"section-{n}") for n in range(12)]
    )
    tags = Tag.objects.bulk_create([Tag(name=f"topic {n}", slug=f"topic-{n}") for n in range(80)])
    now = timezone.now()
    batch: list[Post] = []
    for n in range(posts):
        body = "".join(f"<p>{text(60)}.</p>" for _ in range(5))
        batch.append(
            Post(
                title=text(6).capitalize(),
                slug=f"post-{n}",
                dek=text(12),
                body=body,
                summary=text(40),
                status=PostStatus.PUBLISHED,
                published_at=now - dt.timedelta(hours=rng.randint(1, 24 * 365 * 10)),
                visibility=PostVisibility.MEMBERS if n % 5 == 0 else PostVisibility.PUBLIC,
            )
        )
    made = Post.objects.bulk_create(batch, batch_size=2000)
    log(f"{len(made):,} posts written")
    through = Post.authors.through
    through.objects.bulk_create(
        [through(post_id=post.pk, person_id=rng.choice(people).pk) for post in made],
        batch_size=5000,
    )
    filed = Post.categories.through
    filed.objects.bulk_create(
        [filed(post_id=post.pk, category_id=rng.choice(categories).pk) for post in made],
        batch_size=5000,
    )
    tagged = Post.tags.through
    tagged.objects.bulk_create(
        [tagged(post_id=post.pk, tag_id=tag.pk) for post in made for tag in rng.sample(tags, 2)],
        batch_size=5000,
    )
    written = 0
    while written < comments:
        size = min(5000, comments - written)
        rows = []
        for _ in range(size):
            post = rng.choice(made)
            said = text(rng.randint(15, 70))
            rows.append(
                Comment(
                    post_id=post.pk,
                    author_name=f"Reader {rng.randint(1, 5000)}",
                    text=said,
                    html=f"<p>{said}</p>",
                    excerpt=said[:200],
                    status=CommentStatus.APPROVED,
                    created_at=(post.published_at or now) + dt.timedelta(hours=rng.randint(1, 500)),
                )
            )
        Comment.objects.bulk_create(rows)
        written += size
        if written % 50_000 == 0 or written == comments:
            log(f"{written:,} comments written")
    return words[0]


def measure(
    client: Any, searches: int, rng: random.Random, queries: list[str] = SEARCHES
) -> list[float]:
    times = []
    for n in range(searches):
        query = queries[n % len(queries)]
        started = time.perf_counter()
        response = client.get("/search/", {"q": query})
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"search bench: {query!r} answered {response.status_code}")
    return times


def run(posts: int, comments: int, searches: int) -> list[list[str]]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from stoa.members.models import User
    from stoa.search import services
    from stoa.search.models import Document

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    rng = random.Random(13)  # noqa: S311 - a reproducible corpus, not a secret
    started = time.perf_counter()
    frequent = corpus(posts, comments, rng)
    log(f"corpus written in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    counts = services.reindex()
    indexing = time.perf_counter() - started
    log(f"indexed {sum(counts.values()):,} documents in {indexing:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_document")
    visitor = Client(HTTP_HOST=HOST)
    member = Client(HTTP_HOST=HOST)
    member.force_login(User.objects.create_user(username="bench-member", email="m@example.com"))
    rows = []
    for name, client, queries, count in (
        ("visitor", visitor, SEARCHES, searches),
        ("member", member, SEARCHES, searches),
        ("visitor (most frequent word)", visitor, [frequent], max(5, searches // 40)),
    ):
        measure(client, len(queries), rng, queries)  # warm: the process's pieces, the plans
        times = measure(client, count, rng, queries)
        ms = sorted(t * 1000 for t in times)
        p95 = ms[min(len(ms) - 1, int(round(0.95 * len(ms))) - 1)]
        rows.append(
            [
                connection.vendor,
                name,
                f"{posts:,} / {comments:,}",
                f"{Document.objects.count():,}",
                f"{indexing:.1f}",
                f"{statistics.median(ms):.1f}",
                f"{p95:.1f}",
                f"{len(times) / sum(times):.0f}",
            ]
        )
    return rows


def table(rows: list[list[str]]) -> str:
    head = [
        "database",
        "reader",
        "posts / comments",
        "documents",
        "indexing s",
        "search p50 ms",
        "search p95 ms",
        "searches/s rendered",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--comments", type=int, default=400_000)
    parser.add_argument("--searches", type=int, default=400, help="per reader")
    parser.add_argument("--database", help="a PostgreSQL URL (dropped and created again)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="stoa-search-bench-") as var_dir:
        environment(Path(var_dir), args.database)
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        output = table(run(args.posts, args.comments, args.searches))
    print(output)
    return output


if __name__ == "__main__":
    main()
