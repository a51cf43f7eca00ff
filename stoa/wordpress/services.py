"""Every change of state in the WordPress move: the import of a WXR file (the command, the
admin's background task and the tests call `import_wordpress`, or `run_import` for an
ImportRun), and what the Disqus import shares with it (the report, the mapping table).

The import is all or nothing: one transaction, rolled back on any failure (and for a dry
run, after it has done everything, so its report says what it would do). It is idempotent:
each object of the old site is remembered in the mapping table with a fingerprint of what
the export said, so the same file again changes nothing and a newer export updates only what
changed. Memory stays flat: the file is streamed, posts are written in batches of a bounded
size with their comments, and the only maps held are of authors and terms (small), and the
attachments' parents (three machine integers an attachment, for galleries that name no
pictures); posts, media and comments of earlier batches are looked up in the mapping table.

Two passes over the file: the first brings authors, terms and attachments, the second posts
and pages with their comments, whose bodies point at the media of the first (WordPress writes
an attachment after the post it was uploaded to). stoa.wordpress.reading makes them one stream
of events, with each post's comments sanitised, excerpted and fingerprinted ahead, and its
body converted ahead when it names none of the imported media; a large file is read by a
process of its own, beside the writing.

Where an import's time goes (py-spy of the importer at 100,000 comments under 5,000 posts,
SQLite, 2026-12-07, after the reader took over the bodies' sanitising; shares of the
importer's samples): the comments 33% (their INSERTs 13, one prepared statement run for every
row, discussion._insert_comments; their times prepared for the database 3.3; their mapping
rows 3.8; the records' rows 3.4); the posts 26% (publishing.import_posts 8.4: the sanitiser
of the bodies that name imported media 1.7, the rows and their links by hand-made INSERTs 4,
the summaries 1.1; their old addresses 9; the posts' fingerprints 1.2); building the two
tables' indexes at the end 7 (nine on comments, three on mappings: migrations
discussion 0012 and wordpress 0004 dropped four that repeated another); unpickling what the
reader sends 4.2; the commit 3.3; the attachments 2.8, the tags 4.1 (a constant: their
number does not grow with the file). Python's cyclic garbage collector is run less often
while an import works (reading.spaced_collections): at its default it took 1.5-1.8 s of
100,000 comments. On SQLite a large import builds the comment and mapping tables' secondary
indexes after their rows (_LaterIndexes): grown row by row in random order (an address, an
IP), they made the comments' INSERTs about five times slower than the bare table. The
indexes that begin with the comment's post are kept: dropping them as well measured the
same (callgrind, 10,000 comments). In the reading process, beside it (it waits for the
importer a third of the time): parsing the XML 59% (both passes), each comment's markup,
excerpt and fingerprint 30%, converting the bodies that name no imported media 4.5%
(measured before it sanitised them too), handing the records over 8%.
"""

from __future__ import annotations

import base64
import bisect
import contextlib
import datetime as dt
import hashlib
import html
import itertools
import logging
import re
import time
import uuid
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, TypeVar
from urllib.parse import unquote, urljoin, urlsplit

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify

from stoa.core import freshness
from stoa.core import services as core
from stoa.core.models import Redirect
from stoa.discussion import services as discussion
from stoa.discussion.models import Comment, CommentKind, CommentStatus
from stoa.members import services as members
from stoa.members.models import User
from stoa.publishing import services as publishing
from stoa.publishing.models import (
    Category,
    MediaItem,
    Page,
    PageStatus,
    Person,
    Post,
    PostStatus,
    PostVisibility,
    Tag,
)
from stoa.publishing.validators import reencode_person_photo
from stoa.wordpress import disqus, links, markup, reading, wxr
from stoa.wordpress.models import (
    COUNT_COLUMNS,
    ImportKind,
    ImportRun,
    Mapping,
    ObjectKind,
    RunStatus,
    SourceSite,
)

logger = logging.getLogger(__name__)

# The report keeps this many problem lines, then counts the rest.
MAX_PROBLEMS = 1000
# How often progress is told (seconds): a callback per record would cost more than the work.
PROGRESS_EVERY = 0.25
# Posts written together, with their comments: a batch ends at either number.
POST_BATCH = 200
COMMENT_BATCH = 5000
# Mapping look-ups per query (well under every database's limit on parameters).
LOOKUP_CHUNK = 500
# Old upload addresses remembered with their new ones (bodies name the same files often).
# A large import on SQLite builds the comment and mapping tables' secondary indexes after
# writing their rows (_LaterIndexes): from a batch of this many new comments, when the table
# holds no more comments than the file may bring (bytes per comment of a typical export:
# building an index again costs for every row there, writing it row by row only for the new).
LATER_INDEXES_FROM = 1000
EXPORT_BYTES_PER_COMMENT = 2000
UPLOAD_URLS_KEPT = 5000
# What markup.rewrite_uploads may take for an upload's path (a superset: it is narrower),
# and WordPress's resized copy of a file ("photo-300x200.jpg").
_UPLOAD_PATH = re.compile(
    r"/wp-content/uploads/([^\s\"'<>?#]+?\.[A-Za-z0-9]{2,5})(?=[\s\"'<>?#]|$)"
)
_SIZED = re.compile(r"-\d+x\d+(\.[A-Za-z0-9]+)$")

Progress = Callable[[int, int], None]
_Saved = TypeVar("_Saved")

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_UPLOADS = "/wp-content/uploads/"

# WordPress's comment_approved → Stoa's status. WordPress writes no spam into its exports,
# but other tools do; "post-trashed" is a comment of a post in the trash.
COMMENT_STATUS = {
    "1": CommentStatus.APPROVED,
    "approve": CommentStatus.APPROVED,
    "0": CommentStatus.PENDING,
    "hold": CommentStatus.PENDING,
    "spam": CommentStatus.SPAM,
    "trash": CommentStatus.TRASH,
    "post-trashed": CommentStatus.TRASH,
}
COMMENT_KINDS = {
    "comment": CommentKind.COMMENT,
    "pingback": CommentKind.PINGBACK,
    "trackback": CommentKind.TRACKBACK,
}
# WordPress's post_status → Stoa's. "future" is scheduled; a published post whose time is
# ahead is scheduled too (publishing.save_post decides).
POST_STATUS = {
    "publish": PostStatus.PUBLISHED,
    "future": PostStatus.SCHEDULED,
    "draft": PostStatus.DRAFT,
    "pending": PostStatus.PENDING,
    "private": PostStatus.PRIVATE,
}
# Never brought over: the trash, WordPress's own autosaves and revisions.
SKIPPED_STATUSES = frozenset({"trash", "auto-draft", "inherit"})


class ImportRefused(Exception):
    """The import cannot start or went wrong: the message says why; nothing was written."""


class _RolledBack(Exception):
    """A dry run is rolled back once it has done everything."""


# ------------------------------------------------------------------------------ report


