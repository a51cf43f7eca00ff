"""Disqus's XML export, read as a stream, and its threads brought onto the posts they were
under (`stoa import-disqus FILE.xml`, services: import_disqus).

A Disqus export (Admin → Moderation → Export) is one <disqus> element holding the forum's
<category>s, then a <thread dsq:id=...> per page that had a discussion (its <link>, <title>,
<id> — the identifier the site gave Disqus, which WordPress's Disqus plugin writes as
"<post id> <guid>" — dates, closed and deleted flags), then every <post dsq:id=...>: a comment,
with its <message> (HTML), <createdAt>, <author> (name, email, anonymous or not), <ipAddress>,
<isDeleted>, <isSpam>, the <thread dsq:id> it belongs to and the <parent dsq:id> it answers.

Read as a stream like the WordPress reader (stoa.wordpress.wxr): lxml iterparse with no DTD, no
entities, no network, no huge trees; a DOCTYPE is refused unread (Disqus never writes one), as
is a file cut off or malformed or not a Disqus export, always naming the line. Each record is
dropped from the tree once yielded, so memory stays flat.

The import (import_disqus) matches each thread to a post by its link: the post's own address
here, or an old address the redirect table sends to one (a WordPress permalink the WordPress
import recorded), or else the WordPress post id in the thread's identifier through the
WordPress import's mapping; a thread no post matches is reported with its comments, which are
skipped, as are the comments of a thread Disqus deleted. Comments are written by discussion's
import_comments, as Disqus judged them (spam, deleted → trash, not approved → held), threaded
by their parents, in batches; each Disqus comment's Stoa id is kept in the mapping table (a
SourceSite per Disqus forum), so a second run of the same file changes nothing and a newer
export only updates what changed (a comment deleted here since is written again, as the
WordPress import does). All or nothing, in one transaction, with one new content version; the
report is an ImportRun, which a failed run leaves with its reason and no counts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from stoa.core import freshness
from stoa.core.models import Redirect
from stoa.core.services import normal_old_path
from stoa.discussion.models import Comment, CommentStatus
from stoa.discussion.services import ImportedComment, import_comments
from stoa.members.models import User
from stoa.publishing.models import Post as StoaPost
from stoa.wordpress import parsing
from stoa.wordpress.models import (
    COUNT_COLUMNS,
    ImportKind,
    ImportRun,
    Mapping,
    ObjectKind,
    RunStatus,
    SourceSite,
)

DISQUS = "http://disqus.com"
INTERNALS = "http://disqus.com/disqus-internals"
DSQ_ID = f"{{{INTERNALS}}}id"
# A Disqus id is a number; the mapping table keeps a comment's as a key of 200 characters.
ID_LENGTH = 200

logger = logging.getLogger(__name__)


class DisqusError(parsing.Refused):
    """The file is refused: not a Disqus export, malformed, cut off, or hostile. The message
    says why and names the line."""


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    email: str
    username: str
    is_anonymous: bool


@dataclass(frozen=True, slots=True)
class Category:
    """A forum's category (Disqus's own grouping of threads; nothing in Stoa matches it)."""

    id: str
    forum: str
    title: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Thread:
    """A page that had a discussion: matched to a post by its link or its identifier."""

    id: str
    forum: str
    identifier: str
    link: str
    title: str
    created_at: dt.datetime | None
    is_closed: bool
    is_deleted: bool
    line: int | None = None

    @property
    def wordpress_id(self) -> int | None:
        """The WordPress post id WordPress's Disqus plugin put first in the identifier
        ("123 https://site/?p=123"), if that is what the identifier is."""
        first = self.identifier.split(" ", 1)[0]
        # ASCII digits only: str.isdigit() takes "²", which int() does not. Anything else is
        # not refused: the identifier is whatever text the site gave Disqus.
        return int(first) if first.isascii() and first.isdigit() else None


@dataclass(frozen=True, slots=True)
class Post:
    """A comment: `thread` and `parent` are Disqus ids ("" for a top-level comment)."""

    id: str
    thread: str
    parent: str
    message: str
    created_at: dt.datetime | None
    author: Author
    ip_address: str
    is_deleted: bool
    is_spam: bool
    is_approved: bool
    line: int | None = None


Record = Category | Thread | Post


def _local(tag: Any) -> tuple[str, str]:
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _flag(text: str | None, default: bool = False) -> bool:
    text = (text or "").strip().lower()
    if not text:
        return default
    return text in ("true", "1")


def _date(text: str | None) -> dt.datetime | None:
    """Disqus writes ISO 8601 in UTC ("2012-05-01T12:00:00Z")."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _children(element: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for child in element:
        _, name = _local(child.tag)
        if name:
            found[name] = child
    return found


