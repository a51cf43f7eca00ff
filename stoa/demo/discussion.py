"""Readers' comments under the demo posts, read from data/discussion/.

Everything is written through `stoa.discussion.services`, so the moderation rules judge each
comment as they would a real one: a new reader's first comment is held (and then approved here,
as a moderator would), too many links or a moderation word hold it, a disallowed word makes it
spam, and a moderator marks a robot's comment as spam. No email goes out: nobody needs to hear
about comments that were never written.

Each post's threads are a text file in a light markup: a line starting with ">" begins a
comment, and the number of ">" is its depth (">>" replies to the comment above it at depth 1).
Lines that follow continue it; a blank line within a comment separates paragraphs, as a
commenter's blank line does. An optional [tags] after the ">" says who writes the comment or
what becomes of it:

    helen        the editor's own account (marked "Author" under her own posts)
    p=KEY        a reader from commenters.toml, by key
    as=N|E|U     a one-off commenter: name, email and (optional) website
    root         the reader who started the thread
    again        the reader the parent comment answered (a back-and-forth)
    held         a first comment, left in the moderation queue
    links, word  held by the too-many-links or the moderation-word rule
    spam, bot    marked spam by a moderator (or a disallowed word); bot: sent from a robot's
                 browser (one that filled the form's hidden field would be refused unwritten)
    trash        trashed by a moderator
    flag=N       reported by N readers (visitors: counted in the queue, hiding nothing)

Without an author tag, a reader is drawn at random from the pool.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from stoa.demo import loader
from stoa.demo.loader import DemoDataError
from stoa.discussion import notifications, services
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.members.models import User
from stoa.publishing.models import Person, Post

# Printed before the summary: the name these lines had when discussion held its own demo.
LABEL = "stoa.discussion.demo"
FOLDER = "discussion"
# Where the commenters write from: the ranges reserved for documentation (RFC 5737).
NETWORKS = ("192.0.2", "198.51.100", "203.0.113")

# Tags that leave a comment out of the published thread: nobody can reply to it.
_UNPUBLISHED = frozenset({"held", "links", "word", "spam", "bot", "trash"})
_TAGS = _UNPUBLISHED | {"helen", "p", "as", "root", "again", "flag"}
_MARKER = re.compile(r"^(>+)\s*(?:\[([^\]]*)\])?\s*(.*)$")


@dataclass(frozen=True)
class _Moderation:
    """moderation.toml."""

    moderation_words: tuple[str, ...]
    disallowed_words: tuple[str, ...]
    trash_note: str


@dataclass(frozen=True)
class _Editor:
    person: str
    username: str
    email: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class _Reader:
    key: str
    name: str
    email: str
    website: str = ""
    drawn: bool = True


@dataclass(frozen=True)
class _Commenters:
    """commenters.toml."""

    browsers: tuple[str, ...]
    robot_browser: str
    editor: _Editor
    readers: tuple[_Reader, ...]


@dataclass(frozen=True)
class _Discussion:
    post: str  # the post's slug
    threads: str  # the file, relative to data/discussion/


@dataclass(frozen=True)
class _Threads:
    """threads.toml."""

    discussions: tuple[_Discussion, ...]


@dataclass
class _Spec:
    """One comment as written in a threads file, before it has an author, a time or a row."""

    depth: int
    tags: dict[str, str]
    lines: list[str]
    parent: _Spec | None = None
    children: list[_Spec] = field(default_factory=list)

    @property
    def text(self) -> str:
        paragraphs, current = [], []
        for line in [*self.lines, ""]:
            if line:
                current.append(line)
            elif current:
                paragraphs.append(" ".join(current))
                current = []
        return "\n\n".join(paragraphs)

    @property
    def root(self) -> _Spec:
        return self if self.parent is None else self.parent.root


def parse(source: str, *, path: Path, readers: Collection[str]) -> list[_Spec]:
    """The threads of one post's discussion, top-level comments with their replies."""
    roots: list[_Spec] = []
    stack: list[_Spec] = []
    lines = source.strip().splitlines()
    # Line numbers as an editor sees them, counting the blank lines strip() took off the top.
    first = source.count("\n", 0, source.index(lines[0])) + 1 if lines else 1
    for number, raw in enumerate(lines, start=first):
        line = raw.strip()
        where = f"line {number}"
        match = _MARKER.match(line)
        if match is None:
            if not stack:
                raise DemoDataError(path, f"{where}: text before the first comment: {line!r}")
            stack[-1].lines.append(line)
            continue
        depth = len(match.group(1))
        if depth > len(stack) + 1:
            raise DemoDataError(path, f"{where}: a reply deeper than its parent allows: {line!r}")
        tags: dict[str, str] = {}
        for tag in (match.group(2) or "").split(","):
            if tag.strip():
                key, _, value = tag.strip().partition("=")
                tags[key] = value
        if unknown := sorted(tags.keys() - _TAGS):
            raise DemoDataError(path, f"{where}: no such tag {unknown[0]!r}")
        if "p" in tags and tags["p"] not in readers:
            raise DemoDataError(path, f"{where}: no reader {tags['p']!r} in commenters.toml")
        if not tags.get("flag", "0").isdigit():
            raise DemoDataError(path, f"{where}: flag=N needs a number of reports")
        parent = stack[depth - 2] if depth > 1 else None
        if parent is not None and _UNPUBLISHED & parent.tags.keys():
            raise DemoDataError(path, f"{where}: a reply to a comment that is never published")
        spec = _Spec(depth=depth, tags=tags, lines=[match.group(3)], parent=parent)
        if parent is None:
            roots.append(spec)
        else:
            parent.children.append(spec)
        stack = [*stack[: depth - 1], spec]
    return roots


