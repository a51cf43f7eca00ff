"""The Django side of the benchmark, run by bench/run.py as a subprocess with the bench's
settings (DJANGO_SETTINGS_MODULE=stoa.settings, STOA_VAR_DIR=<temp dir>).

    python bench/django_script.py prepare [FLAG [--no-demo]]  # migrate, demo, build, probe
    python bench/django_script.py build    # the data set; prints one JSON line
    python bench/django_script.py probe '<JSON from build>'  # SQL queries; the static copy
    python bench/django_script.py large MEMBERS  # the large site's extras (bench/large.py)

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
    _people(chosen["write"], now)
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
            **_more_paths(chosen["category"]),
        },
        "admin_paths": ADMIN_PATHS,
        "write_post_id": chosen["write"].pk,
        "write_post_path": chosen["write"].get_absolute_url(),
        "writer_email": writer_email,
        "writer_parents": parents,
        "rate_limit_seconds": DiscussionSettings.current().rate_limit_seconds,
    }


MEMBER = ("benchmember", "bench-member@members.example.com")
EDITOR = ("bencheditor", "bench-editor@staff.example.com")
ADMIN_PATHS = {
    "comment queue (held and approved)": "/admin/discussion/comment/",
    "comment queue, held": "/admin/discussion/comment/?status=pending",
    "comment queue, everything": "/admin/discussion/comment/?status=any",
    "post list": "/admin/publishing/post/",
}
DEEP_MONTH = (2022, 3)  # the example of an archive deep in the past
DEEP_PAGE = 50  # of the category archive


def _people(post: Any, now: dt.datetime) -> None:
    """The bench's member (with a few comments, for the account page) and its editor, each
    with a verified address; made once. The probe signs them in."""
    from allauth.account.models import EmailAddress

    from stoa.discussion import services
    from stoa.discussion.models import CommentStatus
    from stoa.members.models import User
    from stoa.members.roles import Role, assign_role

    for (username, email), role in ((MEMBER, Role.MEMBER), (EDITOR, Role.EDITOR)):
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create_user(username=username, email=email, first_name="Bench")
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        assign_role(user=user, role=role)
        if role == Role.MEMBER:
            for n in range(3):
                comment = services.post_comment(
                    post=post,
                    author=user,
                    body=f"A member's comment {n}, for the account page.",
                    created_at=now - dt.timedelta(hours=3 + n),
                )
                if comment.status != CommentStatus.APPROVED:
                    services.approve_comment(comment=comment)


def _more_paths(category: Any) -> dict[str, str]:
    """The rows issue 12 adds: a month deep in the past, a late page of the fullest category,
    the 2,000-comment post (on the large site), the comment feed, the sitemap, the account;
    and for bench/anchors.py a tag's, an author's and a series' pages."""
    import math

    from django.conf import settings
    from django.utils import timezone

    from stoa.publishing.models import Post

    published = Post.objects.published()
    year, month = DEEP_MONTH
    if not published.filter(published_at__year=year, published_at__month=month).exists():
        # A small site: the month of its oldest quarter's newest post.
        dates = list(published.order_by("published_at").values_list("published_at", flat=True))
        local = timezone.localtime(dates[len(dates) // 4])
        year, month = local.year, local.month
    per_page = int(str(settings.STOA["POSTS_PER_PAGE"]))
    pages = max(1, math.ceil(published.filter(categories=category).count() / per_page))
    page = min(DEEP_PAGE, pages)
    paths = {
        "month": f"/{year:04d}/{month:02d}/",
        "category_deep": category.get_absolute_url() + (f"?page={page}" if page > 1 else ""),
        "comments_feed": "/comments/feed/",
        "sitemap": "/sitemap.xml",
        "sitemap_posts": "/sitemap-posts.xml",
        "account": "/account/",
    }
    # The other listing pages a member reads (bench/anchors.py puts them beside WordPress's
    # home): the tag and the author with the most posts, a series.
    from django.db.models import Count

    from stoa.publishing.models import Person, Tag
    from stoa.webcasts.models import Series

    for key, model in (("tag", Tag), ("author", Person)):
        fullest = (
            model.objects.filter(posts__in=published)
            .annotate(shown=Count("posts"))
            .order_by("-shown", "pk")
            .first()
        )
        if fullest is not None:
            paths[key] = fullest.get_absolute_url()
    series = Series.objects.listed().order_by("pk").first()
    if series is not None:
        paths["series"] = series.get_absolute_url()
    big = Post.objects.filter(slug=LARGE_POSTS["post2000"][0]).first()
    if big is not None:
        paths["post2000"] = big.get_absolute_url()
    return paths


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
    from stoa.members.models import User

    member = Client(HTTP_HOST="127.0.0.1")
    member.force_login(User.objects.get(username=MEMBER[0]))
    result: dict[str, Any] = {}
    for key, path in paths.items():
        if key == "static":
            continue
        readers = [("", client), (":rendered", rendering), (":member", member)]
        if key in MEMBERS_ONLY:
            readers = readers[2:]
        for suffix, reader in readers:
            _go_cold()
            cold, first = count(reader, "get", path)
            warm, response = count(reader, "get", path)
            if response.status_code != 200 or first.status_code != 200:
                raise SystemExit(f"bench: GET {path} answered {response.status_code}")
            result[key + suffix] = {"cold": cold, "warm": warm}
            if suffix == readers[0][0]:
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
    result["widget"] = _widget()

    # The back office as an editor: each list page's queries, and the session run.py reads
    # them with (as the member's is for the member rows).
    editor = Client(HTTP_HOST="127.0.0.1")
    editor.force_login(User.objects.get(username=EDITOR[0]))
    for label, path in ADMIN_PATHS.items():
        _go_cold()
        cold, first = count(editor, "get", path)
        warm, response = count(editor, "get", path)
        if response.status_code != 200 or first.status_code != 200:
            raise SystemExit(f"bench: GET {path} as an editor answered {response.status_code}")
        result[f"admin:{label}"] = {"cold": cold, "warm": warm}
    result["sessions"] = {
        "member": member.cookies[settings.SESSION_COOKIE_NAME].value,
        "editor": editor.cookies[settings.SESSION_COOKIE_NAME].value,
    }
    return result


MEMBERS_ONLY = {"account"}  # paths read only as the member


def _widget() -> dict[str, Any]:
    """The recent-comments widget drawn cold (a new content version): its queries and
    in-process milliseconds, median of five (each after a new version)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stoa.discussion.templating import recent_comments

    times = []
    for _ in range(5):
        _go_cold()
        with CaptureQueriesContext(connection) as ctx:
            began = time.perf_counter()
            recent_comments(5)
            times.append((time.perf_counter() - began) * 1000)
    return {"queries": len(ctx.captured_queries), "ms": round(sorted(times)[2], 2)}


def prepare(collected: Path | None = None, *, demo: bool = True) -> dict[str, Any]:
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
    if demo:  # the large site is an imported magazine, without the demo's posts
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


# ---------------------------------------------------------------------------- the large site

LARGE_POSTS = {"post2000": ("bench-a-post-with-2000-comments", "A post with 2,000 comments", 3)}
LARGE_THREAD = 2000
MEMBER_EMAIL = "member{:04d}@members.example.com"
MEMBERS_WHO_COMMENT = 300  # of them, each with a few comments here and there
COMMENTS_PER_MEMBER = 4
THREADS_PER_PAGE = 50  # WordPress's default comments_per_page, with page_comments on


def large(members: int) -> dict[str, Any]:
    """What the large site (bench/large.py) has beyond the imported export: members, some of
    them commenting; a post with 2,000 comments, paged; the bench's own posts and writers
    (build()). Run once, on the database as the import left it."""
    _setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from stoa.core import freshness
    from stoa.discussion.models import Comment, DiscussionSettings
    from stoa.discussion.services import ImportedComment, import_threads
    from stoa.members.models import User
    from stoa.members.roles import Role

    started = time.monotonic()
    # The import was kept; the code may have moved on since (a new app's tables).
    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, not security
    now = timezone.now()
    # Members in bulk, not through sign-up: there is no service that makes an account (allauth's
    # sign-up form does, one request and one password hash each, and PBKDF2's 0.3 s a hash
    # is ten minutes for 2,000). They share one hash of one password; each has a verified
    # primary address and the Member role, as a member who signed up and confirmed has.
    from allauth.account.models import EmailAddress

    password = make_password("bench-member-password")
    users = User.objects.bulk_create(
        User(
            username=f"member{n:04d}",
            email=MEMBER_EMAIL.format(n),
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            password=password,
            date_joined=now - dt.timedelta(days=rng.randint(1, 5 * 365)),
        )
        for n in range(members)
    )
    users = list(User.objects.filter(email__endswith="@members.example.com").order_by("pk"))
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    member_group = Group.objects.get(name=Role.MEMBER.value)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=member_group.pk) for user in users
    )

    settings = DiscussionSettings.current()
    settings.paginate, settings.threads_per_page = True, THREADS_PER_PAGE
    settings.save()

    from stoa.publishing import services as publishing
    from stoa.publishing.models import Post, PostStatus

    chosen = _choose_posts(now)
    model = chosen["write"]
    slug, title, days = LARGE_POSTS["post2000"]
    big = publishing.create_post(
        title=title,
        slug=slug,
        dek=model.dek,
        body=model.body,
        authors=model.authors.all(),
        categories=[chosen["category"]],
        status=PostStatus.PUBLISHED,
        published_at=now - dt.timedelta(days=days),
    )
    start = now - dt.timedelta(days=days, minutes=-1)  # a minute after it was published
    step = (now - dt.timedelta(minutes=5) - start) / (LARGE_THREAD + 1)
    rows: list[ImportedComment] = []
    for i in range(LARGE_THREAD):
        parent = None
        if rows and rng.random() < 0.6:  # conversations among recent comments
            parent = rng.choice(rows[-40:]).key
        rows.append(
            ImportedComment(
                key=f"large-{i}",
                parent_key=parent,
                author_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                author_email=f"large-{i:04d}@thread.example.com",
                text=_body(rng),
                created_at=start + step * (i + 1),
            )
        )
    # Members' comments, on the posts of the last two years, as the import writes comments.
    recent = list(
        Post.objects.published()
        .filter(published_at__gte=now - dt.timedelta(days=2 * 365))
        .exclude(slug__startswith="bench-")
        .values_list("pk", flat=True)
    ) or list(
        Post.objects.published().exclude(slug__startswith="bench-").values_list("pk", flat=True)
    )
    by_post: dict[int, list[ImportedComment]] = {}
    for k, user in enumerate(rng.sample(users, min(MEMBERS_WHO_COMMENT, len(users)))):
        for j in range(COMMENTS_PER_MEMBER):
            by_post.setdefault(rng.choice(recent), []).append(
                ImportedComment(
                    key=f"member-{k}-{j}",
                    author_name=f"{user.first_name} {user.last_name}",
                    author_email=user.email,
                    user=user,
                    text=_body(rng),
                    created_at=now - dt.timedelta(hours=rng.randint(2, 2 * 365 * 24)),
                )
            )
    posts = {post.pk: post for post in Post.objects.filter(pk__in=by_post)}
    with transaction.atomic(), freshness.changed():
        import_threads(
            threads=[(big, rows, {})] + [(posts[pk], mine, {}) for pk, mine in by_post.items()]
        )
    data = build()  # the bench's 200- and 1,000-comment posts and its writers, as at small size
    data["large"] = {
        "members": User.objects.filter(email__endswith="@members.example.com").count(),
        "member comments": Comment.objects.filter(user__in=users).count(),
        "comments": Comment.objects.count(),
        "posts": Post.objects.count(),
        "seconds": round(time.monotonic() - started, 1),
    }
    return data


def main(argv: list[str]) -> None:
    if argv[:1] == ["prepare"]:
        collected = Path(argv[1]) if len(argv) > 1 else None
        print(json.dumps(prepare(collected, demo="--no-demo" not in argv[2:])))
    elif argv[:1] == ["large"] and len(argv) == 2:
        print(json.dumps(large(int(argv[1]))))
    elif argv[:1] == ["build"]:
        print(json.dumps(build()))
    elif argv[:1] == ["probe"] and len(argv) == 2:
        spec = json.loads(argv[1])
        print(json.dumps(probe(spec["paths"], spec["write_post_id"], spec["writer_email"])))
    else:
        raise SystemExit(
            "usage: django_script.py prepare | build | probe '<json from build>' | large MEMBERS"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