def _text(children: dict[str, Any], name: str) -> str:
    child = children.get(name)
    return (child.text or "") if child is not None else ""


def _dsq_id(element: Any, what: str) -> str:
    """The element's dsq:id ("" if it has none), refused unless it is a Disqus id: ASCII
    digits, as Disqus writes them (str.isdigit() would take "²", int() would not)."""
    found = (element.get(DSQ_ID) or "").strip()
    if found and not (found.isascii() and found.isdigit() and len(found) <= ID_LENGTH):
        raise DisqusError(
            f"A <{what}> whose dsq:id {found[:40]!r} is not a Disqus id (ASCII digits)",
            element.sourceline,
        )
    return found


def _ref(children: dict[str, Any], name: str) -> str:
    child = children.get(name)
    return _dsq_id(child, name) if child is not None else ""


class Reader:
    """Iterate over a Disqus export's records in file order. `source` is a path or a binary
    file object."""

    def __init__(self, source: str | IO[bytes]) -> None:
        self.source = source

    def __iter__(self) -> Iterator[Record]:
        return parsing.well_formed(self._records(), DisqusError)

    def _records(self) -> Iterator[Record]:
        parsing.refuse_doctype_ahead(self.source, DisqusError, "a Disqus export")
        parser = parsing.iterparse(self.source)
        depth = 0
        root: Any = None
        for event, element in parser:
            if event == "start":
                depth += 1
                if depth == 1:
                    root = element
                    self._check_root(element)
                continue
            depth -= 1
            if depth != 1:
                continue
            record = self._record(element)
            if record is not None:
                yield record
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del root[0]
        if root is None:
            raise DisqusError("Not a Disqus export: the file is empty")

    def _check_root(self, root: Any) -> None:
        parsing.refuse_doctype(root, DisqusError, "a Disqus export")
        if _local(root.tag)[1] != "disqus":
            raise DisqusError(
                f"Not a Disqus export: the root element is <{_local(root.tag)[1]}>, not <disqus>",
                root.sourceline,
            )

    def _record(self, element: Any) -> Record | None:
        _, name = _local(element.tag)
        line = element.sourceline
        if name not in ("category", "thread", "post"):
            return None
        record_id = _dsq_id(element, name)
        if not record_id:
            raise DisqusError(f"A <{name}> without a dsq:id", line)
        children = _children(element)
        if name == "category":
            return Category(
                id=record_id,
                forum=_text(children, "forum").strip(),
                title=_text(children, "title").strip(),
                line=line,
            )
        if name == "thread":
            return Thread(
                id=record_id,
                forum=_text(children, "forum").strip(),
                identifier=_text(children, "id").strip(),
                link=_text(children, "link").strip(),
                title=_text(children, "title").strip(),
                created_at=_date(_text(children, "createdAt")),
                is_closed=_flag(_text(children, "isClosed")),
                is_deleted=_flag(_text(children, "isDeleted")),
                line=line,
            )
        author = children.get("author")
        about = _children(author) if author is not None else {}
        thread = _ref(children, "thread")
        if not thread:
            raise DisqusError(f"A <post dsq:id={record_id!r}> that names no thread", line)
        return Post(
            id=record_id,
            thread=thread,
            parent=_ref(children, "parent"),
            message=_text(children, "message"),
            created_at=_date(_text(children, "createdAt")),
            author=Author(
                name=_text(about, "name").strip(),
                email=_text(about, "email").strip(),
                username=_text(about, "username").strip(),
                is_anonymous=_flag(_text(about, "isAnonymous")),
            ),
            ip_address=_text(children, "ipAddress").strip(),
            is_deleted=_flag(_text(children, "isDeleted")),
            is_spam=_flag(_text(children, "isSpam")),
            # Not in every export; where it is, false means the comment waited for a moderator.
            is_approved=_flag(_text(children, "isApproved"), default=True),
            line=line,
        )