@dataclass
class Report:
    """What an import did: counts per kind of object (created, updated, skipped, failed)
    and the problems met, one line each. Saved in the run (ImportRun.counts, .problems)."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    more_problems: int = 0

    def add(self, kind: str, column: str, n: int = 1) -> None:
        if n:
            row = self.counts.setdefault(kind, dict.fromkeys(COUNT_COLUMNS, 0))
            row[column] += n

    def problem(self, text: str, line: int | None = None) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.more_problems += 1
            return
        self.problems.append(f"line {line}: {text}" if line else text)

    def count(self, kind: str, column: str) -> int:
        return self.counts.get(kind, {}).get(column, 0)

    def problem_lines(self) -> list[str]:
        lines = list(self.problems)
        if self.more_problems:
            lines.append(f"… and {self.more_problems} more problems.")
        return lines


_digest = reading.digest

# Where something the report lists in one line was met: the first few places are named.
PLACES_NAMED = 5
# What the report tallies by name (shortcodes, other post types): the names kept, so that a
# file of made-up names does not grow the importer's memory; the rest counted together.
NAMES_TALLIED = 100


@dataclass
class _Places:
    """How often something was met, and its first places: all of them would grow with the
    file (a site's [sic] is in thousands of bodies)."""

    count: int = 0
    first: list[str] = field(default_factory=list)

    def add(self, place: str) -> None:
        self.count += 1
        if len(self.first) < PLACES_NAMED:
            self.first.append(place)

    def shown(self) -> str:
        more = self.count - len(self.first)
        return ", ".join(self.first) + (f" and {more} more" if more else "")


@dataclass
class _Tally:
    """_Places by name (a shortcode, a reason, a post type), for at most NAMES_TALLIED
    names; what the others were met is counted in `others`."""

    names: dict[str, _Places] = field(default_factory=dict)
    others: int = 0

    def add(self, name: str, place: str = "") -> None:
        places = self.names.get(name)
        if places is None:
            if len(self.names) >= NAMES_TALLIED:
                self.others += 1
                return
            places = self.names[name] = _Places()
        places.add(place)


def _plain(text: str) -> str:
    """A WordPress title (HTML, entities) as the plain text Stoa keeps."""
    return " ".join(html.unescape(strip_tags(text)).split())


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- the source


def _media_root(media_from: Path | str | None) -> Path | None:
    if media_from is None or str(media_from) == "":
        return None
    root = Path(media_from).expanduser().resolve()
    if not root.is_dir():
        raise ImportRefused(f"The media folder {media_from} is not a directory.")
    return root


# ---------------------------------------------------------------------------- importing


class _Importer:
    def __init__(
        self,
        *,
        run: ImportRun,
        report: Report,
        media_root: Path | None,
        dry_run: bool,
        progress: Progress | None,
        stored_files: list[str],
    ) -> None:
        self.run = run
        self.report = report
        self.media_root = media_root
        self.dry_run = dry_run
        self.progress = progress
        self.stored_files = stored_files
        self.site: SourceSite | None = None
        self.base_urls: list[str] = []
        # Small maps (authors and terms): items name them by login and slug.
        self.people: dict[str, int] = {}
        self.author_users: dict[int, int] = {}
        self.categories: dict[str, int] = {}
        self.tags: dict[str, int] = {}
        self.category_parents: list[tuple[int, str, str, int | None]] = []
        self.page_parents: list[tuple[int, int, str]] = []
        self.skipped_types = _Tally()
        self.fallback_person: int | None = None
        self.fallback_category: int | None = None
        # Old addresses waiting to be written (in batches), and what the old links of terms and
        # authors need once the permalink structure is known (guessed from the first post).
        # Featured images (_thumbnail_id) left off, by why: how many posts, the first named.
        self.images_left_off = _Tally()
        self.shortcodes = _Tally()
        self.pending_media: list[wxr.Item] = []
        # Attachments by parent (see _sort_attached): flat triples while the first pass reads.
        self.attached = array("q")
        self.attached_parents = array("q")
        self.attached_ids = array("q")
        self.pending: list[wxr.Item] = []
        self.pending_drawn: dict[int, tuple[reading.Drawn, ...]] = {}
        self.pending_bodies: dict[int, markup.Converted] = {}
        self.pending_comments = 0
        self.users: dict[int, User] = {}
        # Members (not authors) whose comments Stoa's export names (_stoa_member), by address:
        # only their ids (a comment's row needs no more).
        self.members: dict[str, User] = {}
        self.upload_urls: dict[str, str | None] = {}
        self.gallery_images: dict[int, markup.Image | None] = {}
        self.redirects: list[tuple[str, str]] = []
        self.old_site: links.OldSite | None = None
        self.structure: str | None = None
        self.offset = dt.timedelta(0)
        self.category_info: dict[str, tuple[int | None, str, int]] = {}
        self.category_paths: dict[str, str] | None = None
        self.tag_info: list[tuple[str, int]] = []
        self.author_info: list[tuple[str, int | None, int]] = []
        self._told = 0.0
        self.size = 0
        self.later_indexes: _LaterIndexes | None = None
        self.post_addresses: dict[str, tuple[str, ...]] = {}
        # New comments that could not keep their WordPress id (a comment here has it).
        self.renumbered = _Places()

    # ------------------------------------------------------------------ the passes

    def import_file(self, events: Iterable[reading.Event], size: int) -> None:
        """The file's records (reading.events: two passes, the first bringing authors,
        terms and attachments, the second posts and pages), each to its place."""
        total = 2 * size
        self.size = size
        for event in events:
            self._tell(event.done, total)
            record = event.record
            if event.stage == reading.FIRST:
                if isinstance(record, wxr.Site):
                    self._site(record)
                elif isinstance(record, wxr.Author):
                    self._author(record)
                elif isinstance(record, wxr.Category):
                    self._category(record)
                elif isinstance(record, wxr.Tag):
                    self._tag(record)
                elif isinstance(record, wxr.Term):
                    self.report.add(f"term ({record.taxonomy})", "skipped")
                elif isinstance(record, wxr.Item):
                    self._queue_attachment(record)
            elif event.stage == reading.BETWEEN:
                self._attachment_batch()
                self._sort_attached()
                self._place_categories()
                self.offset = record.offset or dt.timedelta(0)
                # The comments will ask for their WordPress ids (so that old #comment-<id>
                # anchors name them): one that cannot have its own is numbered past all of
                # the file's, never given an id a later one asks for.
                discussion.number_comments_past(pk=record.largest_comment_id)
            elif isinstance(record, wxr.Item):
                if record.post_type == "post":
                    self._queue_post(record, event.drawn, event.body)
                elif record.post_type == "page":
                    self._page(record)
                else:
                    self.skipped_types.add(record.post_type)
                    self.report.add("other item", "skipped")
        self._post_batch()
        self._place_pages()
        self._term_links()
        for name, places in sorted(self.shortcodes.names.items()):
            self.report.problem(
                f"The shortcode [{name}] is kept as text in {places.count} bodies "
                f"({places.shown()}): Stoa has nothing to draw it with."
            )
        if self.shortcodes.others:
            self.report.problem(
                f"Other shortcodes are kept as text {self.shortcodes.others} more times."
            )
        for why, places in sorted(self.images_left_off.names.items()):
            self.report.problem(
                f"{places.count} post(s) keep no featured image ({places.shown()}): {why}. The "
                "image is in the media library; an editor can choose it once it is there."
            )
        if self.renumbered.count:
            self.report.problem(
                f"{self.renumbered.count} comment(s) could not keep their WordPress ids "
                f"({self.renumbered.shown()}): comments of this site have them. An old link to "
                "one (…#comment-<id>) reaches it through /wordpress/comment/<id>/ when its "
                "post's page shows no comment of that id, and shows that other comment when "
                "it does."
            )
        for post_type, places in sorted(self.skipped_types.names.items()):
            self.report.problem(
                f"{places.count} item(s) of type “{post_type}” skipped: Stoa has nothing like them."
            )
        if self.skipped_types.others:
            self.report.problem(
                f"{self.skipped_types.others} more item(s) of other types skipped: Stoa has "
                "nothing like them."
            )
        self._flush_redirects()
        if self.later_indexes is not None and not self.dry_run:
            # A dry run's rollback brings them back as they were (SQLite's DDL is
            # transactional), like everything else it did.
            self.later_indexes.build()
        self._tell(total, total, force=True)

    def _tell(self, done: int, total: int, *, force: bool = False) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if force or now - self._told >= PROGRESS_EVERY:
            self._told = now
            self.progress(done, total)

    # ------------------------------------------------------------------ mapping

    def _mapping(self, kind: str, key: str | int) -> Mapping | None:
        assert self.site is not None  # noqa: S101 - the site is the first record
        return Mapping.objects.filter(site=self.site, kind=kind, source_key=str(key)).first()

    def _remember(
        self, kind: str, key: str | int, object_id: int, digest: str, found: Mapping | None
    ) -> None:
        assert self.site is not None  # noqa: S101 - the site is the first record
        if found is None:
            Mapping.objects.create(
                site=self.site,
                kind=kind,
                source_key=str(key)[:200],
                object_id=object_id,
                digest=digest,
                run=self.run,
            )
        elif (found.object_id, found.digest, found.run_id) != (object_id, digest, self.run.pk):
            found.object_id, found.digest, found.run = object_id, digest, self.run
            found.save(update_fields=["object_id", "digest", "run"])

    # ------------------------------------------------------------------ site

    def _site(self, site: wxr.Site) -> None:
        base = site.base_url
        if not base:
            raise ImportRefused("The export names no site address (wp:base_blog_url).")
        self.site, _ = SourceSite.objects.get_or_create(
            base_url=base, defaults={"title": site.title[:255]}
        )
        if self.site.title != site.title[:255]:
            self.site.title = site.title[:255]
            self.site.save(update_fields=["title"])
        self.run.site = self.site
        self.old_site = links.OldSite(base_url=base)
        self.base_urls = site.addresses

    # ------------------------------------------------------------------ authors

    def _author(self, author: wxr.Author) -> None:
        key = author.login or (str(author.id) if author.id is not None else "")
        if not key:
            self.report.add("author", "failed")
            self.report.problem("An author without a login is skipped.", author.line)
            return
        name = (
            author.display_name or f"{author.first_name} {author.last_name}".strip() or author.login
        )[:120]
        digest = _digest(
            author.login, author.email, name, author.first_name, author.last_name,
            # Stoa's export adds the biography and the photo; WordPress's files keep the
            # digest they had.
            *(() if author.bio is None else (author.bio,)),
            *((author.photo,) if author.photo else ()),
        )  # fmt: skip
        found = self._mapping(ObjectKind.AUTHOR, key)
        person = Person.objects.filter(pk=found.object_id).first() if found else None
        if person is not None and found is not None:
            if found.digest == digest:
                self.report.add("author", "skipped")
            else:
                person.name = name
                if author.bio is not None:
                    person.bio = author.bio
                self._save(publishing.save_person, person=person, what=f"Author “{key}”")
                self._photo(person, author, key)
                self.report.add("author", "updated")
        else:
            person = self._new_person(author, name)
            self._photo(person, author, key)
            self.report.add("author", "created")
        self._remember(ObjectKind.AUTHOR, key, person.pk, digest, found)
        self.people[key] = person.pk
        self.author_info.append((author.login, author.id, person.pk))
        if author.id is not None and person.user_id is not None:
            self.author_users[author.id] = person.user_id

    def _photo(self, person: Person, author: wxr.Author, key: str) -> None:
        """The photo Stoa's export gave the author, through the image pipeline as an upload
        in the admin (publishing.set_person_photo); a file without one leaves the photo an
        editor chose here. A refused one is reported and the author kept without it. A dry
        run stores no file: it only checks the picture."""
        if not author.photo:
            return
        what = f"Author “{key}”: the photo"
        try:
            data = base64.b64decode(author.photo, validate=True)
        except ValueError:
            self.report.problem(
                f"{what} is not base64; the author is kept without it.", author.line
            )
            return
        # The stored file is named after what the file gave (the pipeline re-encodes it): an
        # import that gives the same again (an author's other field changed) stores nothing.
        given = hashlib.blake2b(data, digest_size=6).hexdigest()
        if person.photo and given in person.photo.name:
            return
        try:
            if self.dry_run:
                reencode_person_photo(data, name=key)
            else:
                name = f"{slugify(key) or 'photo'}-{given}"
                publishing.set_person_photo(person=person, data=data, name=name)
                self.stored_files.append(person.photo.name)
        except ValidationError as error:
            self.report.problem(
                f"{what} is not taken ({_message(error)}); the author is kept without it.",
                author.line,
            )

    def _new_person(self, author: wxr.Author, name: str) -> Person:
        """A person for the author, with an account that has no usable password: its owner
        claims it by resetting the password (allauth finds it by the address). An account
        with the same address already here is theirs and is used."""
        email = author.email.strip()
        user = User.objects.filter(email__iexact=email).first() if email else None
        if user is None:
            user = self._save(
                members.create_claimable_account,
                username=_free_username(author.login or name),
                email=email,
                first_name=author.first_name,
                last_name=author.last_name,
                display_name=name,
                what=f"Author “{author.login or name}”",
            )
        person = Person.objects.filter(user=user).first()
        if person is None:
            slug = slugify(author.login)
            if not slug or Person.objects.filter(slug=slug).exists():
                slug = publishing.unique_slug(Person, author.login or name)
            person = publishing.create_person(name=name, slug=slug, user=user, bio=author.bio or "")
        elif author.bio is not None and person.bio != author.bio:
            # The account's person here already: Stoa's export says what their biography is.
            person.bio = author.bio
            self._save(publishing.save_person, person=person, what=f"Author “{author.login}”")
        return person

    def _person_for(self, login: str, line: int | None) -> int:
        if login in self.people:
            return self.people[login]
        found = self._mapping(ObjectKind.AUTHOR, login) if login else None
        if found is not None and Person.objects.filter(pk=found.object_id).exists():
            self.people[login] = found.object_id
            return found.object_id
        if login:
            # WXR 1.0 lists no authors: the login the item names is all there is.
            person = self._new_person(wxr.Author(None, login, "", login, "", ""), login[:120])
            self._remember(ObjectKind.AUTHOR, login, person.pk, "", None)
            self.people[login] = person.pk
            self.report.add("author", "created")
            return person.pk
        if self.fallback_person is None:
            assert self.site is not None  # noqa: S101
            name = (self.site.title or "WordPress")[:120]
            person = Person.objects.filter(name=name).first() or publishing.create_person(name=name)
            self.fallback_person = person.pk
            self.report.problem(f"Items without an author are credited to “{name}”.", line)
        return self.fallback_person

    # ------------------------------------------------------------------ terms

    @staticmethod
    def _save(service: Callable[..., _Saved], *, what: str, **values: Any) -> _Saved:
        """A service of the app that owns the object, its refusal the import's, naming what
        was being written."""
        try:
            return service(**values)
        except ValidationError as error:
            raise ImportRefused(f"{what} cannot be saved: {_message(error)}") from error

    def _slug(
        self,
        model: type[Category] | type[Tag] | type[Post],
        wanted: str,
        fallback: str,
        *,
        exclude_pk: int | None = None,
        default: str = "",
        what: str,
        line: int | None,
    ) -> str:
        """The old slug kept exactly when Stoa can hold it and nothing else has it; else a
        new one (a suffix, or one made from the name), reported: the old address is
        redirected to the new one."""
        decoded = unquote(wanted).strip()
        limit = model._meta.get_field("slug").max_length or 100
        if decoded and _SLUG.match(decoded) and len(decoded) <= limit:
            others = model._default_manager.filter(slug=decoded)
            taken = (others.exclude(pk=exclude_pk) if exclude_pk else others).exists()
            if not taken:
                return decoded
            slug = publishing.unique_slug(model, decoded, exclude_pk=exclude_pk)
            self.report.problem(
                f"{what}: the slug “{decoded}” is taken here; it is “{slug}”.", line
            )
            return slug
        # A name of no Latin letters slugifies to nothing: the kind and its old id then.
        text = fallback if slugify(fallback) else default
        slug = publishing.unique_slug(model, text or model.__name__.lower(), exclude_pk=exclude_pk)
        if decoded:
            self.report.problem(
                f"{what}: the slug “{decoded}” cannot be an address here; it is “{slug}”.", line
            )
        return slug

    def _category(self, record: wxr.Category) -> None:
        key = record.slug or str(record.term_id or "")
        if not key:
            self.report.add("category", "failed")
            self.report.problem("A category without a slug is skipped.", record.line)
            return
        name = _cut(_plain(record.name) or key, 100)
        digest = _digest(record.slug, name, record.parent, record.description)
        found = self._mapping(ObjectKind.CATEGORY, key)
        category = Category.objects.filter(pk=found.object_id).first() if found else None
        if category is not None and found is not None:
            if found.digest == digest:
                self.report.add("category", "skipped")
            else:
                category.name, category.description = name, record.description
                self._save(publishing.save_category, category=category, what=f"Category “{name}”")
                self.report.add("category", "updated")
        else:
            slug = self._slug(
                Category,
                record.slug,
                name,
                default=f"category-{record.term_id or ''}",
                what=f"Category “{name}”",
                line=record.line,
            )
            category = publishing.create_category(
                name=name, slug=slug, description=record.description
            )
            self.report.add("category", "created")
        self._remember(ObjectKind.CATEGORY, key, category.pk, digest, found)
        self.categories[key] = category.pk
        self.category_parents.append((category.pk, record.parent, name, record.line))
        self.category_info[record.slug] = (record.term_id, record.parent, category.pk)
        self.category_paths = None

    def _place_categories(self) -> None:
        """Parents once every category is known (an export may name a child first)."""
        for pk, parent_slug, name, line in self.category_parents:
            parent = self.categories.get(parent_slug) if parent_slug else None
            if parent_slug and parent is None:
                self.report.problem(
                    f"Category “{name}”: its parent “{parent_slug}” is not in the file; "
                    "it is at the top level.",
                    line,
                )
            if parent == pk:
                parent = None
            category = Category.objects.get(pk=pk)
            if category.parent_id != parent:
                category.parent_id = parent
                self._save(publishing.save_category, category=category, what=f"Category “{name}”")
        self.category_parents = []

    def _tag(self, record: wxr.Tag) -> None:
        key = record.slug or record.name
        if not key:
            self.report.add("tag", "failed")
            return
        name = _cut(" ".join(_plain(record.name).split()) or key, 100)
        digest = _digest(record.slug, name, record.description)
        found = self._mapping(ObjectKind.TAG, key)
        tag = Tag.objects.filter(pk=found.object_id).first() if found else None
        if tag is not None and found is not None:
            if found.digest == digest or Tag.objects.filter(name=name).exclude(pk=tag.pk).exists():
                self.report.add("tag", "skipped")
            else:
                tag.name = name
                self._save(publishing.save_tag, tag=tag, what=f"Tag “{name}”")
                self.report.add("tag", "updated")
        else:
            tag = Tag.objects.filter(name__iexact=name).first()
            if tag is None:
                slug = self._slug(
                    Tag,
                    record.slug,
                    name,
                    default=f"tag-{record.term_id or ''}",
                    what=f"Tag “{name}”",
                    line=record.line,
                )
                tag = self._save(publishing.create_tag, name=name, slug=slug, what=f"Tag “{name}”")
                self.report.add("tag", "created")
            else:
                self.report.add("tag", "skipped")
        self._remember(ObjectKind.TAG, key, tag.pk, digest, found)
        self.tags[key] = tag.pk
        if record.slug:
            self.tag_info.append((record.slug, tag.pk))

    def _term_ids(self, item: wxr.Item, domain: str) -> list[int]:
        known = self.categories if domain == "category" else self.tags
        ids = []
        for term in item.terms_of(domain):
            pk = known.get(term.slug)
            if pk is None:
                # Named by the item only (not in the channel's lists): made here.
                if domain == "category":
                    self._category(wxr.Category(None, term.slug, "", term.name, "", item.line))
                    self._place_categories()
                else:
                    self._tag(wxr.Tag(None, term.slug, term.name, "", item.line))
                pk = known.get(term.slug)
            if pk is not None and pk not in ids:
                ids.append(pk)
        return ids

    def _default_category(self) -> int:
        if self.fallback_category is None:
            category = Category.objects.filter(slug="uncategorized").first()
            if category is None:
                category = publishing.create_category(name="Uncategorized", slug="uncategorized")
            self.fallback_category = category.pk
        return self.fallback_category

    # ------------------------------------------------------------------ media

    def _queue_attachment(self, item: wxr.Item) -> None:
        if item.parent:
            self.attached.extend((item.parent, item.menu_order, item.id))
        self.pending_media.append(item)
        if len(self.pending_media) >= POST_BATCH:
            self._attachment_batch()

    def _sort_attached(self) -> None:
        """The attachments' (parent, menu order, id), sorted: a post's are then found by
        bisection. Three machine integers an attachment (arrays, not tuples): the only map
        that grows with the file, by its attachments, by a few megabytes at most."""
        rows = self.attached
        order = sorted(
            range(len(rows) // 3), key=lambda k: (rows[3 * k], rows[3 * k + 1], rows[3 * k + 2])
        )
        self.attached_parents = array("q", (rows[3 * k] for k in order))
        # By menu order, then id (WordPress's gallery order), within a parent.
        self.attached_ids = array("q", (rows[3 * k + 2] for k in order))
        self.attached = array("q")

    def _attached_images(self, post_id: int) -> list[tuple[int, markup.Image]]:
        """The pictures attached to a post (its uploads: an attachment's parent), for a
        [gallery] that names none, in WordPress's order."""
        start = bisect.bisect_left(self.attached_parents, post_id)
        end = bisect.bisect_right(self.attached_parents, post_id)
        ids = list(self.attached_ids[start:end])
        media = self._attachment_media(ids)
        return [
            (i, markup.Image(item.url, item.alt_text, item.caption))
            for i in ids
            if (item := media.get(i)) is not None and item.is_image
        ]

    def _attachment_media(self, ids: Iterable[int]) -> dict[int, MediaItem]:
        """The media items these attachments (by WordPress id) became, by that id: two
        queries a chunk (the mapping rows, then the items). The attachments were all written
        in the first pass; one not in the file, or whose item is gone, is left out."""
        wanted = sorted(set(ids))
        found: dict[int, MediaItem] = {}
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[start : start + LOOKUP_CHUNK]
            mapped = dict(
                Mapping.objects.filter(
                    site=self.site,
                    kind=ObjectKind.ATTACHMENT,
                    source_key__in=[str(i) for i in chunk],
                ).values_list("source_key", "object_id")
            )
            media = MediaItem.objects.in_bulk(mapped.values())
            found.update((int(key), media[pk]) for key, pk in mapped.items() if pk in media)
        return found

    def _attachment_batch(self) -> None:
        """Attachments in batches: those that keep their old address (no file to copy)
        written at once (publishing.import_media_items), the others one by one."""
        items, self.pending_media = self.pending_media, []
        if not items:
            return
        found = {
            m.source_key: m
            for m in Mapping.objects.filter(
                site=self.site,
                kind=ObjectKind.ATTACHMENT,
                source_key__in=[str(i.id) for i in items],
            )
        }
        media_by_pk = MediaItem.objects.in_bulk([m.object_id for m in found.values()])
        seen: set[int] = set()
        unchanged: list[int] = []
        done: list[tuple[wxr.Item, MediaItem, str, str]] = []
        new: list[tuple[wxr.Item, publishing.ImportedMedia, str, str, str]] = []
        for item in items:
            mapping = found.get(str(item.id))
            if item.id in seen or (mapping is not None and mapping.run_id == self.run.pk):
                self._repeated("attachment", item)
                continue
            seen.add(item.id)
            address = self._absolute(item.attachment_url or item.guid)
            path = item.attached_file or _uploads_path(address)
            title = _cut(_plain(item.title) or PurePosixPath(path).stem or "Untitled", 255)
            digest = _digest(
                title, address, path, item.alt_text, item.excerpt, item.date, *_stoa_part(item)
            )
            media = media_by_pk.get(mapping.object_id) if mapping is not None else None
            if (
                media is not None
                and mapping is not None
                and mapping.digest == digest
                and (media.file or self.media_root is None)
            ):
                self.report.add("attachment", "skipped")
                unchanged.append(mapping.pk)
                done.append((item, media, path, address))
            elif media is not None or (self.media_root is not None and not self.dry_run):
                stored = self._store_media(item, media, title, address, path)
                if stored is not None:
                    self._remember(ObjectKind.ATTACHMENT, item.id, stored.pk, digest, mapping)
                    done.append((item, stored, path, address))
            elif not address:
                self.report.add("attachment", "failed")
                self.report.problem(
                    f"Attachment {item.id} “{title}” has no address and no file.", item.line
                )
            else:
                if mapping is not None:  # its item was deleted here since: made again
                    mapping.delete()
                imported = publishing.ImportedMedia(
                    title=title,
                    source_url=address,
                    alt_text=item.alt_text,
                    caption=_plain(item.excerpt),
                    created_at=item.date,
                    credit=item.stoa.credit if item.stoa is not None else "",
                )
                new.append((item, imported, digest, path, address))
        if unchanged:
            Mapping.objects.filter(pk__in=unchanged).update(run=self.run)
        if new:
            written = publishing.import_media_items(rows=[row for _, row, _, _, _ in new])
            self.report.add("attachment", "created", len(written))
            self._insert_mappings(
                [
                    (ObjectKind.ATTACHMENT, str(item.id), media.pk, digest)
                    for (item, _, digest, _, _), media in zip(new, written, strict=True)
                ]
            )
            done.extend(
                (item, media, path, address)
                for (item, _, _, path, address), media in zip(new, written, strict=True)
            )
        # Bodies name the file, not the attachment: its path is a key too (upserts).
        paths = {path: media.pk for _, media, path, _ in done if path}
        Mapping.objects.bulk_create(
            [
                Mapping(
                    site=self.site,
                    kind=ObjectKind.ATTACHMENT,
                    source_key=f"path:{path}"[:200],
                    object_id=pk,
                    run=self.run,
                )
                for path, pk in paths.items()
            ],
            update_conflicts=True,
            unique_fields=["site", "kind", "source_key"],
            update_fields=["object_id", "run"],
        )
        for item, media, _, address in done:
            if media.file and self.old_site is not None:
                # The old file addresses and the attachment's page lead to the file; without
                # the file, its old address is where it still is: nothing to redirect.
                for old in links.attachment_paths(
                    self.old_site, attachment_id=item.id, link=item.link
                ):
                    self._redirect(old, media.url)
                if old_file := links.upload_path(self.old_site, address):
                    self._redirect(old_file, media.url)

    def _store_media(
        self, item: wxr.Item, media: MediaItem | None, title: str, address: str, path: str
    ) -> MediaItem | None:
        file_path = self._media_file(path, item.line)
        kwargs: dict[str, Any] = {
            "title": title,
            "alt_text": item.alt_text,
            "caption": _plain(item.excerpt),
            "source_url": address,
            "created_at": item.date,
            # WordPress never required a picture's alternative text: an import takes the
            # picture without one (a featured image still needs it, issue 15).
            "alt_required": False,
        }
        if item.stoa is not None:
            kwargs["credit"] = item.stoa.credit
        try:
            if file_path is not None and not self.dry_run:
                with file_path.open("rb") as handle:
                    upload = File(handle, name=file_path.name)
                    if media is None:
                        media = publishing.create_media_item(
                            file=upload, file_name=file_path.name, **kwargs
                        )
                        self.report.add("attachment", "created")
                    else:
                        before = media.file.name
                        media = publishing.update_media_item(
                            item=media, file=upload, file_name=file_path.name, **kwargs
                        )
                        self.report.add("attachment", "updated")
                        if media.file.name == before:
                            return media
                if media.file:
                    self.stored_files.append(media.file.name)
                return media
            if media is None:
                media = publishing.create_media_item(**kwargs)
                self.report.add("attachment", "created")
            else:
                media = publishing.update_media_item(item=media, **kwargs)
                self.report.add("attachment", "updated")
            return media
        except ValidationError as error:
            self.report.add("attachment", "failed")
            self.report.problem(
                f"Attachment {item.id} “{title}” is not brought over: {_message(error)}",
                item.line,
            )
            return None

    def _media_file(self, path: str, line: int | None) -> Path | None:
        """The file under --media-from for an uploads path; never outside that folder."""
        if self.media_root is None or not path:
            return None
        candidate = (self.media_root / path.lstrip("/")).resolve()
        if not candidate.is_relative_to(self.media_root):
            self.report.problem(
                f"The file “{path}” would be outside the media folder: refused.", line
            )
            return None
        if not candidate.is_file():
            self.report.problem(f"The file “{path}” is not in the media folder.", line)
            return None
        return candidate

    def _absolute(self, url: str) -> str:
        url = url.strip()
        if not url:
            return ""
        base = self.base_urls[-1] if self.base_urls else ""
        return urljoin(f"{base}/", url) if base else url

    def _images_by_id(self, ids: Iterable[int]) -> dict[int, markup.Image]:
        ids = list(ids)
        if all(i in self.gallery_images for i in ids):  # looked up with the batch's
            return {i: image for i in ids if (image := self.gallery_images[i]) is not None}
        return {
            i: markup.Image(item.url, item.alt_text, item.caption)
            for i, item in self._attachment_media(ids).items()
        }

    def _known_galleries(self, bodies: Iterable[str]) -> None:
        """The images every [gallery ids="..."] of these bodies names, found in two queries a
        chunk for the whole batch (one gallery in ten posts of a magazine; two queries each
        otherwise) and kept for it alone."""
        self.gallery_images = {}
        ids: set[int] = set()
        for body in bodies:
            for match in markup.GALLERY.finditer(body):
                ids.update(markup.gallery_ids(markup.shortcode_attributes(match.group(1))))
        media = self._attachment_media(ids)
        for i in ids:
            item = media.get(i)
            self.gallery_images[i] = (
                markup.Image(item.url, item.alt_text, item.caption) if item is not None else None
            )

    def _known_uploads(self, bodies: Iterable[str]) -> None:
        """The new addresses of every old upload these bodies may name (with and without
        WordPress's "-300x200" size), found in two queries and remembered, so that
        converting a batch of bodies asks _upload_url nothing new."""
        keys: set[str] = set()
        for body in bodies:
            if _UPLOADS not in body:
                continue
            for path in _UPLOAD_PATH.findall(body):
                original = _SIZED.sub(r"\1", path)
                keys.add(f"path:{unquote(path)}"[:200])
                keys.add(f"path:{unquote(original)}"[:200])
        keys -= self.upload_urls.keys()
        if not keys:
            return
        if len(self.upload_urls) + len(keys) > UPLOAD_URLS_KEPT:
            self.upload_urls.clear()
        wanted = sorted(keys)
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[start : start + LOOKUP_CHUNK]
            mapped = dict(
                Mapping.objects.filter(
                    site=self.site, kind=ObjectKind.ATTACHMENT, source_key__in=chunk
                ).values_list("source_key", "object_id")
            )
            media = MediaItem.objects.in_bulk(mapped.values())
            for key in chunk:
                item = media.get(mapped[key]) if key in mapped else None
                self.upload_urls[key] = item.url if item is not None else None

    def _upload_url(self, path: str) -> str | None:
        """The new address of an old upload, by its path: two indexed look-ups (the mapping's
        key, then the item), remembered for the next body that names the file (bounded: the
        memory stays flat however many files the site has)."""
        key = f"path:{unquote(path)}"[:200]
        if key in self.upload_urls:
            return self.upload_urls[key]
        object_id = (
            Mapping.objects.filter(site=self.site, kind=ObjectKind.ATTACHMENT, source_key=key)
            .values_list("object_id", flat=True)
            .first()
        )
        media = MediaItem.objects.filter(pk=object_id).first() if object_id is not None else None
        if len(self.upload_urls) >= UPLOAD_URLS_KEPT:
            self.upload_urls.clear()
        found = self.upload_urls[key] = media.url if media is not None else None
        return found

    def _body(self, item: wxr.Item, what: str, drawn: markup.Converted | None = None) -> str:
        """The body as WordPress shows it: `drawn` by the reader when it needs none of the
        imported media, else converted here with them."""
        converted = drawn or markup.convert(
            item.content,
            images_by_id=self._images_by_id,
            attached_images=lambda: self._attached_images(item.id),
            upload_url=self._upload_url,
            base_urls=self.base_urls,
        )
        for name in converted.unknown_shortcodes:
            # One line per shortcode, not per body (a site's [sic] is in thousands of posts).
            self.shortcodes.add(name, f"line {item.line}" if item.line else what)
        for missing in converted.missing_media:
            self.report.problem(f"{what}: {missing}: not among the imported media.", item.line)
        return converted.html

    # ------------------------------------------------------------------ posts

    def _repeated(self, kind: str, item: wxr.Item) -> None:
        self.report.add(kind, "skipped")
        self.report.problem(
            f"The id {item.id} is given twice in the file; “{_cut(_plain(item.title), 80)}” "
            "is skipped.",
            item.line,
        )

    def _queue_post(
        self,
        item: wxr.Item,
        drawn: tuple[reading.Drawn, ...] | None,
        body: markup.Converted | None = None,
    ) -> None:
        """Posts are written in batches, with their comments (bounded: memory stays flat)
        and what the reader drew of them (their comments; their body, when it needs none
        of the imported media)."""
        self.pending.append(item)
        if drawn is not None:
            self.pending_drawn[id(item)] = drawn
        if body is not None:
            self.pending_bodies[id(item)] = body
        self.pending_comments += len(item.comments)
        if len(self.pending) >= POST_BATCH or self.pending_comments >= COMMENT_BATCH:
            self._post_batch()

    def _post_batch(self) -> None:
        items, self.pending, self.pending_comments = self.pending, [], 0
        drawn, self.pending_drawn = self.pending_drawn, {}
        bodies, self.pending_bodies = self.pending_bodies, {}
        if not items:
            return
        assert self.site is not None  # noqa: S101
        found = {
            m.source_key: m
            for m in Mapping.objects.filter(
                site=self.site, kind=ObjectKind.POST, source_key__in=[str(i.id) for i in items]
            )
        }
        posts = Post.objects.in_bulk([m.object_id for m in found.values()])
        seen: set[int] = set()
        done: list[tuple[wxr.Item, Post]] = []
        unchanged: list[int] = []
        new: list[tuple[wxr.Item, publishing.ImportedPost, str, Mapping | None]] = []
        # Bodies the reader converted name no media: not searched for any.
        to_convert = [item.content for item in items if id(item) not in bodies]
        self._known_galleries(to_convert)
        # The galleries' images are drawn by their addresses here, which are the old upload
        # addresses when no file was copied (no --media-from): rewrite_uploads meets them
        # too, and would look each up alone (a fifth of the posts of the bench's export).
        galleries = (image.url for image in self.gallery_images.values() if image is not None)
        self._known_uploads(itertools.chain(to_convert, galleries))
        # The batch's wanted slugs that other posts have already: one query, not one a post.
        wanted_slugs = {unquote(item.slug).strip() for item in items} - {""}
        used_slugs = set(
            Post.objects.filter(slug__in=sorted(wanted_slugs)).values_list("slug", flat=True)
        )
        images = self._featured_images(items)
        for item in items:
            mapping = found.get(str(item.id))
            if item.id in seen or (mapping is not None and mapping.run_id == self.run.pk):
                self._repeated("post", item)
                continue
            seen.add(item.id)
            if item.status in SKIPPED_STATUSES or item.status not in POST_STATUS:
                self.report.add("post", "skipped")
                if item.status not in SKIPPED_STATUSES:
                    self.report.problem(
                        f"Post {item.id}: the status “{item.status}” is unknown; skipped.",
                        item.line,
                    )
                if item.comments:
                    self.report.add("comment", "skipped", len(item.comments))
                continue
            title_text = _plain(item.title) or "(no title)"
            title = _cut(title_text, 200)
            what = f"Post {item.id} “{_cut(title_text, 60)}”"
            if len(title_text) > 200:
                self.report.problem(f"{what}: the title is cut to 200 characters.", item.line)
            digest = _digest(
                title, item.content, item.excerpt, item.date, item.modified, item.slug,
                item.status, item.password != "", item.is_sticky, item.comment_status,
                item.creator, item.terms, *_stoa_part(item), *_thumbnail_part(item),
            )  # fmt: skip
            post = posts.get(mapping.object_id) if mapping is not None else None
            if post is not None and mapping is not None and mapping.digest == digest:
                self.report.add("post", "skipped")
                unchanged.append(mapping.pk)
                done.append((item, post))
            elif post is not None:
                image = self._featured_image(item, what, images)
                post = self._save_post(item, post, title, what, bodies.get(id(item)), image)
                used_slugs.add(post.slug)  # taken now, for the new posts of this batch
                self._remember(ObjectKind.POST, item.id, post.pk, digest, mapping)
                done.append((item, post))
            else:
                slug = self._new_post_slug(item, title, what, used_slugs)
                image = self._featured_image(item, what, images)
                row = self._imported_post(item, title, slug, what, bodies.get(id(item)), image)
                new.append((item, row, digest, mapping))
        if unchanged:
            Mapping.objects.filter(pk__in=unchanged).update(run=self.run)
        if new:
            try:
                written = publishing.import_posts(rows=[row for _, row, _, _ in new])
            except ValidationError as error:
                raise ImportRefused(f"Posts cannot be saved: {_message(error)}") from error
            fresh = []
            for (item, _, digest, mapping), post in zip(new, written, strict=True):
                if mapping is None:
                    fresh.append(
                        Mapping(
                            site=self.site,
                            kind=ObjectKind.POST,
                            source_key=str(item.id),
                            object_id=post.pk,
                            digest=digest,
                            run=self.run,
                        )
                    )
                else:  # its post was deleted here since: made again
                    self._remember(ObjectKind.POST, item.id, post.pk, digest, mapping)
                done.append((item, post))
            Mapping.objects.bulk_create(fresh, batch_size=discussion.IMPORT_BATCH)
            self.report.add("post", "created", len(written))
        self._comment_batch(done, drawn)
        for item, post in done:
            self._post_links(item, post)

    def _new_post_slug(self, item: wxr.Item, title: str, what: str, used: set[str]) -> str:
        """The old slug kept exactly when free (`used`: the batch's wanted slugs that posts
        here have, and the slugs the batch took); else a free one."""
        wanted = unquote(item.slug).strip()
        if wanted and _SLUG.match(wanted) and len(wanted) <= 200 and wanted not in used:
            used.add(wanted)
            return wanted
        base = (wanted if wanted and _SLUG.match(wanted) else slugify(title))[:190]
        base = base or f"post-{item.id}"
        taken = used | set(
            Post.objects.filter(slug__startswith=base).values_list("slug", flat=True)
        )
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        if wanted:
            self.report.problem(f"{what}: the slug “{wanted}” is taken or cannot be an address "
                                f"here; it is “{slug}”.", item.line)  # fmt: skip
        return slug

    def _post_state(self, item: wxr.Item, what: str) -> tuple[str, dt.datetime | None, str]:
        """(status, publish time, visibility) of a post, as WordPress had it."""
        status = POST_STATUS[item.status]
        visibility = PostVisibility.PUBLIC
        if item.password:
            visibility = PostVisibility.MEMBERS
            self.report.problem(
                f"{what} had a password on the old site; it is for members only here.",
                item.line,
            )
        if item.stoa is not None:
            status, visibility = self._stoa_state(item, what, status, visibility)
        published_at = item.date if status not in (PostStatus.DRAFT, PostStatus.PENDING) else None
        if status == PostStatus.SCHEDULED and item.date is None:
            status = PostStatus.DRAFT
        return status, published_at, visibility

    def _stoa_state(
        self, item: wxr.Item, what: str, status: PostStatus, visibility: PostVisibility
    ) -> tuple[PostStatus, PostVisibility]:
        """Stoa's export says what WordPress's status cannot: a members-only post leaves as
        "private" with _stoa_visibility = members and _stoa_status = its own status."""
        assert item.stoa is not None  # noqa: S101 - asked for Stoa's files only
        if item.stoa.visibility:
            if item.stoa.visibility in PostVisibility.values:
                visibility = PostVisibility(item.stoa.visibility)
            else:
                self.report.problem(
                    f"{what}: the visibility “{item.stoa.visibility}” is unknown; it is "
                    f"{visibility.label.lower()}.",
                    item.line,
                )
        if item.stoa.status:
            if item.stoa.status in PostStatus.values:
                status = PostStatus(item.stoa.status)
            else:
                self.report.problem(
                    f"{what}: the status “{item.stoa.status}” is unknown; it is "
                    f"{status.label.lower()}.",
                    item.line,
                )
        return status, visibility

    def _authors(self, item: wxr.Item) -> list[int]:
        """The post's people in the export's order: every author Stoa's export lists
        (_stoa_authors), else the one WordPress names (dc:creator)."""
        logins = item.stoa.authors if item.stoa is not None and item.stoa.authors else ()
        if not logins:
            return [self._person_for(item.creator, item.line)]
        return list(dict.fromkeys(self._person_for(login, item.line) for login in logins))

    def _featured_images(self, items: list[wxr.Item]) -> dict[int, MediaItem]:
        """The media items the batch's featured images (_thumbnail_id) became, by their
        attachment's id (the attachments were all written in the first pass)."""
        return self._attachment_media(item.thumbnail_id for item in items if item.thumbnail_id)

    def _featured_image(
        self, item: wxr.Item, what: str, images: dict[int, MediaItem]
    ) -> MediaItem | None:
        """The post's featured image, as WordPress's importer keeps it (it remaps
        _thumbnail_id to the attachment it made), when it can be one here: a stored picture
        with its alternative text (publishing.check_featured_image: it stands for the post
        in listings, link previews and feeds). Else None, and the report says why."""
        if not item.thumbnail_id:
            return None
        image = images.get(item.thumbnail_id)
        if image is None:
            why = "its attachment is not in the file"
        elif not image.file:
            why = "its file was not brought (import with --media-from the old uploads folder)"
        elif not image.is_image:
            why = "its attachment is not a picture"
        elif not image.alt_text:
            why = "its picture has no alternative text, which a featured image needs"
        else:
            return image
        self.images_left_off.add(why, what)
        return None

    def _imported_post(
        self,
        item: wxr.Item,
        title: str,
        slug: str,
        what: str,
        drawn: markup.Converted | None,
        image: MediaItem | None,
    ) -> publishing.ImportedPost:
        status, published_at, visibility = self._post_state(item, what)
        return publishing.ImportedPost(
            title=title,
            slug=slug,
            body=self._body(item, what, drawn),
            sanitised_body=drawn.sanitised if drawn is not None else None,
            excerpt=_plain(item.excerpt),
            authors=self._authors(item),
            categories=self._term_ids(item, "category") or [self._default_category()],
            tags=self._term_ids(item, "post_tag"),
            status=status,
            published_at=published_at,
            created_at=item.date,
            updated_at=item.modified or item.date,
            is_sticky=item.is_sticky,
            comments_open=item.comment_status != "closed",
            visibility=visibility,
            dek=item.stoa.dek if item.stoa is not None else "",
            is_featured=item.stoa.featured if item.stoa is not None else False,
            listed=item.stoa.listed if item.stoa is not None else True,
            featured_image=image,
        )

    def _save_post(
        self,
        item: wxr.Item,
        post: Post,
        title: str,
        what: str,
        drawn: markup.Converted | None,
        image: MediaItem | None,
    ) -> Post:
        """A post imported before, changed in the newer export: saved through the service."""
        status, published_at, visibility = self._post_state(item, what)
        post.title = title
        post.slug = self._slug(
            Post,
            item.slug,
            title,
            exclude_pk=post.pk,
            default=f"post-{item.id}",
            what=what,
            line=item.line,
        )
        post.body = self._body(item, what, drawn)
        post.excerpt = _plain(item.excerpt)
        post.status = status
        post.published_at = published_at
        post.is_sticky = item.is_sticky
        post.comments_open = item.comment_status != "closed"
        post.visibility = visibility
        if item.stoa is not None:
            # Only Stoa's export says these; WordPress's leaves what an editor set here.
            post.dek = _cut(item.stoa.dek, 300)
            post.is_featured = item.stoa.featured
            post.listed = item.stoa.listed
        if image is not None:
            # A file without one leaves the picture an editor may have chosen here.
            post.featured_image = image
        try:
            publishing.save_post(post=post)
        except ValidationError as error:
            raise ImportRefused(f"{what} cannot be saved: {_message(error)}") from error
        # The authors in the export's order (the byline's).
        self._save(
            publishing.set_post_relations,
            post=post,
            authors=self._authors(item),
            categories=self._term_ids(item, "category") or [self._default_category()],
            tags=self._term_ids(item, "post_tag"),
            what=what,
        )
        # The old site's dates, not the import's (update(): no auto_now, no signal).
        Post.objects.filter(pk=post.pk).update(
            created_at=item.date or timezone.now(),
            updated_at=item.modified or item.date or timezone.now(),
        )
        self.report.add("post", "updated")
        return post

    # ------------------------------------------------------------------ comments

    def _user(self, wp_user_id: int) -> User | None:
        user_id = self.author_users.get(wp_user_id) if wp_user_id else None
        if user_id is None:
            return None
        if user_id not in self.users:
            self.users[user_id] = User.objects.get(pk=user_id)
        return self.users[user_id]

    def _member(self, comment: wxr.Comment) -> User | None:
        """The account of a member who is not an author, named by Stoa's export in the
        comment's `_stoa_member` (WordPress's exporter writes no other users, so its files
        bring such comments as guests', as its importer does): the account with that address
        here, as an author's is found, else one made for them to claim by a password reset."""
        email = comment.meta.get("_stoa_member", "").strip()
        if not email:
            return None
        try:
            # What an account's address must be: the field's own validators (its form, its
            # length).
            User._meta.get_field("email").clean(email, None)
        except ValidationError:
            self.report.problem(
                f"Comment {comment.id}: “{email[:80]}” is no address an account can have; "
                "the comment is kept as a guest's.",
                comment.line,
            )
            return None
        key = email.lower()
        if key not in self.members:
            found = User.objects.filter(email__iexact=email).values_list("pk", flat=True).first()
            if found is None:
                name = comment.author or email.partition("@")[0]
                made = self._save(
                    members.create_claimable_account,
                    username=_free_username(email.partition("@")[0] or name),
                    email=email,
                    display_name=name,
                    what=f"The member of comment {comment.id}",
                )
                found = made.pk
                self.report.add("member account", "created")
            self.members[key] = User(pk=found)
        return self.members[key]

    def _comment_batch(
        self, done: list[tuple[wxr.Item, Post]], drawn: dict[int, tuple[reading.Drawn, ...]]
    ) -> None:
        """The comments of a batch of posts: what changed since an earlier import is looked
        up in the mapping table, the rest written together (discussion.import_threads)."""
        keys = [str(c.id) for item, _ in done for c in item.comments]
        if not keys:
            return
        existing = self._mapped_comments(keys)
        if existing:
            # A comment deleted here since the last import (or with its post) is written
            # again: its mapping row goes.
            ids = [pk for pk, _ in existing.values()]
            alive: set[int] = set()
            for start in range(0, len(ids), LOOKUP_CHUNK):
                alive.update(
                    Comment.objects.filter(pk__in=ids[start : start + LOOKUP_CHUNK]).values_list(
                        "pk", flat=True
                    )
                )
            gone = [source for source, (pk, _) in existing.items() if pk not in alive]
            for start in range(0, len(gone), LOOKUP_CHUNK):
                Mapping.objects.filter(
                    site=self.site,
                    kind=ObjectKind.COMMENT,
                    source_key__in=gone[start : start + LOOKUP_CHUNK],
                ).delete()
            for source in gone:
                del existing[source]
        threads: list[tuple[Post, list[discussion.ImportedComment], dict[int | str, int]]] = []
        owners: list[wxr.Item] = []
        digests: dict[int, str] = {}
        seen: set[int] = set()
        for item, post in done:
            rows, known = self._comment_rows(item, drawn.get(id(item)), existing, digests, seen)
            if rows:
                threads.append((post, rows, known))
                owners.append(item)
        if not threads:
            return
        if self.later_indexes is None:
            new = sum(1 for _, rows, _ in threads for row in rows if row.pk is None)
            if new >= LATER_INDEXES_FROM and connection.vendor == "sqlite":
                self._indexes_later()
        results = discussion.import_threads(threads=threads)
        fresh: list[tuple[str, str, int, str]] = []
        changed: list[int | str] = []
        for (_, rows, _), result, item in zip(threads, results, owners, strict=True):
            for row in rows:
                if row.key not in result.comments:
                    continue
                if row.pk is None:
                    if result.comments[row.key] != row.wanted_pk:
                        self.renumbered.add(str(row.key))
                    fresh.append(
                        (
                            ObjectKind.COMMENT,
                            str(row.key),
                            result.comments[row.key],
                            digests[int(row.key)],
                        )
                    )
                else:
                    changed.append(row.key)
            self.report.add("comment", "created", result.created)
            self.report.add("comment", "updated", result.updated)
            by_id = {c.id: c for c in item.comments}
            for key in result.orphans:
                orphan = by_id[int(key)]
                self.report.problem(
                    f"Comment {key} under post {item.id}: its parent {orphan.parent} is not in "
                    "the file; it is shown at the top level.",
                    orphan.line,
                )
        self._insert_mappings(fresh)
        for key in changed:
            Mapping.objects.filter(
                site=self.site, kind=ObjectKind.COMMENT, source_key=str(key)
            ).update(digest=digests[int(key)])

    def _mapped_comments(self, keys: list[str]) -> dict[str, tuple[int, str]]:
        """The mapping rows of these comment keys: key → (comment id, digest). In SQL written
        here, as _redirects_there: a first import asks for every comment of the file and
        finds none, and the ORM's __in of 500 keys cost several times the database's work."""
        assert self.site is not None  # noqa: S101
        quote = connection.ops.quote_name
        column = {f.name: quote(f.column) for f in Mapping._meta.concrete_fields}
        table = quote(Mapping._meta.db_table)
        found: dict[str, tuple[int, str]] = {}
        with connection.cursor() as cursor:
            for start in range(0, len(keys), LOOKUP_CHUNK):
                chunk = keys[start : start + LOOKUP_CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT {column['source_key']}, {column['object_id']}, {column['digest']} "  # noqa: S608 - names from the model
                    f"FROM {table} WHERE {column['site']} = %s AND {column['kind']} = %s "
                    f"AND {column['source_key']} IN ({marks})",
                    [self.site.pk, ObjectKind.COMMENT.value, *chunk],
                )
                found.update((key, (pk, digest)) for key, pk, digest in cursor.fetchall())
        return found

    def _indexes_later(self) -> None:
        """On SQLite, when this import brings more comments than the site has: the comment
        and mapping tables' secondary indexes dropped now and built again at the end, in the
        same transaction (SQLite's DDL is transactional: a failure or a dry run rolls them
        back with the rows). Kept: the indexes this import reads by (a comment's post, for
        each batch's recount; a mapping's key, which is the unique constraint)."""
        existing = Comment.objects.count()
        if existing > self.size // EXPORT_BYTES_PER_COMMENT:
            self.later_indexes = _LaterIndexes([])  # decided: written row by row
            return
        self.later_indexes = _LaterIndexes.drop(
            [(Comment, {Comment._meta.get_field("post").column}), (Mapping, set())]
        )

    def _insert_mappings(self, rows: list[tuple[str, str, int, str]]) -> None:
        """New mapping rows (kind, key, object id, digest) in one executemany: a comment's
        row is plain values, and the ORM's bulk_create would cost more than the comment."""
        if not rows:
            return
        assert self.site is not None  # noqa: S101
        quote = connection.ops.quote_name
        by_name = {f.name: f.column for f in Mapping._meta.concrete_fields}
        names = ["site", "kind", "source_key", "object_id", "digest", "run"]
        columns = ", ".join(quote(by_name[name]) for name in names)
        table = quote(Mapping._meta.db_table)
        site, run = self.site.pk, self.run.pk
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)",  # noqa: S608 - names from the model
                [(site, kind, key[:200], pk, digest, run) for kind, key, pk, digest in rows],
            )

    def _comment_rows(
        self,
        item: wxr.Item,
        drawn: tuple[reading.Drawn, ...] | None,
        existing: dict[str, tuple[int, str]],
        digests: dict[int, str],
        seen: set[int],
    ) -> tuple[list[discussion.ImportedComment], dict[int | str, int]]:
        rows: list[discussion.ImportedComment] = []
        known: dict[int | str, int] = {}
        for index, comment in enumerate(item.comments):
            if comment.id in seen:
                self.report.add("comment", "skipped")
                self.report.problem(
                    f"Comment {comment.id} is given twice; the second (under post {item.id}) "
                    "is skipped.",
                    comment.line,
                )
                continue
            seen.add(comment.id)
            status = COMMENT_STATUS.get(comment.approved)
            if status is None:
                status = CommentStatus.PENDING
                self.report.problem(
                    f"Comment {comment.id}: the status “{comment.approved}” is unknown; held.",
                    comment.line,
                )
            ahead = drawn[index] if drawn is not None else None
            digest = ahead.digest if ahead is not None else reading.comment_digest(comment)
            before = existing.get(str(comment.id))
            if before is not None and before[1] == digest:
                known[comment.id] = before[0]
                self.report.add("comment", "skipped")
                continue
            digests[comment.id] = digest
            rows.append(
                discussion.ImportedComment(
                    key=comment.id,
                    parent_key=comment.parent or None,
                    author_name=comment.author or "Anonymous",
                    author_email=comment.email,
                    author_url=comment.url,
                    text=comment.content,
                    created_at=comment.date or item.date or timezone.now(),
                    status=status,
                    kind=COMMENT_KINDS.get(comment.type, CommentKind.COMMENT),
                    ip_address=comment.ip or None,
                    user=self._user(comment.user_id) or self._member(comment),
                    pk=before[0] if before is not None else None,
                    html=ahead.html if ahead is not None else None,
                    excerpt=ahead.excerpt if ahead is not None else None,
                    # Its WordPress id where no comment has it (a fresh site: all of them),
                    # so that an old link's #comment-<id> names it on the post's page, as
                    # WordPress's importer keeps a post's id (import_id) when it is free.
                    wanted_pk=comment.id if before is None else None,
                    edited_at=wxr.gmt_date(comment.meta.get("_stoa_edited_at", "")),
                )
            )
        return rows, known

    # ------------------------------------------------------------------ pages

    def _page(self, item: wxr.Item) -> None:
        found = self._mapping(ObjectKind.PAGE, item.id)
        if found is not None and found.run_id == self.run.pk:
            self._repeated("page", item)
            return
        if item.status in SKIPPED_STATUSES or item.status not in POST_STATUS:
            self.report.add("page", "skipped")
            return
        title_text = _plain(item.title) or "(no title)"
        what = f"Page {item.id} “{_cut(title_text, 60)}”"
        digest = _digest(
            title_text, item.content, item.slug, item.status, item.password != "",
            item.parent, item.menu_order, *_stoa_part(item),
        )  # fmt: skip
        page = Page.objects.filter(pk=found.object_id).first() if found else None
        if page is not None and found is not None and found.digest == digest:
            self.report.add("page", "skipped")
        else:
            page = self._save_page(item, page, title_text, what)
        self._remember(ObjectKind.PAGE, item.id, page.pk, digest, found)
        if page.status == PageStatus.PUBLISHED and self.old_site is not None:
            for old in links.page_paths(
                self.old_site, page_id=item.id, path=page.path, link=item.link
            ):
                self._redirect(old, page.get_absolute_url())
        if item.comments:
            self.report.add("comment", "skipped", len(item.comments))
            self.report.problem(
                f"{what}: its {len(item.comments)} comment(s) are skipped: pages here have "
                "no discussion.",
                item.line,
            )

    def _save_page(self, item: wxr.Item, page: Page | None, title: str, what: str) -> Page:
        status = PageStatus.PUBLISHED if item.status == "publish" else PageStatus.DRAFT
        if item.password and status == PageStatus.PUBLISHED:
            status = PageStatus.DRAFT
            self.report.problem(
                f"{what} had a password on the old site; it is kept as a draft here.", item.line
            )
        elif item.status in ("private", "future", "pending"):
            # A page here is a draft or published: nothing in between to keep it in.
            self.report.problem(f"{what} was {item.status}; it is a draft here.", item.line)
        if len(title) > 200:
            self.report.problem(f"{what}: the title is cut to 200 characters.", item.line)
        created = page is None
        page = page or Page()
        page.title = _cut(title, 200)
        page.body = self._body(item, what)
        page.status = status
        page.menu_order = item.menu_order
        if item.stoa is not None:
            page.show_in_menu = item.stoa.show_in_menu
        parent = None
        if item.parent:
            mapped = self._mapping(ObjectKind.PAGE, item.parent)
            parent = Page.objects.filter(pk=mapped.object_id).first() if mapped else None
        page.parent = parent
        wanted = unquote(item.slug)
        base = wanted if wanted and _SLUG.match(wanted) else slugify(title) or f"page-{item.id}"
        page.slug = self._page_slug(page, base[:100])
        # Told when the old slug could not be kept: not a slug here, or taken (a sibling's,
        # or one of the site's own addresses), as for posts.
        if page.slug != wanted and wanted:
            self.report.problem(f"{what}: the slug “{wanted}” is “{page.slug}” here.", item.line)
        try:
            publishing.save_page(page=page)
        except ValidationError as error:
            raise ImportRefused(f"{what} cannot be saved: {_message(error)}") from error
        if item.parent and parent is None:
            self.page_parents.append((page.pk, item.parent, what))
        Page.objects.filter(pk=page.pk).update(
            created_at=item.date or timezone.now(),
            updated_at=item.modified or item.date or timezone.now(),
        )
        self.report.add("page", "created" if created else "updated")
        return page

    def _page_slug(self, page: Page, base: str) -> str:
        """A slug free among the page's siblings and not one of the site's own addresses."""
        siblings = Page.objects.filter(parent=page.parent).exclude(pk=page.pk)
        slug, n = base, 2
        while siblings.filter(slug=slug).exists() or (
            page.parent is None and (slug in publishing.reserved_page_slugs() or slug.isdigit())
        ):
            slug, n = f"{base[:90]}-{n}", n + 1
        return slug

    def _place_pages(self) -> None:
        """Parents named before they came (a child with a lower id than its parent)."""
        for pk, parent_id, what in self.page_parents:
            mapped = self._mapping(ObjectKind.PAGE, parent_id)
            page = Page.objects.get(pk=pk)
            parent = Page.objects.filter(pk=mapped.object_id).first() if mapped else None
            if parent is None:
                self.report.problem(
                    f"{what}: its parent page {parent_id} is not in the file; it is at the top."
                )
                continue
            page.parent = parent
            page.slug = self._page_slug(page, page.slug)
            publishing.save_page(page=page)
        self.page_parents = []

    # ------------------------------------------------------------------ old links

    def _redirect(self, old: str, new: str) -> None:
        self.redirects.append((old, new))
        if len(self.redirects) >= core.BATCH_SIZE:
            self._flush_redirects()

    def _flush_redirects(self) -> None:
        if self.redirects:
            assert self.site is not None  # noqa: S101
            # Upserts: the new rows are those of the batch's old addresses not there before
            # (counted by the index: counting the table is a scan, and it grows by the batch).
            olds = sorted({core.normal_old_path(old) for old, _ in self.redirects})
            before = self._redirects_there(olds)
            written = core.add_redirects(
                pairs=self.redirects, note=_cut(f"WordPress: {self.site.base_url}", 255)
            )
            created = max(0, self._redirects_there(olds) - before)
            self.report.add("old address", "created", created)
            self.report.add("old address", "skipped", max(0, written - created))
            self.redirects = []

    @staticmethod
    def _redirects_there(olds: list[str]) -> int:
        """How many of these old addresses the table holds: counted by its index, in SQL
        written here (an __in of 500 values costs the ORM several times what the database
        spends on it, twice a batch of 2,000 addresses)."""
        table = connection.ops.quote_name(Redirect._meta.db_table)
        column = connection.ops.quote_name(Redirect._meta.get_field("old_path").column)
        there = 0
        with connection.cursor() as cursor:
            for start in range(0, len(olds), LOOKUP_CHUNK):
                chunk = olds[start : start + LOOKUP_CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT COUNT(*) FROM {table} WHERE {column} IN ({marks})",  # noqa: S608 - names from the model
                    chunk,
                )
                there += cursor.fetchone()[0]
        return there

    def _structure(self, item: wxr.Item, local: dt.datetime) -> links.OldSite:
        """The old site with its permalink structure, guessed from the first published
        post whose <link> shows it (the export does not carry the structure)."""
        assert self.old_site is not None  # noqa: S101
        if self.structure is None and item.status == "publish" and item.link and item.slug:
            guessed = links.guess_structure(
                self.old_site,
                link=item.link,
                post_id=item.id,
                slug=item.slug,
                date=local,
                category=self._category_path(item),
                author=item.creator,
            )
            if guessed is not None:
                self.structure = guessed
                self.old_site = links.OldSite(
                    base_url=self.old_site.base_url, permalink_structure=guessed
                )
        return self.old_site

    def _category_path(self, item: wxr.Item) -> str:
        """parent/child of the item's first category by term id (WordPress's choice)."""
        slugs = [t.slug for t in item.terms_of("category")]
        if not slugs:
            return ""
        first = min(slugs, key=lambda slug: self.category_info.get(slug, (None,))[0] or 10**12)
        if self.category_paths is None:  # once: the categories are all read by now
            self.category_paths = links.nested_paths(
                {
                    slug: (slug, parent or None)
                    for slug, (_, parent, _) in self.category_info.items()
                }
            )
        return self.category_paths.get(first, first)

    def _post_links(self, item: wxr.Item, post: Post) -> None:
        if self.old_site is None or post.status not in (*Post.LIVE_STATUSES, PostStatus.PRIVATE):
            return
        local = (item.date + self.offset) if item.date else timezone.now()
        site = self._structure(item, local.replace(tzinfo=None))
        shape: dict[str, Any] = {
            "post_id": item.id,
            "slug": item.slug,
            "date": local.replace(tzinfo=None),
            "category": self._category_path(item),
            "author": item.creator,
        }
        new = post.get_absolute_url()
        for old in links.post_paths(site, link=item.link, **shape):
            self._redirect(old, new)
        feed = self._post_address("discussion:post_feed", post.pk)
        atom = self._post_address("discussion:post_atom", post.pk)
        for old in links.post_comment_feed_paths(site, **shape):
            self._redirect(old, feed)
        for old in links.post_comment_feed_paths(site, atom=True, **shape):
            self._redirect(old, atom)

    def _post_address(self, name: str, pk: int) -> str:
        """reverse(name, kwargs={"post_id": pk}), from the route's address worked out once
        (reverse() costs tens of microseconds, twice a post): the route takes the id as an
        <int:>, written as str() writes it."""
        around = self.post_addresses.get(name)
        if around is None:
            marker = 918273645
            address = reverse(name, kwargs={"post_id": marker})
            around = self.post_addresses[name] = tuple(address.split(str(marker)))
        return str(pk).join(around)

    def _term_links(self) -> None:
        """Old addresses of categories, tags, authors and the site's feeds, once the
        structure is known (it decides their trailing slash)."""
        if self.old_site is None:
            return
        site = self.old_site
        nodes = {
            slug: (slug, parent or None) for slug, (_, parent, _) in self.category_info.items()
        }
        paths = links.nested_paths(nodes)
        categories = Category.objects.in_bulk([pk for _, _, pk in self.category_info.values()])
        for slug, (term_id, _, pk) in self.category_info.items():
            category = categories.get(pk)
            if category is None:
                continue
            for old in links.category_paths(site, term_id=term_id, path=paths[slug]):
                self._redirect(old, category.get_absolute_url())
            feed = reverse("publishing:category_feed", kwargs={"slug": category.slug})
            for old in links.category_feed_paths(site, path=paths[slug]):
                self._redirect(old, feed)
        tags = Tag.objects.in_bulk([pk for _, pk in self.tag_info])
        for slug, pk in self.tag_info:
            if (tag := tags.get(pk)) is not None:
                for old in links.tag_paths(site, slug=slug):
                    self._redirect(old, tag.get_absolute_url())
                feed = reverse("publishing:tag_feed", kwargs={"slug": tag.slug})
                for old in links.tag_feed_paths(site, slug=slug):
                    self._redirect(old, feed)
        people = Person.objects.in_bulk([pk for _, _, pk in self.author_info])
        for login, author_id, pk in self.author_info:
            if (person := people.get(pk)) is not None and login:
                for old in links.author_paths(site, login=login, author_id=author_id):
                    self._redirect(old, person.get_absolute_url())
                feed = reverse("publishing:author_feed", kwargs={"slug": person.slug})
                for old in links.author_feed_paths(site, login=login):
                    self._redirect(old, feed)
        for old in links.site_feed_paths(site):
            self._redirect(old, reverse("publishing:feed"))
        for old in links.site_feed_paths(site, atom=True):
            self._redirect(old, reverse("publishing:atom"))
        for old in links.comments_feed_paths(site):
            self._redirect(old, reverse("discussion:feed"))
        for old in links.comments_feed_paths(site, atom=True):
            self._redirect(old, reverse("discussion:atom"))


