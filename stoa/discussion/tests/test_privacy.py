"""No public page or feed of the demo site gives away a commenter's email or IP address.

The demo is loaded, then every page an anonymous reader can reach is fetched: the home page
and each of its pages, every post (and its comment pages), every archive, every static page,
every feed, the sitemap and robots.txt, and every internal link those pages show.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import deque
from collections.abc import Callable
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import lxml.etree
import lxml.html
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from stoa.core.conf import stoa_setting
from stoa.discussion import services
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.publishing.models import Category, Page, Person, Post, PostVisibility, Tag

pytestmark = pytest.mark.django_db

# Known commenters added on top of the demo's, so the check never runs on nothing.
EXTRA = [
    ("Priya Known", "priya.known@example.org", "198.51.100.201", CommentStatus.APPROVED),
    ("Quinn Known", "quinn.known@example.net", "198.51.100.202", CommentStatus.APPROVED),
    ("Held Known", "held.known@example.com", "198.51.100.203", CommentStatus.PENDING),
    ("Spam Known", "spam.known@example.com", "2001:db8::7", CommentStatus.SPAM),
    ("Trash Known", "trash.known@example.com", "198.51.100.205", CommentStatus.TRASH),
]
MOVE = {
    CommentStatus.APPROVED: services.approve_comment,
    CommentStatus.PENDING: services.unapprove_comment,
    CommentStatus.SPAM: services.spam_comment,
    CommentStatus.TRASH: services.trash_comment,
}
# Query parameters that choose what a page shows; others (replytocom, c) are per-viewer.
KEPT_PARAMETERS = frozenset({"page", "cpage"})
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/", "/preview/")


def add_known_comments(posts: list[Post]) -> None:
    """A few comments with known emails and IPs, in every status, one a reply."""
    start = timezone.now() - dt.timedelta(hours=6)
    parent = None
    for i, (name, email, ip, status) in enumerate(EXTRA):
        post = posts[i % 2]
        comment = services.post_comment(
            post=post,
            author=services.Guest(name=name, email=email, url="https://known.example"),
            body=f"A known commenter's note number {i}.",
            parent=parent if parent is not None and parent.post_id == post.pk else None,
            origin=services.Origin(ip_address=ip, user_agent="Known/1.0"),
            created_at=start + dt.timedelta(minutes=i),
        )
        if comment.status != status:
            MOVE[status](comment=comment)
        if status == CommentStatus.APPROVED and parent is None:
            parent = comment


def seed_urls() -> list[str]:
    """Every public address of the site, as its models name them."""
    posts = list(Post.objects.published().order_by("-published_at"))
    pages = math.ceil(len(posts) / int(stoa_setting("POSTS_PER_PAGE")))
    urls = ["/", *(f"/?page={n}" for n in range(2, pages + 1))]
    urls += ["/robots.txt", "/sitemap.xml", "/feed/", "/feed/atom/"]
    urls += ["/comments/feed/", "/comments/feed/atom/"]
    months = set()
    for post in posts:
        url = post.get_absolute_url()
        urls.append(url)
        if post.visibility == PostVisibility.PUBLIC:  # members-only discussions have no feed
            urls += [f"/comments/post/{post.pk}/feed/", f"/comments/post/{post.pk}/feed/atom/"]
        first = post.comments.filter(status=CommentStatus.APPROVED).order_by("pk").first()
        if first is not None:
            urls.append(f"{url}?replytocom={first.pk}")
        local = timezone.localtime(post.published_at)
        months.add((local.year, local.month))
    for year, month in sorted(months):
        urls += [f"/{year:04d}/", f"/{year:04d}/{month:02d}/"]
    for kind, model in (("category", Category), ("tag", Tag), ("author", Person)):
        for slug in model.objects.values_list("slug", flat=True):
            urls += [f"/{kind}/{slug}/", f"/{kind}/{slug}/feed/", f"/{kind}/{slug}/feed/atom/"]
    urls += [page.get_absolute_url() for page in Page.objects.published()]
    return urls


def normalise(href: str, kept: frozenset[str] = KEPT_PARAMETERS) -> str | None:
    """The site-internal address a link points at, or None to leave it."""
    parts = urlsplit(href.strip())
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith(SKIPPED_PREFIXES):
        return None
    if path.startswith("/comments/") and not path.endswith(("/feed/", "/feed/atom/")):
        return None
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if k in kept))
    return f"{path}?{query}" if query else path


def links_in(body: bytes, content_type: str, base: str) -> list[str]:
    if "html" in content_type:
        doc = lxml.html.fromstring(body)
        hrefs = doc.xpath("//a/@href | //link/@href")
        found = []
        for href in hrefs:
            if href.startswith("?"):
                href = urlsplit(base).path + href
            found.append(href)
        return found
    if "xml" in content_type:
        doc = lxml.etree.fromstring(body)
        return doc.xpath("//*[local-name()='loc' or local-name()='link']/text()") + doc.xpath(
            "//*[local-name()='link']/@href"
        )
    return []


def crawl(
    client: Client, seeds: list[str], follow: Callable[[str], bool] = lambda path: True
) -> dict[str, bytes]:
    """Fetch the seeds and every internal page they link to (where `follow` says yes about
    the path), once each. Seeds keep their reply-to parameter; followed links do not."""
    bodies: dict[str, bytes] = {}
    seed_parameters = KEPT_PARAMETERS | {"replytocom"}
    queue = deque(filter(None, (normalise(url, seed_parameters) for url in seeds)))
    seen = set(queue)
    while queue:
        url = queue.popleft()
        response = client.get(url, follow=True)
        assert response.status_code == 200, (url, response.status_code)
        bodies[url] = response.content
        content_type = response.get("Content-Type", "")
        for href in links_in(response.content, content_type, url):
            target = normalise(href)
            if target is not None and target not in seen and follow(urlsplit(target).path):
                seen.add(target)
                queue.append(target)
    return bodies


def ip_pattern(ip: str) -> re.Pattern[bytes]:
    return re.compile(rb"(?<![0-9A-Fa-f.:])" + re.escape(ip.encode()) + rb"(?![0-9A-Fa-f])")


@pytest.fixture
def demo_site() -> None:
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    posts = list(Post.objects.published().filter(comments_open=True).order_by("-published_at"))
    assert len(posts) >= 2, "the demo has no open published posts to comment on"
    add_known_comments(posts[:2])


def test_the_demo_has_commenters_to_protect(demo_site) -> None:
    assert Comment.objects.exclude(author_email="").count() >= len(EXTRA)
    assert Comment.objects.exclude(ip_address=None).exists()
    assert Comment.objects.filter(status=CommentStatus.APPROVED).exists()


def test_no_public_page_or_feed_shows_a_commenters_email_or_ip_address(demo_site) -> None:
    emails = {
        e.lower()
        for e in Comment.objects.exclude(author_email="").values_list("author_email", flat=True)
    }
    ips = set(Comment.objects.exclude(ip_address=None).values_list("ip_address", flat=True))
    assert emails and ips

    bodies = crawl(Client(), seed_urls())

    # The crawl reached every kind of page, and the comments themselves.
    published = Post.objects.published()
    for post in published:
        assert post.get_absolute_url() in bodies
    for needed in ("/", "/sitemap.xml", "/robots.txt", "/comments/feed/", "/feed/atom/"):
        assert needed in bodies
    shown = Comment.objects.filter(status=CommentStatus.APPROVED, post__in=published)
    everything = b"\n".join(bodies.values())
    for name in shown.values_list("author_name", flat=True)[:20]:
        assert name.encode() in everything or quote(name).encode() in everything, name

    # Once more with the thread broken into pages, newest first: every comment page.
    settings = DiscussionSettings.current()
    settings.paginate, settings.threads_per_page, settings.newest_first = True, 2, True
    settings.save()
    post_paths = {post.get_absolute_url() for post in published}
    paged = crawl(Client(), sorted(post_paths), follow=post_paths.__contains__)
    assert any("cpage=" in url for url in paged)
    bodies |= {f"{url} (paged)": body for url, body in paged.items()}

    leaks = []
    patterns = {ip: ip_pattern(ip) for ip in ips}
    for url, body in bodies.items():
        lowered = body.lower()
        for email in emails:
            for form in (email, quote(email, safe=""), email.replace("@", "&#64;")):
                if form.encode() in lowered:
                    leaks.append((url, email))
        for ip, pattern in patterns.items():
            if pattern.search(body):
                leaks.append((url, ip))
    assert not leaks, f"{len(bodies)} pages crawled; leaks: {leaks[:20]}"