@dataclass(frozen=True)
class _Commenter:
    """Who writes a comment, and from where."""

    author: User | services.Guest
    origin: services.Origin

    @property
    def email(self) -> str:
        return self.author.email


@dataclass
class _Planned:
    """A comment with its post, author and time, waiting to be written."""

    spec: _Spec
    post: Post
    commenter: _Commenter
    created_at: dt.datetime


def is_loaded() -> bool:
    """Whether any comment, from the demo or from readers, is already there."""
    return Comment.objects.exists()


def _add_lines(current: str, words: tuple[str, ...]) -> str:
    present = DiscussionSettings.lines(current)
    missing = [word for word in words if word not in present]
    return "\n".join([*current.strip().splitlines(), *missing]).strip()


def _prepare_settings(moderation: _Moderation) -> None:
    """Give the moderation-word and disallowed lists the entries the demo's comments meet."""
    row = DiscussionSettings.current()
    moderation_keys = _add_lines(row.moderation_keys, moderation.moderation_words)
    disallowed_keys = _add_lines(row.disallowed_keys, moderation.disallowed_words)
    if (moderation_keys, disallowed_keys) != (row.moderation_keys, row.disallowed_keys):
        row.moderation_keys, row.disallowed_keys = moderation_keys, disallowed_keys
        row.save()


def _editor_account(editor: _Editor) -> User | None:
    """The editor's member account, linked to her byline, so her replies show the badge."""
    person = Person.objects.filter(name=editor.person).select_related("user").first()
    if person is None:
        return None
    if person.user is not None:
        return person.user
    user = User.objects.filter(username=editor.username).first()
    if user is None:
        # No password: the demo never logs in as her, and neither can anyone else.
        user = User.objects.create_user(
            username=editor.username,
            email=editor.email,
            first_name=editor.first_name,
            last_name=editor.last_name,
        )
    elif Person.objects.filter(user=user).exists():
        return None
    person.user = user
    person.save(update_fields=["user"])
    return user


