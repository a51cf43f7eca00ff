"""The XML safety both export readers share (wxr for WordPress, disqus for Disqus): lxml's
iterparse with no DTD, no entity resolved, nothing from the network and no huge trees; a file
declaring a DOCTYPE refused unread (neither exporter ever writes one, and entities hide
behind it); a malformed or cut-off file refused naming its line. Each reader keeps its own
error class (a subclass of Refused) and says what it was expecting."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from typing import IO, Any, TypeVar

from lxml import etree

T = TypeVar("T")

# How much of a file's start is searched for a DOCTYPE before it is parsed (refuse_doctype_ahead).
PROLOG_BYTES = 64 * 1024
# What may stand before the root element: comments and processing instructions (skipped), a
# DOCTYPE (refused), then the first element's start (the prolog ends there).
_PROLOG = re.compile(rb"<!--.*?-->|<\?.*?\?>|(<!DOCTYPE)|<[^?!]", re.S | re.I)


class Refused(Exception):
    """The file is refused: not the export it should be, malformed, cut off, or hostile.
    The message says why and names the line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"{message} (line {line})" if line else message)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as it reads (the import's reading process hands it over): the message
        # already names the line, which is kept beside it.
        return (_refused_again, (type(self), str(self), self.line))


def _refused_again(cls: type[Refused], text: str, line: int | None) -> Refused:
    error = cls.__new__(cls)
    Exception.__init__(error, text)
    error.line = line
    return error


def iterparse(
    source: str | IO[bytes] | io.RawIOBase,
    *,
    events: tuple[str, ...] = ("start", "end"),
    **options: Any,
) -> Any:
    """lxml's iterparse over `source` with the safe settings (`options` add a tag filter,
    say; they cannot loosen these)."""
    etree.clear_error_log()
    return etree.iterparse(
        source,
        **options,
        events=events,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        strip_cdata=True,
    )


def well_formed(records: Iterator[T], error: type[Refused]) -> Iterator[T]:
    """The records, or `error` naming the line where the XML stopped being well formed."""
    try:
        yield from records
    except etree.XMLSyntaxError as syntax:
        message, line = syntax.msg, syntax.lineno
        # iterparse sometimes raises a generic error without a line ("no element found");
        # the parser's log holds the real one, with its line.
        logged = [entry for entry in syntax.error_log if entry.level >= etree.ErrorLevels.ERROR]
        if not line and logged:
            message, line = logged[-1].message, logged[-1].line
        raise error(f"Not a complete, well-formed XML file: {message}", line) from None


def doctype_line(head: bytes) -> int | None:
    """The line of a DOCTYPE declared in `head` (a file's first bytes) before its root
    element, or None."""
    for match in _PROLOG.finditer(head):
        if match.group(1):
            return head.count(b"\n", 0, match.start()) + 1
        if not match.group().startswith((b"<!--", b"<?")):
            return None  # the root element: no DOCTYPE before it
    return None


def refuse_doctype_ahead(
    source: str | os.PathLike[str] | IO[bytes] | io.RawIOBase, error: type[Refused], export: str
) -> None:
    """Refuse a file declaring a DOCTYPE before a byte of it is parsed, naming the
    declaration's line: libxml2 takes a small file in one go, so an entity bomb would be
    expanded (up to its amplification limit, as huge_tree off sets it) and fail with a
    message about entities before the root's start is handed over and refuse_doctype can
    look. `source` is a path or a seekable binary file (read from where it stands, then put
    back there); anything else is left to refuse_doctype."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            head = handle.read(PROLOG_BYTES)
    elif callable(getattr(source, "seekable", None)) and source.seekable():  # Django's File too
        position = source.tell()
        head = source.read(PROLOG_BYTES)
        source.seek(position)
    else:
        return
    line = doctype_line(head)
    if line is not None:
        raise error(f"Refused: the file declares a DOCTYPE, which {export} never has", line)


def refuse_doctype(root: Any, error: type[Refused], export: str) -> None:
    """Refuse a file declaring a DOCTYPE, unread: its entities are neither loaded nor
    expanded. `export` names what the file should be ("a WordPress export")."""
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise error(
            f"Refused: the file declares a DOCTYPE, which {export} never has", root.sourceline
        )