class _LaterIndexes:
    """Secondary indexes of SQLite tables dropped for a bulk write, to be built again: a
    B-tree built from all its rows at once is several times cheaper than one grown row by
    row in random order (an author's address, an IP: at 100,000 comments the nine indexes
    of the comment table made the INSERTs about five times slower than the bare table)."""

    def __init__(self, statements: list[str]) -> None:
        self.statements = statements

    @classmethod
    def drop(cls, tables: list[tuple[type[Any], set[str]]]) -> _LaterIndexes:
        """Drop each table's indexes but those whose first column is among its kept
        columns (and those SQLite made for a constraint, which have no SQL of their own),
        remembering the very statements that made them."""
        statements = []
        with connection.cursor() as cursor:
            for model, kept in tables:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name = %s AND sql IS NOT NULL ORDER BY name",
                    [model._meta.db_table],
                )
                for name, sql in cursor.fetchall():
                    quoted = connection.ops.quote_name(name)
                    cursor.execute(f"PRAGMA index_info({quoted})")
                    first = cursor.fetchone()
                    if first is not None and first[2] in kept:
                        continue
                    cursor.execute(f"DROP INDEX {quoted}")
                    statements.append(sql)
        return cls(statements)

    def build(self) -> None:
        with connection.cursor() as cursor:
            for sql in self.statements:
                cursor.execute(sql)
        self.statements = []