class _Cast:
    """The commenters: readers drawn from the pool, one-off visitors, the editor. Each keeps
    one address and one browser, drawn once."""

    def __init__(self, rng: random.Random, commenters: _Commenters, editor: User | None) -> None:
        self.rng = rng
        self.commenters = commenters
        self.addresses = [f"{net}.{host}" for net in NETWORKS for host in range(1, 255)]
        rng.shuffle(self.addresses)
        self.by_email: dict[str, _Commenter] = {}
        self.readers: dict[str, _Commenter] = {}
        self.pool: list[_Commenter] = []
        for spec in commenters.readers:
            reader = self._commenter(services.Guest(spec.name, spec.email, spec.website))
            self.readers[spec.key] = reader
            if spec.drawn:
                self.pool.append(reader)
        self.editor = self._commenter(editor) if editor is not None else None

    def _commenter(self, author: User | services.Guest, *, robot: bool = False) -> _Commenter:
        found = self.by_email.get(author.email)
        if found is None:
            known = self.commenters
            agent = known.robot_browser if robot else self.rng.choice(known.browsers)
            origin = services.Origin(ip_address=self.addresses.pop(), user_agent=agent)
            found = self.by_email[author.email] = _Commenter(author, origin)
        return found

    def visitor(self, tag: str, *, robot: bool) -> _Commenter:
        name, email, url = [*tag.split("|"), "", ""][:3]
        return self._commenter(services.Guest(name, email, url), robot=robot)

    def for_spec(
        self, spec: _Spec, authors: dict[int, _Commenter], taken: set[str]
    ) -> _Commenter | None:
        """The commenter a comment's tags name, or a reader from the pool not already in
        this conversation."""
        tags = spec.tags
        if "helen" in tags:
            return self.editor
        if "as" in tags:
            return self.visitor(tags["as"], robot="bot" in tags)
        if "p" in tags:
            return self.readers[tags["p"]]
        if "root" in tags:
            return authors.get(id(spec.root))
        if "again" in tags:
            grandparent = spec.parent.parent if spec.parent else None
            return authors.get(id(grandparent)) if grandparent else None
        ancestors, node = set(), spec.parent
        while node is not None:
            if id(node) in authors:
                ancestors.add(authors[id(node)].email)
            node = node.parent
        choices = [r for r in self.pool if r.email not in ancestors and r.email not in taken]
        return self.rng.choice(choices or self.pool)


def _launch() -> dt.datetime | None:
    """When discussion opened: the sticky editorial that announced it, if there is one."""
    times = Post.objects.published().filter(is_sticky=True).values_list("published_at", flat=True)
    return min((when for when in times if when is not None), default=None)


def _plan_post(
    post: Post,
    roots: list[_Spec],
    cast: _Cast,
    *,
    rng: random.Random,
    start: dt.datetime,
    end: dt.datetime,
) -> list[_Planned]:
    """Authors and times for one post's comments: threads start early and thin out, replies
    follow their parents within hours."""
    window = end - start
    planned: list[_Planned] = []
    authors: dict[int, _Commenter] = {}
    top_level: set[str] = set()

    def when(after: dt.datetime, spread: dt.timedelta) -> dt.datetime:
        moment = (after + spread).replace(second=rng.randrange(60), microsecond=0)
        moment = moment if moment > after else moment + dt.timedelta(minutes=1)
        # Most readers sleep: a comment drawn for the small hours waits for the morning.
        hour = timezone.localtime(moment).hour
        if hour < 7:
            later = moment + dt.timedelta(hours=7 - hour, minutes=rng.randrange(240))
            moment = later if later < end else moment
        return moment

    offsets = sorted(window * 0.85 * rng.random() ** 1.7 for _ in roots)
    queue: list[tuple[_Spec, dt.datetime]] = [
        (spec, when(start, offset)) for spec, offset in zip(roots, offsets, strict=True)
    ]
    while queue:
        spec, created_at = queue.pop(0)
        created_at = max(created_at, start)
        commenter = cast.for_spec(spec, authors, top_level if spec.parent is None else set())
        if commenter is None:
            continue  # no editor account (no byline to link it to): skip her reply and its replies
        authors[id(spec)] = commenter
        if spec.parent is None:
            top_level.add(commenter.email)
        planned.append(_Planned(spec, post, commenter, created_at))
        remaining = end - created_at
        gaps = []
        for _ in spec.children:
            gap = dt.timedelta(minutes=rng.expovariate(1 / 150))
            gaps.append(max(min(gap, remaining * 0.6), min(dt.timedelta(minutes=4), remaining / 2)))
        queue.extend(
            (child, when(created_at, gap))
            for child, gap in zip(spec.children, sorted(gaps), strict=True)
        )
    return planned


def _reporter(address: str) -> str:
    """A reader's report key, made as the report view makes it from an address."""
    raw = f"{settings.SECRET_KEY}:{address}".encode()
    return "ip:" + hashlib.sha256(raw).hexdigest()[:40]


