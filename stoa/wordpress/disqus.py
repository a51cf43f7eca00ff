"""Disqus's XML export, read as a stream, and its threads brought onto the posts they were
under (`stoa import-disqus FILE.xml`).

A Disqus export (Admin → Moderation → Export) is one <disqus> element holding the forum's
<category>s, then a <thread dsq:id=...> per page that had a discussion (its <link>, <title>,
<id> — the identifier the site gave Disqus, which WordPress's Disqus plugin writes as
"<post id> <guid>" — dates, closed and deleted flags), then every <post dsq:id=...>: a comment,
with its <message> (HTML), <createdAt>, <author> (name, email, anonymous or not), <ipAddress>,
<isDeleted>, <isSpam>, the <thread dsq:id> it belongs to and the <parent dsq:id> it answers.

Read as stream like the WordPress reader (stoa.wordpress.wxr): lxml iterparse with no DTD, no
entities, no network, no huge trees; a DOCTYPE is refused unread (Disqus never writes one), as
is a file cut off or malformed or not a Disqus export, always naming the line. Each record is
dropped from the tree once yielded, so memory stays flat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from lxml import etree

DISQUS = "http://disqus.com"
INTERNALS = "http://disqus.com/disqus-internals"
DSQ_ID = f"{{{INTERNALS}}}id"


class DisqusError(Exception):
    """The file is refused: not a Disqus export, malformed, cut off, or hostile. The message
    says why and names the line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"{message} (line {line})" if line else message)


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
    title: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Thread:
    """A page that had a discussion: matched to a post by its link or its identifier."""

    id: str
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
        return int(first) if first.isdigit() else None


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


def _ref(children: dict[str, Any], name: str) -> str:
    child = children.get(name)
    return (child.get(DSQ_ID) or "").strip() if child is not None else ""


class Reader:
    """Iterate over a Disqus export's records in file order. `source` is a path or a binary
    file object."""

    def __init__(self, source: str | IO[bytes]) -> None:
        self.source = source

    def __iter__(self) -> Iterator[Record]:
        try:
            yield from self._records()
        except etree.XMLSyntaxError as error:
            message, line = error.msg, error.lineno
            logged = [entry for entry in error.error_log if entry.level >= etree.ErrorLevels.ERROR]
            if not line and logged:
                message, line = logged[-1].message, logged[-1].line
            raise DisqusError(f"Not a complete, well-formed XML file: {message}", line) from None

    def _records(self) -> Iterator[Record]:
        etree.clear_error_log()
        parser = etree.iterparse(
            self.source,
            events=("start", "end"),
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
            dtd_validation=False,
            remove_comments=True,
            remove_pis=True,
            strip_cdata=True,
        )
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
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
            raise DisqusError(
                "Refused: the file declares a DOCTYPE, which a Disqus export never has",
                root.sourceline,
            )
        if _local(root.tag)[1] != "disqus":
            raise DisqusError(
                f"Not a Disqus export: the root element is <{_local(root.tag)[1]}>, not <disqus>",
                root.sourceline,
            )

    def _record(self, element: Any) -> Record | None:
        _, name = _local(element.tag)
        line = element.sourceline
        record_id = (element.get(DSQ_ID) or "").strip()
        if name not in ("category", "thread", "post"):
            return None
        if not record_id:
            raise DisqusError(f"A <{name}> without a dsq:id", line)
        children = _children(element)
        if name == "category":
            return Category(id=record_id, title=_text(children, "title").strip(), line=line)
        if name == "thread":
            return Thread(
                id=record_id,
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