def _stoa_part(item: wxr.Item) -> tuple[wxr.StoaFields, ...]:
    """What of an item's fingerprint Stoa's own fields add: nothing for a file that is not
    Stoa's export, so a WordPress file imported before keeps its fingerprints (a second run
    still changes nothing)."""
    return () if item.stoa is None else (item.stoa,)


def _thumbnail_part(item: wxr.Item) -> tuple[int, ...]:
    """What a featured image adds to an item's fingerprint: nothing when it has none, so the
    fingerprints of a file imported before it was read stay as they were."""
    return (item.thumbnail_id,) if item.thumbnail_id else ()


def _uploads_path(address: str) -> str:
    path = unquote(urlsplit(address).path)
    return path.split(_UPLOADS, 1)[1] if _UPLOADS in path else ""


def _free_username(login: str) -> str:
    base = re.sub(r"[^\w.@+-]", "", login)[:140] or "wordpress-author"
    username, n = base, 2
    while User.objects.filter(username__iexact=username).exists():
        username, n = f"{base}-{n}", n + 1
    return username


def _message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(f"{key}: {' '.join(values)}" for key, values in error.message_dict.items())
    return " ".join(error.messages)


# ----------------------------------------------------------------------------- entry points


def _open(source: str | Path | IO[bytes]) -> tuple[IO[bytes], bool]:
    if isinstance(source, str | Path):
        try:
            return Path(source).open("rb"), True
        except OSError as error:
            raise ImportRefused(f"The file {source} cannot be read: {error.strerror}.") from None
    return source, False