def _write(plan: _Planned, parent: Comment | None, *, trash_note: str) -> Comment | None:
    """Write one comment through the services, then moderate it as an editor would."""
    tags = plan.spec.tags
    try:
        comment = services.post_comment(
            post=plan.post,
            author=plan.commenter.author,
            body=plan.spec.text,
            parent=parent,
            origin=plan.commenter.origin,
            created_at=plan.created_at,
        )
    except (services.CommentRefused, ValidationError):
        return None  # refused (the site closes comments on old posts, say): carry on without it
    if "spam" in tags or "bot" in tags:
        services.spam_comment(comment=comment)
    elif "trash" in tags:
        services.trash_comment(comment=comment, note=trash_note)
    elif comment.status == CommentStatus.PENDING and not {"held", "links", "word"} & tags.keys():
        services.approve_comment(comment=comment)
    return comment


@dataclass(frozen=True)
class Content:
    """Everything build() writes, read and checked."""

    moderation: _Moderation
    commenters: _Commenters
    discussions: list[tuple[str, list[_Spec]]]  # (post slug, its threads), in order


def read() -> Content:
    """The files, with each post's threads parsed."""
    moderation = loader.read_record(f"{FOLDER}/moderation.toml", _Moderation)
    commenters = loader.read_record(f"{FOLDER}/commenters.toml", _Commenters)
    threads = loader.read_record(f"{FOLDER}/threads.toml", _Threads)
    keys = {reader.key for reader in commenters.readers}
    slugs = [discussion.post for discussion in threads.discussions]
    if twice := sorted({slug for slug in slugs if slugs.count(slug) > 1}):
        raise DemoDataError(loader.path(f"{FOLDER}/threads.toml"), f"post {twice[0]!r} twice")
    discussions = [
        (
            discussion.post,
            parse(
                loader.read_text(
                    f"{FOLDER}/{discussion.threads}", named_in=f"{FOLDER}/threads.toml"
                ),
                path=loader.path(f"{FOLDER}/{discussion.threads}"),
                readers=keys,
            ),
        )
        for discussion in threads.discussions
    ]
    return Content(moderation, commenters, discussions)


def build(*, rng: random.Random, today: dt.datetime) -> str:
    """Write the readers' discussions under the demo posts and return a one-line summary."""
    content = read()
    # Demo readers and moderators need no emails about comments that were never written.
    with notifications.silenced():
        return _build(content, rng=rng, today=today)


def _build(content: Content, *, rng: random.Random, today: dt.datetime) -> str:
    _prepare_settings(content.moderation)
    cast = _Cast(rng, content.commenters, _editor_account(content.commenters.editor))
    slugs = [slug for slug, _ in content.discussions]
    posts = {
        post.slug: post
        for post in Post.objects.published().filter(slug__in=slugs, comments_open=True)
    }
    launch = _launch()
    end = (today - dt.timedelta(minutes=20)).astimezone(dt.UTC)

    planned: list[_Planned] = []
    for slug, roots in content.discussions:
        post = posts.get(slug)
        if post is None or post.published_at is None:
            continue
        opened = max(post.published_at, launch or post.published_at).astimezone(dt.UTC)
        start = opened + dt.timedelta(minutes=rng.randint(20, 90))
        if end - start < dt.timedelta(hours=6):
            continue
        planned += _plan_post(post, roots, cast, rng=rng, start=start, end=end)

    # Oldest first across the site, so that each reader's first comment is the one held.
    written: dict[int, Comment] = {}
    for plan in sorted(planned, key=lambda p: p.created_at):
        parent = None
        if plan.spec.parent is not None:
            parent = written.get(id(plan.spec.parent))
            if parent is None or parent.status != CommentStatus.APPROVED:
                continue
        comment = _write(plan, parent, trash_note=content.moderation.trash_note)
        if comment is not None:
            written[id(plan.spec)] = comment

    # Readers' reports come last, from addresses of readers who were not in the thread.
    addresses = [reader.origin.ip_address or "" for reader in cast.pool]
    for plan in planned:
        comment = written.get(id(plan.spec))
        count = int(plan.spec.tags.get("flag") or 0)
        if comment is None or not count:
            continue
        others = [a for a in addresses if a != plan.commenter.origin.ip_address]
        for address in rng.sample(others, count):
            services.flag_comment(comment=comment, reporter=_reporter(address))

    statuses = [c.status for c in Comment.objects.filter(pk__in=[c.pk for c in written.values()])]
    on_posts = len({comment.post_id for comment in written.values()})
    return (
        f"{len(statuses)} comments ({statuses.count(CommentStatus.PENDING)} held, "
        f"{statuses.count(CommentStatus.SPAM)} spam, {statuses.count(CommentStatus.TRASH)} in "
        f"trash) on {on_posts} posts"
    )
