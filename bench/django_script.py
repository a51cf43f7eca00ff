"""The Django side of the benchmark, run by bench/run.py as a subprocess with the bench's
settings (DJANGO_SETTINGS_MODULE=stoa.settings, STOA_VAR_DIR=<temp dir>).

    python bench/django_script.py prepare [FLAG]  # migrate, demo, build, probe: one process
    python bench/django_script.py build    # the data set; prints one JSON line
    python bench/django_script.py probe '<JSON from build>'  # SQL queries; the static copy

Everything is written through the services, as the site writes it. Deterministic: the same
seed gives the same comments (dates count back from now, as the demo's do).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import django

SEED = 2026
SIZES = {"post200": 200, "post1000": 1000}
WRITERS = 20  # the comment-posting writers of run.py, each a returning commenter
MAX_DEPTH = 4
EMAIL_DOMAIN = "bench.example.com"
STATIC_COPY = Path("bench") / "post200.html"  # under STATIC_ROOT
SESSION_COOKIE = "sessionid=bench-no-session"  # as in run.py

SENTENCES = [
    "I have been sitting with this question for most of the week.",
    "The point about pacing in the second section is the one I keep coming back to.",
    "In my own practice the first session rarely goes the way the intake form predicts.",
    "We tried something similar in a community clinic and the waiting list halved.",
    "I am not sure the research supports quite that strong a claim.",
    "My supervisor used to say that the hour belongs to the client, not to the model.",
    "This matches what I see with adolescents, though the families are harder to engage.",
    "Could you say more about how you handle cancellations under this arrangement?",
    "It took me years to stop filling silences, and I still catch myself doing it.",
    "The billing section alone is worth forwarding to every new associate.",
    "There is a <em>very</em> good chapter on this in the older systemic literature.",
    "I would put it more bluntly: <strong>documentation is a clinical act</strong>.",
    "Sleep came up in almost every intake I did last winter.",
    "Nobody taught us any of this in graduate school.",
    "The example of the couple arguing about the dishwasher made me laugh out loud.",
    "A colleague wrote about this at https://example.org/notes/pacing which is worth a look.",
    'See also <a href="https://example.org/reading/supervision">this reading list</a>.',
    "I disagree with the framing, but the practical advice is sound.",
    "Group supervision changed how I think about my own blind spots.",
    "Our practice moved to a sliding scale last year and it has mostly worked.",
    "How do you decide when to refer out rather than stretch your competence?",
    "The phrase <em>good enough</em> does a lot of work in this piece.",
    "I read this twice, once as a clinician and once as a parent.",
    "Thank you for writing about the administrative side without apologising for it.",
    "My clients rarely use the word trauma, even when the history is unmistakable.",
    "Tracking outcomes felt bureaucratic until it changed a treatment plan for me.",
    "There is a real tension between flexibility and the frame, and you name it well.",
    "I would love to see a follow-up on working with interpreters.",
    "Rural practice adds a whole layer of dual relationships to all of this.",
    "The <strong>first five minutes</strong> tell me more than the whole intake packet.",
    "Consultation groups are the cheapest continuing education there is.",
    "I wonder how this looks from the client's side of the room.",
    "We keep relearning that the relationship carries most of the effect.",
    "Telehealth made some of this easier and some of it much harder.",
    "Has anyone found a scheduling system that does not fight them at every step?",
    "This is the kind of piece I wish I had read in my first year.",
]
FIRST = [
    "Ana",
    "Ben",
    "Chidi",
    "Dana",
    "Eli",
    "Farah",
    "Gus",
    "Hana",
    "Ivo",
    "Jun",
    "Kira",
    "Luis",
    "Mara",
    "Nils",
    "Omar",
    "Pia",
]
LAST = [
    "Okafor",
    "Lindgren",
    "Moreau",
    "Tanaka",
    "Reyes",
    "Novak",
    "Haddad",
    "Walsh",
    "Kowalski",
    "Brennan",
    "Sato",
]


def _setup() -> None:
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _body(rng: random.Random) -> str:
    count = rng.randint(1, 5)
    sentences = rng.sample(SENTENCES, count)
    if count >= 4 and rng.random() < 0.5:  # a longer comment gets a second paragraph
        return " ".join(sentences[:2]) + "\n\n" + " ".join(sentences[2:])
    return " ".join(sentences)


BENCH_POSTS = {
    "post200": ("bench-a-post-with-200-comments", "A post with 200 comments (bench)", 1),
    "post1000": ("bench-a-post-with-1000-comments", "A post with 1,000 comments (bench)", 2),
}


def _choose_posts(now: dt.datetime) -> dict[str, Any]:
    """The bench's two posts (written here, so that no demo comment is under them: their
    threads hold exactly the bench's comments), the post the writers comment on, and the
    fullest category's archive."""
    from django.db.models import Count, Q

    from stoa.publishing import services
    from stoa.publishing.models import Category, Post, PostStatus

    live = Post.objects.published().filter(comments_open=True)
    model = live.exclude(slug__startswith="bench-").order_by("-published_at", "-pk").first()
    if model is None:
        raise SystemExit("bench: the demo content has no published post open to comments")
    category = (
        Category.objects.annotate(n=Count("posts", filter=Q(posts__in=Post.objects.published())))
        .order_by("-n", "slug")
        .first()
    )
    if category is None:
        raise SystemExit("bench: the demo content has no category")
    chosen: dict[str, Any] = {"write": model, "category": category}
    for key, (slug, title, days) in BENCH_POSTS.items():
        post = Post.objects.filter(slug=slug).first()
        if post is None:
            # A real post's body and authors, so that the page weighs what a page weighs.
            post = services.create_post(
                title=title,
                slug=slug,
                dek=model.dek,
                body=model.body,
                authors=model.authors.all(),
                categories=[category],
                status=PostStatus.PUBLISHED,
                published_at=now - dt.timedelta(days=days),
            )
        chosen[key] = post
    return chosen