def read(source: str | IO[bytes]) -> Iterator[Record]:
    """The records of a Disqus export, streamed (see Reader)."""
    return iter(Reader(source))


# ------------------------------------------------------------------------------ the import

# Comments written per round (import_comments' batches, the mapping rows' queries).
BATCH = 1000
THREADS, COMMENTS = "thread", "comment"


def forum_address(forum: str) -> str:
    """The source site a Disqus forum's comments are mapped under."""
    return f"https://disqus.com/home/forum/{forum or 'unnamed'}/"


def _post_at(path: str) -> int | None:
    """The post whose own address this path is, if any."""
    try:
        match = resolve(path.partition("?")[0])
    except Resolver404:
        return None
    if match.view_name != "publishing:post":
        return None
    return StoaPost.objects.filter(slug=match.kwargs["slug"]).values_list("pk", flat=True).first()


def _paths(link: str) -> list[str]:
    """The link's path (in the redirect table's form), with and without the trailing slash:
    Disqus keeps whatever address the page was first read at."""
    if not link:
        return []
    try:
        path = normal_old_path(link)
    except ValidationError:
        return []
    base, mark, query = path.partition("?")
    other = base[:-1] if base.endswith("/") and base != "/" else f"{base}/"
    return [path, f"{other}{mark}{query}"]


def post_for_thread(thread: Thread) -> int | None:
    """The id of the post a Disqus thread was under: by the thread's link (the post's own
    address, or an old one the redirect table sends to it), else by the WordPress post id in
    its identifier, through a WordPress import's mapping of that site."""
    for path in _paths(thread.link):
        found = _post_at(path)
        if found is not None:
            return found
        target = Redirect.objects.filter(old_path=path).values_list("new_path", flat=True).first()
        if target and target.startswith("/"):
            found = _post_at(target.partition("#")[0])
            if found is not None:
                return found
    if thread.wordpress_id is None:
        return None
    mappings = list(
        Mapping.objects.filter(
            kind=ObjectKind.POST, source_key=str(thread.wordpress_id)
        ).select_related("site")
    )
    host = urlsplit(thread.link).netloc.lower()
    same_site = [m for m in mappings if urlsplit(m.site.base_url).netloc.lower() == host]
    # An id alone names a post only when one imported site has it (or the link's host says
    # which site it was).
    chosen = same_site or (mappings if len(mappings) == 1 else [])
    for mapping in chosen:
        if StoaPost.objects.filter(pk=mapping.object_id).exists():
            return mapping.object_id
    return None


def comment_status(post: Post) -> str:
    """How Disqus judged a comment, in Stoa's words."""
    if post.is_spam:
        return CommentStatus.SPAM
    if post.is_deleted:
        return CommentStatus.TRASH
    if not post.is_approved:
        return CommentStatus.PENDING
    return CommentStatus.APPROVED


def _at(line: int | None) -> str:
    """ " (line N)" for a report line about a record, as a refusal names its line."""
    return f" (line {line})" if line else ""


def _digest(post: Post, post_id: int) -> str:
    """A fingerprint of what the export says of a comment: unchanged, it is not written."""
    said = [
        post_id,
        post.parent,
        post.message,
        post.created_at.isoformat() if post.created_at else "",
        post.author.name,
        post.author.email,
        post.ip_address,
        comment_status(post),
    ]
    return hashlib.md5(json.dumps(said).encode(), usedforsecurity=False).hexdigest()


