"""A streaming reader of WordPress eXtended RSS (WXR 1.0, 1.1, 1.2), the file WordPress's
Tools → Export writes (export_wp()): the site, its authors, terms, and items (posts, pages,
attachments) with their meta and their comments, yielded one by one as typed records.

Memory stays flat however large the file: lxml's iterparse hands over each element as it
ends, and every record is cleared from the tree once it is yielded. The parser never loads a
DTD, resolves no entity, reads nothing from the network, and refuses a file with a DOCTYPE at
all (WordPress never writes one: one there is an entity bomb or an external entity waiting),
a file cut off or malformed, and a file that is not WXR: always `WXRError`, naming the line.

A file Stoa's own export wrote (it declares Stoa's namespace) also carries what WXR has no
field for: its items' `stoa` (StoaFields, from their _stoa_* postmeta) and its authors' `bio`
(<stoa:author_bio>). In any other file both are None, and the records are exactly WordPress's.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

from stoa.wordpress import parsing

# WordPress wrote WXR 1.0 (2.x), 1.1 (3.0) and 1.2 (3.1 and since); each version has its
# own namespace for wp: and excerpt:, the rest are RSS 2.0 modules.
_WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/(1\.[0-2])/$")
_CONTENT = "http://purl.org/rss/1.0/modules/content/"
_DC = "http://purl.org/dc/elements/1.1/"
# Stoa's own export declares this namespace (stoa.wordpress.export) and writes in it, or in
# postmeta starting with "_stoa_", the fields WXR has no place for. A file without it came
# from somewhere else (WordPress itself): its _stoa_ keys, if any, are not Stoa's.
STOA_NAMESPACE = "urn:stoa:wxr:1.0"
# WordPress writes "0000-00-00 00:00:00" for a date it does not have (a draft's GMT date).
_NO_DATE = "0000-00-00 00:00:00"
_RECORDS = ("author", "category", "tag", "term")
_FILTER = [
    "rss",
    "channel",
    "item",
    *(
        f"{{http://wordpress.org/export/{v}/}}{name}"
        for v in ("1.0", "1.1", "1.2")
        for name in _RECORDS
    ),
]


# The largest comment id an importer keeps from the old site: stoa.core.services'
# LARGEST_KEPT_ID (this module reads files without Django; a test keeps the two equal).
LARGEST_KEPT_COMMENT_ID = 2**31 - 1

_Record = TypeVar("_Record")


def pickled_by_fields(cls: type[_Record]) -> type[_Record]:
    """A frozen slots dataclass pickled as (class, its fields' values): a large file's
    records cross to the importer from the reading process (stoa.wordpress.reading), and
    the pickling dataclasses give slots classes (a list of fields() per object, each set
    again one by one) cost about 30 µs a comment on each side."""
    values = operator.attrgetter(*cls.__slots__)  # type: ignore[attr-defined]

    def __reduce__(self: Any) -> tuple[Any, ...]:  # noqa: N807 - pickle's protocol
        return (cls, values(self))

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


class WXRError(parsing.Refused):
    """The file is refused: not WXR, malformed, cut off, or hostile. The message says why
    and names the line."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Site:
    """The exported site, from the channel's own elements."""

    title: str
    link: str
    description: str
    language: str
    wxr_version: str
    base_site_url: str
    base_blog_url: str
    # Written by Stoa's export: its items and authors carry Stoa's own fields.
    from_stoa: bool = False

    @property
    def base_url(self) -> str:
        """The address the site's links start with (the blog's, where it differs from the
        site's: WordPress builds permalinks from home, base_blog_url)."""
        return (self.base_blog_url or self.base_site_url or self.link).rstrip("/")

    @property
    def addresses(self) -> list[str]:
        """Every address the site's own links may start with, the longest first (an old
        upload's address is recognised under any of them)."""
        return sorted(
            {u.rstrip("/") for u in (self.base_url, self.base_site_url, self.link) if u},
            key=len,
            reverse=True,
        )


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Author:
    """A wp:author: a user who wrote something exported."""

    id: int | None
    login: str
    email: str
    display_name: str
    first_name: str
    last_name: str
    line: int | None = None
    # The biography (<stoa:author_bio>, Stoa's export only; WXR has none): None when the
    # file is not Stoa's, "" when Stoa's export wrote none.
    bio: str | None = None
    # The photo, base64 (<stoa:author_photo>, Stoa's export only): "" when there is none.
    photo: str = ""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Category:
    """A wp:category; `parent` is the parent's slug (nicename), as WordPress writes it."""

    term_id: int | None
    slug: str
    parent: str
    name: str
    description: str
    line: int | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Tag:
    """A wp:tag."""

    term_id: int | None
    slug: str
    name: str
    description: str
    line: int | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Term:
    """A wp:term of another taxonomy (nav_menu, post_format, a plugin's). WXR 1.2 repeats
    categories and tags as wp:term too; those are not yielded twice."""

    term_id: int | None
    taxonomy: str
    slug: str
    parent: str
    name: str
    description: str
    line: int | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ItemTerm:
    """One <category domain=... nicename=...> of an item: a category, a tag, or another
    taxonomy's term."""

    domain: str
    slug: str
    name: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Comment:
    """A wp:comment, as WordPress stored it. `approved` is WordPress's comment_approved:
    "1", "0", "spam", "trash" (or "post-trashed")."""

    id: int
    parent: int
    author: str
    email: str
    url: str
    ip: str
    date: dt.datetime | None
    content: str
    approved: str
    type: str
    user_id: int
    meta: dict[str, str] = field(default_factory=dict)
    line: int | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class StoaFields:
    """What Stoa's export writes of an item in postmeta WordPress keeps and hides (keys
    starting with "_"), as the file says it: a key it leaves out is the field's empty value
    (the export writes only what is set)."""

    dek: str = ""
    featured: bool = False
    visibility: str = ""
    status: str = ""
    authors: tuple[str, ...] = ()
    show_in_menu: bool = False
    credit: str = ""
    listed: bool = True

    @classmethod
    def from_meta(cls, meta: dict[str, str]) -> StoaFields:
        return cls(
            dek=meta.get("_stoa_dek", "").strip(),
            featured=meta.get("_stoa_featured", "").strip() == "1",
            visibility=meta.get("_stoa_visibility", "").strip(),
            status=meta.get("_stoa_status", "").strip(),
            authors=tuple(
                login
                for login in (part.strip() for part in meta.get("_stoa_authors", "").split(","))
                if login
            ),
            show_in_menu=meta.get("_stoa_show_in_menu", "").strip() == "1",
            credit=meta.get("_stoa_credit", "").strip(),
            # Written only for a post kept out of the listings (an embedded thread's).
            listed=meta.get("_stoa_listed", "").strip() != "0",
        )


@dataclass(frozen=True, slots=True)
class Item:
    """An <item>: a post, a page, an attachment (or another post type), with its terms,
    meta and comments."""

    id: int
    post_type: str
    title: str
    link: str
    guid: str
    creator: str
    content: str
    excerpt: str
    date: dt.datetime | None
    modified: dt.datetime | None
    comment_status: str
    ping_status: str
    slug: str
    status: str
    parent: int
    menu_order: int
    password: str
    is_sticky: bool
    attachment_url: str
    terms: tuple[ItemTerm, ...]
    meta: dict[str, str]
    comments: tuple[Comment, ...]
    line: int | None = None
    # Stoa's own fields, when the file is Stoa's export (None: not Stoa's, such as one of
    # WordPress's own, whose item is read exactly as WordPress wrote it).
    stoa: StoaFields | None = None

    @property
    def thumbnail_id(self) -> int | None:
        """The featured image's attachment id (postmeta _thumbnail_id)."""
        return _int_or_none(self.meta.get("_thumbnail_id", ""))

    @property
    def alt_text(self) -> str:
        """An attachment's alternative text (postmeta _wp_attachment_image_alt)."""
        return self.meta.get("_wp_attachment_image_alt", "")

    @property
    def attached_file(self) -> str:
        """An attachment's path under wp-content/uploads (postmeta _wp_attached_file)."""
        return self.meta.get("_wp_attached_file", "")

    def terms_of(self, domain: str) -> list[ItemTerm]:
        return [term for term in self.terms if term.domain == domain]

    def __reduce__(self) -> tuple[Any, ...]:
        # Its comments crossed as rows of their fields' values, read by a C getter: a
        # __reduce__ of each (a Python call) was a third of pickling one.
        values = _ITEM_VALUES(self)
        rows = tuple(map(_COMMENT_VALUES, self.comments))
        return (_item_again, (values, rows))


_ITEM_FIELDS = tuple(name for name in Item.__slots__ if name != "comments")
_ITEM_VALUES = operator.attrgetter(*_ITEM_FIELDS)
_COMMENT_VALUES = operator.attrgetter(*Comment.__slots__)


def _item_again(values: tuple[Any, ...], rows: tuple[tuple[Any, ...], ...]) -> Item:
    fields = dict(zip(_ITEM_FIELDS, values, strict=True))
    return Item(**fields, comments=tuple(itertools.starmap(Comment, rows)))


Record = Site | Author | Category | Tag | Term | Item


def _int_or_none(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


def _int(text: str, default: int = 0) -> int:
    value = _int_or_none(text)
    return default if value is None else value


_NAMES: dict[str, tuple[str, str]] = {}


def _local(tag: Any) -> tuple[str, str]:
    """(namespace, local name) of an element's tag; ("", "") for comments and PIs."""
    found = _NAMES.get(tag)
    if found is not None:
        return found
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        found = (namespace, name)
    else:
        found = ("", tag)
    if len(_NAMES) < 1000:  # a hostile file's made-up names do not grow it for ever
        _NAMES[tag] = found
    return found


def _naive(text: str) -> dt.datetime | None:
    text = text.strip()
    if not text or text == _NO_DATE:
        return None
    try:
        found = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo is None else found.replace(tzinfo=None)


def gmt_date(text: str) -> dt.datetime | None:
    """A date written as a _gmt field is (`YYYY-MM-DD HH:MM:SS`, UTC), or None."""
    found = _naive(text)
    return found.replace(tzinfo=dt.UTC) if found is not None else None


class _Dates:
    """Dates as WordPress exports them: a GMT field and a local one. The GMT one is taken
    first; a local one alone (a draft's: WordPress writes its GMT date as zeros) is turned
    into UTC with the site's offset, learned from the first item that gives both (WXR does
    not name the site's time zone), or with `fallback` before one has."""

    def __init__(self, fallback: dt.tzinfo) -> None:
        self.offset: dt.timedelta | None = None
        self.fallback = fallback

    def pick(self, gmt_text: str, local_text: str) -> dt.datetime | None:
        gmt = _naive(gmt_text)
        if gmt is not None:
            if self.offset is None and (local := _naive(local_text)) is not None:
                self.offset = local - gmt
            return gmt.replace(tzinfo=dt.UTC)
        local = _naive(local_text)
        if local is None:
            return None
        if self.offset is not None:
            return (local - self.offset).replace(tzinfo=dt.UTC)
        return local.replace(tzinfo=self.fallback).astimezone(dt.UTC)


def _texts(element: Any) -> dict[str, str]:
    """The local name → text of an element's children (the last wins); CDATA is text."""
    found: dict[str, str] = {}
    for child in element:
        _, name = _local(child.tag)
        if name:
            found[name] = child.text or ""
    return found


def _meta(element: Any) -> tuple[str, str] | None:
    key = value = None
    for child in element:
        _, name = _local(child.tag)
        if name == "meta_key":
            key = child.text or ""
        elif name == "meta_value":
            value = child.text or ""
    return None if key is None else (key, value or "")


class Reader:
    """Iterate over a WXR file's records: the Site first, then authors, terms and items in
    file order. `source` is a path or a binary file object."""

    def __init__(
        self,
        source: str | IO[bytes] | io.RawIOBase,
        *,
        fallback_tz: dt.tzinfo = dt.UTC,
        item_types: Callable[[str], bool] | None = None,
        channel_records: bool = True,
    ) -> None:
        """`item_types` says which post types to read (the others are skipped unread);
        without `channel_records`, authors and terms are skipped too (a second pass)."""
        self.source = source
        self.item_types = item_types
        self.channel_records = channel_records
        self.dates = _Dates(fallback_tz)
        self.site: Site | None = None
        self.wp_namespace = ""
        self.from_stoa = False
        self.line = 0
        # The largest wp:comment_id of the items skipped unread (a first pass's posts), of
        # those an importer may keep (up to LARGEST_KEPT_COMMENT_ID).
        self.largest_comment_id = 0

    def __iter__(self) -> Iterator[Record]:
        return parsing.well_formed(self._records(), WXRError)

    def _parser(self) -> Any:
        # Only the records' own elements are handed to Python (lxml filters the others in
        # C): an item's fields and comments are read from its subtree when it ends.
        return parsing.iterparse(self.source, tag=_FILTER, remove_blank_text=False)

    def _records(self) -> Iterator[Record]:
        parsing.refuse_doctype_ahead(self.source, WXRError, "a WordPress export")
        channel: Any = None
        root_checked = False
        parser = self._parser()
        for event, element in parser:
            tag = element.tag
            if event == "start":
                if tag == "rss" and not root_checked:
                    self._check_root(element)
                    root_checked = True
                elif tag == "channel" and channel is None and element.getparent() is not None:
                    channel = element
                elif self.site is None and channel is not None and element.getparent() is channel:
                    # The first record: the channel's own elements are all read by now.
                    yield self._make_site(channel, element, element.sourceline)
                continue
            if tag in ("rss", "channel") or channel is None or element.getparent() is not channel:
                continue
            record = self._record(element)
            if record is not None:
                yield record
            # What has been read is dropped: the tree never holds more than one record.
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del channel[0]
        if not root_checked:
            self._check_root(parser.root)
        if channel is None:
            raise WXRError("Not a WordPress export: the <rss> element holds no <channel>")
        if self.site is None:
            yield self._make_site(channel, None, None)

    def _note_comment_ids(self, element: Any) -> None:
        wp = self.wp_namespace
        for found in element.iterfind(f"{{{wp}}}comment/{{{wp}}}comment_id"):
            number = _int_or_none(found.text or "")
            if number is not None and self.largest_comment_id < number <= LARGEST_KEPT_COMMENT_ID:
                self.largest_comment_id = number

    def _check_root(self, root: Any) -> None:
        parsing.refuse_doctype(root, WXRError, "a WordPress export")
        if _local(root.tag) != ("", "rss"):
            raise WXRError(
                f"Not a WordPress export: the root element is <{_local(root.tag)[1]}>, not <rss>",
                root.sourceline,
            )
        for uri in (root.nsmap or {}).values():
            match = _WP_NAMESPACE.match(uri or "")
            if match:
                self.wp_namespace = uri
            elif uri == STOA_NAMESPACE:
                self.from_stoa = True

    def _make_site(self, channel: Any, first: Any, line: int | None) -> Site:
        fields: dict[str, str] = {}
        for child in channel:
            if child is first:
                break
            namespace, name = _local(child.tag)
            if namespace in ("", self.wp_namespace):
                fields[name] = child.text or ""
        version = fields.get("wxr_version", "").strip()
        if not version or not self.wp_namespace:
            raise WXRError(
                "Not a WordPress export: no wp:wxr_version in the WordPress export namespace "
                "before the first record",
                line,
            )
        if version not in ("1.0", "1.1", "1.2"):
            raise WXRError(f"Unknown WXR version {version!r} (1.0, 1.1 and 1.2 are read)", line)
        self.site = Site(
            title=fields.get("title", "").strip(),
            link=fields.get("link", "").strip(),
            description=fields.get("description", "").strip(),
            language=fields.get("language", "").strip(),
            wxr_version=version,
            base_site_url=fields.get("base_site_url", "").strip(),
            base_blog_url=fields.get("base_blog_url", "").strip(),
            from_stoa=self.from_stoa,
        )
        return self.site

    def _record(self, element: Any) -> Record | None:
        namespace, name = _local(element.tag)
        line = element.sourceline
        self.line = line or self.line
        is_wp = namespace == self.wp_namespace and bool(namespace)
        if namespace == "" and name == "item":
            if self.site is None:
                return None
            if self.item_types is not None:
                post_type = element.findtext(f"{{{self.wp_namespace}}}post_type") or "post"
                if not self.item_types(post_type.strip() or "post"):
                    self._note_comment_ids(element)
                    return None
            return self._item(element)
        if is_wp and name in ("author", "category", "tag", "term"):
            if self.site is None or not self.channel_records:
                return None
            texts = _texts(element)
            if name == "author":
                return Author(
                    id=_int_or_none(texts.get("author_id", "")),
                    login=texts.get("author_login", "").strip(),
                    email=texts.get("author_email", "").strip(),
                    display_name=texts.get("author_display_name", "").strip(),
                    first_name=texts.get("author_first_name", "").strip(),
                    last_name=texts.get("author_last_name", "").strip(),
                    line=line,
                    bio=(
                        (element.findtext(f"{{{STOA_NAMESPACE}}}author_bio") or "").strip()
                        if self.from_stoa
                        else None
                    ),
                    photo=(
                        "".join(
                            (element.findtext(f"{{{STOA_NAMESPACE}}}author_photo") or "").split()
                        )
                        if self.from_stoa
                        else ""
                    ),
                )
            if name == "category":
                return Category(
                    term_id=_int_or_none(texts.get("term_id", "")),
                    slug=texts.get("category_nicename", "").strip(),
                    parent=texts.get("category_parent", "").strip(),
                    name=texts.get("cat_name", "").strip(),
                    description=texts.get("category_description", "").strip(),
                    line=line,
                )
            if name == "tag":
                return Tag(
                    term_id=_int_or_none(texts.get("term_id", "")),
                    slug=texts.get("tag_slug", "").strip(),
                    name=texts.get("tag_name", "").strip(),
                    description=texts.get("tag_description", "").strip(),
                    line=line,
                )
            taxonomy = texts.get("term_taxonomy", "").strip()
            if taxonomy in ("category", "post_tag"):
                return None
            return Term(
                term_id=_int_or_none(texts.get("term_id", "")),
                taxonomy=taxonomy,
                slug=texts.get("term_slug", "").strip(),
                parent=texts.get("term_parent", "").strip(),
                name=texts.get("term_name", "").strip(),
                description=texts.get("term_description", "").strip(),
                line=line,
            )
        return None

    def _item(self, element: Any) -> Item:
        texts: dict[str, str] = {}
        terms: list[ItemTerm] = []
        meta: dict[str, str] = {}
        comments: list[Comment] = []
        for child in element:
            namespace, name = _local(child.tag)
            if not name:
                continue
            if name == "category" and namespace == "":
                # WXR 1.0 writes each term twice, once bare (no nicename), and calls tags
                # "tag"; 1.1 and later write each once, tags as "post_tag".
                slug = child.get("nicename", "")
                if slug:
                    domain = child.get("domain", "category")
                    terms.append(
                        ItemTerm(
                            domain="post_tag" if domain == "tag" else domain,
                            slug=slug,
                            name=(child.text or "").strip(),
                        )
                    )
            elif name == "postmeta":
                pair = _meta(child)
                if pair is not None:
                    meta[pair[0]] = pair[1]
            elif name == "comment":
                comments.append(self._comment(child))
            elif name == "encoded" and namespace.endswith("/excerpt/"):
                texts["excerpt"] = child.text or ""
            elif name == "encoded" and namespace == _CONTENT:
                texts["content"] = child.text or ""
            elif name == "creator" and namespace == _DC:
                texts["creator"] = child.text or ""
            else:
                texts[name] = child.text or ""
        post_id = _int_or_none(texts.get("post_id", ""))
        if post_id is None:
            raise WXRError("An <item> without a wp:post_id", element.sourceline)
        return Item(
            id=post_id,
            post_type=texts.get("post_type", "post").strip() or "post",
            title=texts.get("title", "").strip(),
            link=texts.get("link", "").strip(),
            guid=texts.get("guid", "").strip(),
            creator=texts.get("creator", "").strip(),
            content=texts.get("content", ""),
            excerpt=texts.get("excerpt", ""),
            date=self.dates.pick(texts.get("post_date_gmt", ""), texts.get("post_date", "")),
            modified=self.dates.pick(
                texts.get("post_modified_gmt", ""), texts.get("post_modified", "")
            ),
            comment_status=texts.get("comment_status", "").strip(),
            ping_status=texts.get("ping_status", "").strip(),
            slug=texts.get("post_name", "").strip(),
            status=texts.get("status", "").strip(),
            parent=_int(texts.get("post_parent", "")),
            menu_order=_int(texts.get("menu_order", "")),
            password=texts.get("post_password", ""),
            is_sticky=texts.get("is_sticky", "").strip() == "1",
            attachment_url=texts.get("attachment_url", "").strip(),
            terms=tuple(terms),
            meta=meta,
            comments=tuple(comments),
            line=element.sourceline,
            stoa=StoaFields.from_meta(meta) if self.from_stoa else None,
        )

    def _comment(self, element: Any) -> Comment:
        texts: dict[str, str] = {}
        meta: dict[str, str] = {}
        names = _NAMES
        for child in element:
            tag = child.tag
            name = (names.get(tag) or _local(tag))[1]
            if name == "commentmeta":
                pair = _meta(child)
                if pair is not None:
                    meta[pair[0]] = pair[1]
            elif name:
                texts[name] = child.text or ""
        get = texts.get
        comment_id = _int_or_none(get("comment_id", ""))
        if comment_id is None:
            raise WXRError("A <wp:comment> without a wp:comment_id", element.sourceline)
        return Comment(
            id=comment_id,
            parent=_int(get("comment_parent", "")),
            author=get("comment_author", "").strip(),
            email=get("comment_author_email", "").strip(),
            url=get("comment_author_url", "").strip(),
            ip=get("comment_author_IP", "").strip(),
            date=self.dates.pick(get("comment_date_gmt", ""), get("comment_date", "")),
            content=get("comment_content", ""),
            approved=get("comment_approved", "1").strip() or "1",
            type=get("comment_type", "").strip() or "comment",
            user_id=_int(get("comment_user_id", "")),
            meta=meta,
            line=element.sourceline,
        )


def read(
    source: str | IO[bytes] | io.RawIOBase,
    *,
    fallback_tz: dt.tzinfo = dt.UTC,
    item_types: Callable[[str], bool] | None = None,
    channel_records: bool = True,
) -> Iterator[Record]:
    """The records of a WXR file, streamed (see Reader)."""
    return iter(
        Reader(
            source,
            fallback_tz=fallback_tz,
            item_types=item_types,
            channel_records=channel_records,
        )
    )