def _remove(names: Iterable[str]) -> None:
    storage = MediaItem._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # gone already: nothing to clean
            logger.warning("Could not remove %s after a rolled-back import", name)


def import_wordpress(
    *,
    source: str | Path | IO[bytes],
    media_from: Path | str | None = None,
    dry_run: bool = False,
    run: ImportRun | None = None,
    progress: Progress | None = None,
    user: User | None = None,
) -> Report:
    """Bring a WordPress site over from its WXR export (a path or a binary file), with its
    files from `media_from` (a wp-content/uploads folder; never fetched from the network).

    All or nothing: one transaction, rolled back by any failure, which is raised again
    (wxr.WXRError for a refused file, ImportRefused for what cannot be imported), files
    stored meanwhile removed. A dry run does everything, copies no file, reports, and is
    rolled back. Readers get one new content version at the end. The report is returned,
    and kept in `run` (an ImportRun made here when none is given)."""
    media_root = _media_root(media_from)
    handle, owned = _open(source)
    name = str(source) if owned else getattr(source, "name", "") or "upload"
    if run is None:
        run = ImportRun.objects.create(
            kind=ImportKind.WXR,
            file_name=PurePosixPath(str(name)).name[:255],
            dry_run=dry_run,
            media_from=str(media_from or "")[:500],
            started_by=user,
            status=RunStatus.RUNNING,
            started_at=timezone.now(),
        )
    report = Report()
    stored: list[str] = []
    importer = _Importer(
        run=run,
        report=report,
        media_root=media_root,
        dry_run=dry_run,
        progress=progress,
        stored_files=stored,
    )
    try:
        # A local date with no GMT one, before any item showed the site's offset, is taken
        # in this site's time zone (the likeliest: a site moved keeps its readers' zone).
        zone = timezone.get_default_timezone()
        size = reading.file_size(handle)
        if owned and size >= reading.PROCESS_FROM_BYTES:
            events = reading.events_in_process(source, local_zone=zone)  # type: ignore[arg-type]
        else:
            events = reading.events(handle, local_zone=zone)
        # Closed however the import ends: a reading process is stopped with it.
        with (
            contextlib.closing(events),
            reading.spaced_collections(),
            transaction.atomic(),
            freshness.changed(),
        ):
            importer.import_file(events, size)
            if dry_run:
                raise _RolledBack
    except _RolledBack:
        pass
    except BaseException:
        _remove(stored)
        raise
    finally:
        if owned:
            handle.close()
    return report