class DisqusImport:
    """One pass over a Disqus export, writing as it reads (the caller holds the
    transaction). Memory holds the threads' matches and the comments of one batch, plus any
    reply met before its parent, until the parent comes."""

    def __init__(self, *, run: ImportRun, now: dt.datetime) -> None:
        self.run = run
        self.now = now
        self.site: SourceSite | None = None
        self.threads: dict[str, int | None] = {}
        # Threads no post matches, and threads deleted on Disqus: [title, link, comments
        # skipped].
        self.unmatched: dict[str, list[Any]] = {}
        self.deleted: dict[str, list[Any]] = {}
        self.pending: list[tuple[Post, int]] = []
        self.waiting: dict[str, list[tuple[Post, int]]] = {}
        self.counts = {kind: dict.fromkeys(COUNT_COLUMNS, 0) for kind in (THREADS, COMMENTS)}
        self.problems: list[str] = []
        self.records = 0

    def source_site(self, forum: str) -> SourceSite:
        if self.site is None:
            self.site, _ = SourceSite.objects.get_or_create(
                base_url=forum_address(forum), defaults={"title": f"Disqus: {forum}"}
            )
        return self.site

    def read(self, source: str | IO[bytes], *, progress: Callable[[], None] | None) -> None:
        for record in read(source):
            self.records += 1
            if isinstance(record, Category):
                self.source_site(record.forum)
            elif isinstance(record, Thread):
                self.thread(record)
            else:
                self.comment(record)
            if progress is not None and self.records % 500 == 0:
                progress()
        self.finish()

    def thread(self, thread: Thread) -> None:
        self.source_site(thread.forum)
        if thread.is_deleted:
            # Deleted on Disqus (by its moderators, or with its page): its comments are shown
            # nowhere there, so they are not brought here. What an earlier import brought of
            # it stays: removing comments is an editor's decision, not an import's.
            self.threads[thread.id] = None
            self.deleted[thread.id] = [thread.title, thread.link, 0]
            self.counts[THREADS]["skipped"] += 1
            return
        # A closed thread (is_closed) only stopped new comments on Disqus: the ones it has
        # come as they are. The post's own comments_open is left as it is (the WordPress
        # import brought WordPress's, or an editor set it): the thread's flag says nothing of
        # whether this site takes comments on the post now.
        post_id = post_for_thread(thread)
        self.threads[thread.id] = post_id
        self.counts[THREADS]["updated" if post_id is not None else "skipped"] += 1
        if post_id is None:
            self.unmatched[thread.id] = [thread.title, thread.link, 0]

    def comment(self, comment: Post) -> None:
        if comment.thread not in self.threads:
            self.threads[comment.thread] = None
            self.unmatched[comment.thread] = [f"thread {comment.thread}", "(not in the file)", 0]
        post_id = self.threads[comment.thread]
        if post_id is None:
            (self.deleted.get(comment.thread) or self.unmatched[comment.thread])[2] += 1
            self.counts[COMMENTS]["skipped"] += 1
            return
        self.pending.append((comment, post_id))
        if len(self.pending) >= BATCH:
            self.flush(final=False)

    def finish(self) -> None:
        # Replies whose parent never came: written now, top-level, and reported.
        for children in self.waiting.values():
            self.pending.extend(children)
        self.waiting.clear()
        self.flush(final=True)
        for title, link, skipped in self.unmatched.values():
            if skipped:
                self.problems.append(
                    f"No post matches the Disqus thread “{title}” ({link}): its {skipped} "
                    "comment(s) were not brought over."
                )
        for title, link, skipped in self.deleted.values():
            if skipped:
                self.problems.append(
                    f"The Disqus thread “{title}” ({link}) was deleted on Disqus: its "
                    f"{skipped} comment(s) were not brought over."
                )

    def flush(self, *, final: bool) -> None:
        while self.pending:
            batch, self.pending = self.pending[:BATCH], self.pending[BATCH:]
            self.store(batch, final=final)

    def store(self, batch: list[tuple[Post, int]], *, final: bool) -> None:
        site = self.source_site("")
        keys = {comment.id for comment, _ in batch}
        wanted = keys | {comment.parent for comment, _ in batch if comment.parent}
        existing = {
            m.source_key: m
            for m in Mapping.objects.filter(
                site=site, kind=ObjectKind.COMMENT, source_key__in=wanted
            )
        }
        self.forget_deleted(existing)
        if not final:
            batch = self.defer_early_replies(batch, keys, existing)
        known: dict[int | str, int] = {key: m.object_id for key, m in existing.items()}
        rows: dict[int, list[ImportedComment]] = {}
        digests: dict[str, str] = {}
        for comment, post_id in batch:
            digest = _digest(comment, post_id)
            mapping = existing.get(comment.id)
            if mapping is not None and mapping.digest == digest:
                self.counts[COMMENTS]["skipped"] += 1
                continue
            digests[comment.id] = digest
            rows.setdefault(post_id, []).append(self.row(comment, mapping))
        posts = StoaPost.objects.in_bulk(list(rows))
        lines = {comment.id: comment.line for comment, _ in batch}
        new: list[Mapping] = []
        changed: list[Mapping] = []
        for post_id, post_rows in rows.items():
            result = import_comments(post=posts[post_id], rows=post_rows, known=known)
            parents = {row.key: row.parent_key for row in post_rows}
            for key in result.orphans:
                self.problems.append(
                    f"Disqus comment {key} answers comment {parents.get(key)}, which is "
                    "neither in the file nor here: it is shown as a top-level comment"
                    f"{_at(lines.get(str(key)))}."
                )
            for row in post_rows:
                pk = result.comments.get(row.key)
                key = str(row.key)
                if pk is None:
                    self.counts[COMMENTS]["failed"] += 1
                    self.problems.append(f"Disqus comment {key} could not be written.")
                    continue
                known[key] = pk
                if row.pk is None:
                    new.append(
                        Mapping(
                            site=site,
                            kind=ObjectKind.COMMENT,
                            source_key=key,
                            object_id=pk,
                            digest=digests[key],
                            run=self.run,
                        )
                    )
                    self.counts[COMMENTS]["created"] += 1
                else:
                    mapping = existing[key]
                    mapping.object_id, mapping.digest, mapping.run = pk, digests[key], self.run
                    changed.append(mapping)
                    self.counts[COMMENTS]["updated"] += 1
        Mapping.objects.bulk_create(new, batch_size=BATCH)
        Mapping.objects.bulk_update(changed, ["object_id", "digest", "run"], batch_size=BATCH)
        # Replies that waited for a comment of this batch can be written now.
        for comment, _ in batch:
            self.pending.extend(self.waiting.pop(comment.id, []))

    def forget_deleted(self, existing: dict[str, Mapping]) -> None:
        """Drop the mapping rows (from the table and from `existing`) whose comment was
        deleted here since (the purge of old spam and trash, an editor). As the WordPress
        import does (services._comment_batch), such a comment is then written again from
        the export rather than "updated" where nothing is, and a reply to it never points
        at the missing row: it waits for its parent to be written again, or, if the file
        does not hold the parent, goes to the top level and is reported."""
        if not existing:
            return
        alive = set(
            Comment.objects.filter(pk__in={m.object_id for m in existing.values()}).values_list(
                "pk", flat=True
            )
        )
        gone = [key for key, mapping in existing.items() if mapping.object_id not in alive]
        if not gone:
            return
        Mapping.objects.filter(pk__in=[existing[key].pk for key in gone]).delete()
        for key in gone:
            del existing[key]

    def defer_early_replies(
        self, batch: list[tuple[Post, int]], keys: set[str], existing: dict[str, Mapping]
    ) -> list[tuple[Post, int]]:
        """Hold back a reply whose parent is neither stored nor in this batch (nor held
        back itself): the parent may come later in the file (Disqus does not promise
        parents first)."""
        held: set[str] = set()
        grew = True
        while grew:
            grew = False
            for comment, _ in batch:
                parent = comment.parent
                if comment.id in held or not parent or parent in existing:
                    continue
                if parent not in keys or parent in held:
                    held.add(comment.id)
                    grew = True
        for comment, post_id in batch:
            if comment.id in held:
                self.waiting.setdefault(comment.parent, []).append((comment, post_id))
        return [(comment, post_id) for comment, post_id in batch if comment.id not in held]

    def row(self, comment: Post, mapping: Mapping | None) -> ImportedComment:
        created_at = comment.created_at
        if created_at is None:
            created_at = self.now
            self.problems.append(
                f"Disqus comment {comment.id} has no date: it is dated the time of the import."
            )
        return ImportedComment(
            key=comment.id,
            parent_key=comment.parent or None,
            author_name=comment.author.name or comment.author.username or "Anonymous",
            author_email=comment.author.email,
            text=comment.message,
            created_at=created_at,
            status=comment_status(comment),
            ip_address=comment.ip_address or None,
            pk=mapping.object_id if mapping is not None else None,
        )