def _fill(post: Any, count: int, rng: random.Random, now: dt.datetime) -> int:
    """Write `count` approved, threaded comments under the post; returns how many were held
    by the rules on the way (and then approved, as a moderator would)."""
    from stoa.discussion import services
    from stoa.discussion.models import CommentStatus

    start = max(post.published_at, now - dt.timedelta(days=60)) + dt.timedelta(minutes=1)
    step = (now - dt.timedelta(minutes=1) - start) / (count + 1)
    written: list[Any] = []  # (comment, depth) of comments that may still take replies
    held = 0
    for i in range(count):
        parent = None
        if written and rng.random() < 0.6:
            # Conversations happen among recent comments, up to MAX_DEPTH levels deep.
            recent = [c for c in written[-40:] if c.depth < MAX_DEPTH]
            parent = rng.choice(recent) if recent else None
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        author = services.Guest(
            name=name,
            email=f"p{post.pk}-c{i:04d}@{EMAIL_DOMAIN}",
            url="https://example.net/" if rng.random() < 0.1 else "",
        )
        comment = services.post_comment(
            post=post,
            author=author,
            body=_body(rng),
            parent=parent,
            origin=services.Origin(ip_address=f"10.{post.pk % 250}.{i // 250}.{i % 250 + 1}"),
            created_at=start + step * (i + 1),
        )
        if comment.status != CommentStatus.APPROVED:
            held += 1
            services.approve_comment(comment=comment)
        written.append(comment)
    return held


def build() -> dict[str, Any]:
    """Write the bench's comments (once: a second run finds them and writes nothing)."""
    _setup()
    from django.conf import settings as django_settings
    from django.db import transaction
    from django.test import override_settings
    from django.utils import timezone

    from stoa.discussion import services
    from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings

    settings = DiscussionSettings.current()
    # The flood rule refuses a second comment from one email or IP within the interval, and
    # every bench request comes from 127.0.0.1: switched off for the bench's database.
    settings.rate_limit_seconds = 0
    settings.save()

    writer_email = f"writer-{{}}@{EMAIL_DOMAIN}"
    already = Comment.objects.filter(author_email__endswith=f"@{EMAIL_DOMAIN}").exists()
    held = 0
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, not security
    now = timezone.now()
    chosen = _choose_posts(now)
    if not already:
        # One transaction for the lot; and no "when does content next change" query after
        # every save (CONTENT_CLOCKS): this process's cache dies with it.
        stoa = {**django_settings.STOA, "CONTENT_CLOCKS": []}
        with override_settings(STOA=stoa), transaction.atomic():
            for key, count in SIZES.items():
                held += _fill(chosen[key], count, rng, now)
            # One approved comment per writer (and one for the probe), so that what the
            # writers post is approved at once, as a returning commenter's is.
            for n in [*range(WRITERS), "probe"]:
                comment = services.post_comment(
                    post=chosen["write"],
                    author=services.Guest(name=f"Writer {n}", email=writer_email.format(n)),
                    body=f"A first comment from writer {n}, before the bench.",
                    created_at=now - dt.timedelta(hours=2),
                )
                if comment.status != CommentStatus.APPROVED:
                    services.approve_comment(comment=comment)
    counts = {
        key: Comment.objects.filter(post=chosen[key], status=CommentStatus.APPROVED).count()
        for key in SIZES
    }
    parents = list(
        Comment.objects.filter(
            post=chosen["write"], author_email__startswith="writer-", status=CommentStatus.APPROVED
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:WRITERS]
    )
    return {
        "reused": already,
        "held_then_approved": held,
        "approved": counts,
        "max_depth": max(
            Comment.objects.filter(post__in=[chosen[k] for k in SIZES]).values_list(
                "depth", flat=True
            )
        ),
        "paths": {
            "home": "/",
            "post200": chosen["post200"].get_absolute_url(),
            "post1000": chosen["post1000"].get_absolute_url(),
            "category": chosen["category"].get_absolute_url(),
            "feed": "/feed/",
            "static": f"/static/{STATIC_COPY.as_posix()}",
        },
        "write_post_id": chosen["write"].pk,
        "write_post_path": chosen["write"].get_absolute_url(),
        "writer_email": writer_email,
        "writer_parents": parents,
        "rate_limit_seconds": DiscussionSettings.current().rate_limit_seconds,
    }