def start_run(*, run: ImportRun) -> ImportRun:
    """The run begins (its own short write, committed before the import's transaction, so
    the admin sees it running)."""
    run.status = RunStatus.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])
    return run


def save_report(
    *,
    run: ImportRun,
    report: Report | None,
    error: str = "",
    done: int | None = None,
    total: int | None = None,
) -> ImportRun:
    """Keep what an import did in its run, done or failed (after the import's transaction:
    a failed import's report survives its rollback)."""
    run.status = RunStatus.FAILED if error else RunStatus.DONE
    run.error = error
    if report is not None:
        run.counts = report.counts
        run.problems = report.problem_lines()
    if total is not None:
        run.total = total
    if done is not None:
        run.done = done
    run.finished_at = timezone.now()
    if run.site_id is not None and not SourceSite.objects.filter(pk=run.site_id).exists():
        run.site = None  # made by a dry run or a failed import, rolled back since
    run.save()
    return run


# ------------------------------------------------------------------- runs from the admin


def progress_key(run_pk: int) -> str:
    return f"stoa:wordpress-import-progress:{run_pk}"


def run_progress(run: ImportRun) -> tuple[int, int]:
    """(done, total) of a running import, as its task last told it: kept in the cache,
    which every process shares, since the run's own row is inside the import's transaction
    until it ends."""
    if run.is_finished:
        return run.done, run.total
    found = cache.get(progress_key(run.pk))
    return found if found is not None else (run.done, run.total)