def import_disqus(
    *,
    source: str | Path | IO[bytes],
    file_name: str = "",
    dry_run: bool = False,
    started_by: User | None = None,
    run: ImportRun | None = None,
    progress: Callable[[], None] | None = None,
) -> ImportRun:
    """Bring a Disqus export's comments onto the posts their threads were under, all or
    nothing, and return the run with its report (counts per kind, problems). A refused or
    failed file writes nothing and the run says why; a dry run reports what it would do and
    writes nothing but the run. The run row itself is written outside the import's
    transaction, so its report survives a failure."""
    if isinstance(source, Path):
        source = str(source)
    if run is None:
        name = file_name or (source if isinstance(source, str) else "disqus.xml")
        run = ImportRun.objects.create(
            kind=ImportKind.DISQUS,
            file_name=Path(name).name[:255],
            dry_run=dry_run,
            started_by=started_by,
        )
    now = timezone.now()
    run.status, run.started_at = RunStatus.RUNNING, now
    run.save(update_fields=["status", "started_at"])
    job = DisqusImport(run=run, now=now)
    try:
        with freshness.changed(), transaction.atomic():
            job.read(source, progress=progress)
            if dry_run:
                transaction.set_rollback(True)
    except (DisqusError, ValidationError, DatabaseError) as error:
        return _end_run(run=run, job=job, error=str(error))
    except Exception as error:
        # A fault, not a refusal: the run is marked failed all the same (else a command-line
        # run would say "running" for ever), its traceback logged, and the error raised
        # again, as the WordPress import does (services.run_import, import_wordpress's
        # command).
        logger.exception("The Disqus import %s failed", run.pk)
        _end_run(run=run, job=job, error=f"{type(error).__name__}: {error}")
        raise
    return _end_run(run=run, job=job, error="")


def _end_run(*, run: ImportRun, job: DisqusImport, error: str) -> ImportRun:
    """Keep how the import ended in its run (written after the import's transaction, so
    that a failure's reason survives the rollback). A failed run keeps its reason and no
    counts or problems, as services.save_report leaves a failed WordPress import: what they
    counted was rolled back, and the report must not show it as done."""
    run.status = RunStatus.FAILED if error else RunStatus.DONE
    run.error = error
    if not error:
        run.counts, run.problems = job.counts, job.problems
    if job.site is not None and not SourceSite.objects.filter(pk=job.site.pk).exists():
        job.site = None  # made by a run that wrote nothing
    run.site = job.site
    run.done = run.total = job.records
    run.finished_at = timezone.now()
    run.save()
    return run