def _go_cold() -> None:
    """Empty what the app caches (without flushing a shared cache server): a new content
    version misses every memoized fragment, and the settings row is read again."""
    from django.core.cache import cache

    from stoa.core.freshness import mark_changed
    from stoa.discussion.models import DiscussionSettings

    mark_changed()
    cache.delete(DiscussionSettings.CACHE_KEY)


def probe(paths: dict[str, str], write_post_id: int, writer_email: str) -> dict[str, Any]:
    """SQL queries of one request per target, cold (app caches emptied) and warm (the same
    request again), with the test client in this process; and the static copy of post200."""
    _setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def count(client: Client, method: str, path: str, data: dict[str, str] | None = None) -> Any:
        with CaptureQueriesContext(connection) as ctx:
            response = getattr(client, method)(path, data) if data else client.get(path)
        return len(ctx.captured_queries), response

    client = Client(HTTP_HOST="127.0.0.1")
    # run.py's "rendered" rows: a session cookie (naming no session) makes every request
    # personal, so the page is made each time, never taken from the page cache.
    rendering = Client(HTTP_HOST="127.0.0.1", HTTP_COOKIE=SESSION_COOKIE)
    result: dict[str, Any] = {}
    for key, path in paths.items():
        if key == "static":
            continue
        for suffix, reader in (("", client), (":rendered", rendering)):
            _go_cold()
            cold, first = count(reader, "get", path)
            warm, response = count(reader, "get", path)
            if response.status_code != 200 or first.status_code != 200:
                raise SystemExit(f"bench: GET {path} answered {response.status_code}")
            result[key + suffix] = {"cold": cold, "warm": warm}
            if not suffix:
                page = response
        if key == "post200":
            copy = Path(settings.STATIC_ROOT) / STATIC_COPY
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(page.content)

    # A fresh client loads the middleware again, so WhiteNoise finds the copy just written.
    static_client = Client(HTTP_HOST="127.0.0.1")
    static, response = count(static_client, "get", paths["static"])
    if response.status_code != 200:
        raise SystemExit(f"bench: GET {paths['static']} answered {response.status_code}")
    result["static"] = {"cold": static, "warm": static}

    # One comment, cold and warm, by the probe's (returning) identity.
    post_path = f"/comments/post/{write_post_id}/"
    numbers = []
    for n, go_cold in enumerate((True, False)):
        if go_cold:
            _go_cold()
        data = {
            "name": "Writer probe",
            "email": writer_email.format("probe"),
            "body": f"Probe comment {n}: counting the queries a comment costs.",
        }
        queries, response = count(client, "post", post_path, data)
        if response.status_code != 302:
            raise SystemExit(f"bench: POST {post_path} answered {response.status_code}")
        numbers.append(queries)
    result["post_comment"] = {"cold": numbers[0], "warm": numbers[1]}
    return result


def prepare(collected: Path | None = None) -> dict[str, Any]:
    """Everything before the server starts, in one process (each Django start costs a
    second): migrate, the demo, the bench's data, the query counts and the static copy.
    `collected` appears when collectstatic, run beside this, is done: pages need its
    manifest, so the probe waits for it."""
    _setup()
    from django.core.management import call_command

    seconds: dict[str, float] = {}
    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    seconds["migrate"] = time.monotonic() - started
    call_command("demo", stdout=sys.stderr)
    seconds["demo"] = time.monotonic() - started - sum(seconds.values())
    data = build()
    seconds["data"] = time.monotonic() - started - sum(seconds.values())
    deadline = time.monotonic() + 600
    while collected is not None and not collected.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: {collected} did not appear")
        time.sleep(0.1)
    seconds["waiting for collectstatic"] = time.monotonic() - started - sum(seconds.values())
    data["queries"] = probe(data["paths"], data["write_post_id"], data["writer_email"])
    seconds["probe"] = time.monotonic() - started - sum(seconds.values())
    data["seconds"] = {step: round(value, 1) for step, value in seconds.items()}
    return data


def main(argv: list[str]) -> None:
    if argv[:1] == ["prepare"]:
        print(json.dumps(prepare(Path(argv[1]) if len(argv) > 1 else None)))
    elif argv[:1] == ["build"]:
        print(json.dumps(build()))
    elif argv[:1] == ["probe"] and len(argv) == 2:
        spec = json.loads(argv[1])
        print(json.dumps(probe(spec["paths"], spec["write_post_id"], spec["writer_email"])))
    else:
        raise SystemExit("usage: django_script.py prepare | build | probe '<json from build>'")


if __name__ == "__main__":
    main(sys.argv[1:])