@transaction.atomic
def queue_import(
    *,
    upload: File,
    file_name: str,
    dry_run: bool,
    user: User | None,
    kind: str = ImportKind.WXR,
) -> ImportRun:
    """An editor's uploaded export (a WordPress one, or Disqus's: `kind`), kept (outside the
    public media) for the background task, which is queued with it (stoa.wordpress.tasks)."""
    from stoa.core.tasks import enqueue
    from stoa.wordpress.tasks import import_uploaded_file

    if kind not in ImportKind.values:
        raise ImportRefused(f"Unknown kind of export: {kind!r}.")
    run = ImportRun(
        kind=kind,
        file_name=PurePosixPath(file_name).name[:255],
        dry_run=dry_run,
        started_by=user,
        status=RunStatus.QUEUED,
    )
    run.upload.save(f"{uuid.uuid4().hex}.xml", upload, save=False)
    run.save()
    enqueue(import_uploaded_file, run.pk)
    return run


def run_import(*, run: ImportRun) -> ImportRun:
    """Import a queued run's uploaded file (the background task) with the importer of its
    kind (WordPress's WXR, or Disqus's export): its progress told through the cache, its
    report or its failure kept, the uploaded file removed when it is done (it holds
    commenters' addresses)."""
    if run.is_finished:
        return run
    if run.kind == ImportKind.DISQUS:
        return _run_disqus_import(run=run)
    start_run(run=run)
    key = progress_key(run.pk)
    told = {"done": 0, "total": 0}

    def progress(done: int, total: int) -> None:
        told.update(done=done, total=total)
        cache.set(key, (done, total), 24 * 3600)

    try:
        with run.upload.open("rb") as handle:
            report = import_wordpress(
                source=handle,
                media_from=run.media_from or None,
                dry_run=run.dry_run,
                run=run,
                progress=progress,
            )
    except (ImportRefused, wxr.WXRError) as error:
        save_report(run=run, report=None, error=str(error), **told)
    except Exception as error:
        logger.exception("The WordPress import %s failed", run.pk)
        save_report(run=run, report=None, error=f"{type(error).__name__}: {error}", **told)
    else:
        save_report(run=run, report=report, done=told["total"], total=told["total"])
    finally:
        cache.delete(key)
        _drop_upload(run)
    return run


def _drop_upload(run: ImportRun) -> None:
    if run.upload:
        run.upload.delete(save=False)
        ImportRun.objects.filter(pk=run.pk).update(upload="")


def _run_disqus_import(*, run: ImportRun) -> ImportRun:
    """A queued Disqus export: disqus.import_disqus keeps its own report in the run (and a
    refused file's reason); progress is the share of the file read."""
    key = progress_key(run.pk)
    try:
        with run.upload.open("rb") as handle:
            size = reading.file_size(handle)

            def progress() -> None:
                cache.set(key, (handle.tell(), size), 24 * 3600)

            run = disqus.import_disqus(
                source=handle, run=run, dry_run=run.dry_run, progress=progress
            )
    except Exception as error:
        # import_disqus ends (and logs) a failure of its own; this is for the rest (the
        # upload unreadable, say).
        if run.status != RunStatus.FAILED:
            logger.exception("The Disqus import %s failed", run.pk)
            save_report(run=run, report=None, error=f"{type(error).__name__}: {error}")
    finally:
        cache.delete(key)
        _drop_upload(run)
    return run
