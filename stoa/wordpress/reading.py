"""The import's reading of a WXR file: its two passes as one stream of events, with what each
post will need worked out ahead of the writer: its comments' markup (as clean_comment draws
it), excerpts and fingerprints, and its body converted as WordPress shows it and sanitised
(clean_post_body) when it names none of the imported media (markup.convert_alone; one that
does is converted by the writer, which looks them up, and sanitised by import_posts). A
large file is read in a process of its own, which hands the events over in bounded chunks
while the importer writes: parsing and sanitising (about half of an import's work) then run
beside the database's, on another core.

The reading process touches no database and loads no project settings: it imports only the
reader, the sanitisers of comments and bodies, the excerpt (core.text, with django.utils)
and the bodies' conversion (markup), and is handed the one setting they read
(EMBED_PREFIXES, which players a body may embed). It never holds more than a few chunks
ahead of the writer (the queue is bounded), so memory stays flat however large the file is.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import gc
import hashlib
import io
import itertools
import json
import operator
import os
import pickle
import queue
import subprocess
import sys
import threading
import traceback
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple

from stoa.core.conf import stoa_setting
from stoa.discussion.sanitizers import clean_comment, comment_excerpt
from stoa.publishing.sanitizers import clean_post_body
from stoa.wordpress import markup, parsing, wxr

# A file at least this large is read in a process of its own; a smaller one in the importer's
# (starting a process costs about half a second, which a small file does not repay).
PROCESS_FROM_BYTES = 8 * 1024 * 1024
# Events handed over together, and the chunks that may wait for the importer (the reader's
# lead on the writer: a little more than a batch of posts with their comments).
CHUNK_EVENTS = 200
CHUNK_COMMENTS = 2000
QUEUE_CHUNKS = 4
# Seconds the reading process has to exit once its output has ended without its last word.
EXIT_WAIT = 5.0

# The cyclic garbage collector's first threshold while an import runs (Python's default is
# 700 allocations; see spaced_collections).
IMPORT_GC_THRESHOLD = 50_000

# The stages of the stream: a record of the first pass (the channel's records and the
# attachments), the end of that pass (its payload a Between), a record of the second pass
# (posts, pages, other items).
FIRST, BETWEEN, SECOND = 1, 0, 2


class Between(NamedTuple):
    """What the first pass learnt for the second: the site's offset from UTC (None until an
    item gave both dates), and the largest comment id of the file (0 without comments)."""

    offset: dt.timedelta | None
    largest_comment_id: int


@wxr.pickled_by_fields
@dataclass(frozen=True, slots=True)
class Drawn:
    """What one comment of a post needs from its text, worked out by the reader: its markup
    (clean_comment's, before what other apps add under the post), the excerpt drawn from
    that markup, and the fingerprint of what the export said of it."""

    html: str
    digest: str
    excerpt: str


@dataclass(frozen=True, slots=True)
class Event:
    stage: int
    record: Any  # a wxr record; for BETWEEN, a Between
    drawn: tuple[Drawn, ...] | None  # a post's comments, in its order
    done: int  # bytes read so far over both passes (of twice the file's size)
    # A post's body converted as the importer would (markup.convert_alone), when it needs
    # none of the imported media; else None, and the importer converts it.
    body: markup.Converted | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # What is drawn crosses as rows of (html, digest, excerpt), read by a C getter, as
        # an item's comments do (wxr.Item): a __reduce__ of each was most of pickling them.
        drawn = None if self.drawn is None else tuple(map(_DRAWN_VALUES, self.drawn))
        return (_event_again, (self.stage, self.record, drawn, self.done, self.body))


_DRAWN_VALUES = operator.attrgetter(*Drawn.__slots__)


def _event_again(
    stage: int,
    record: Any,
    drawn: tuple[tuple[str, str, str], ...] | None,
    done: int,
    body: markup.Converted | None,
) -> Event:
    rows = None if drawn is None else tuple(itertools.starmap(Drawn, drawn))
    return Event(stage, record, rows, done, body)


def digest(*values: Any) -> str:
    """A fingerprint of what the export said about one object."""
    return hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()


def comment_digest(comment: wxr.Comment) -> str:
    # Stoa's export names a member's account and an edit's time; other files keep the
    # digest they had.
    stoa = [comment.meta.get(key, "") for key in ("_stoa_member", "_stoa_edited_at")]
    return digest(
        comment.author, comment.email, comment.url, comment.ip, comment.date,
        comment.content, comment.approved, comment.type, comment.parent, comment.user_id,
        *(stoa if any(stoa) else ()),
    )  # fmt: skip


def _drawn(item: wxr.Item) -> tuple[Drawn, ...] | None:
    """A post's comments, drawn (events() asks for posts only)."""
    if not item.comments:
        return None
    return tuple(_drawn_comment(c) for c in item.comments)


def _drawn_comment(comment: wxr.Comment) -> Drawn:
    html = clean_comment(comment.content)
    return Drawn(html, comment_digest(comment), comment_excerpt(html))


@contextlib.contextmanager
def spaced_collections() -> Generator[None]:
    """The cyclic garbage collector run less often while an import reads or writes: an
    import makes and drops several objects a comment (records, rows, tuples), which at
    Python's default threshold start a collection every 700 allocations, and each of the
    ten-times-rarer older ones walks every object Django and the import keep alive. Timed
    with gc.callbacks at 100,000 comments: 1.45-1.80 s of the importer's CPU in
    collections at the default, 0.07-0.09 s at 50,000; its peak memory 5 MB higher.
    Collections still run (an import makes few cycles, and they are still freed), and the
    thresholds are given back at the end. They are the process's: an import in a worker
    that does other work meanwhile spaces its collections too, for as long."""
    before = gc.get_threshold()
    gc.set_threshold(IMPORT_GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


class CountingReader(io.RawIOBase):
    """A file read through, counting the bytes: the import's progress."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.done = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.done += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def file_size(handle: IO[bytes]) -> int:
    try:
        return os.fstat(handle.fileno()).st_size
    except (OSError, AttributeError, io.UnsupportedOperation):
        position = handle.tell()
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(position)
        return size


def events(handle: IO[bytes], *, local_zone: dt.tzinfo) -> Generator[Event]:
    """The two passes over a seekable binary file, in this process. A local date with no
    GMT one, before any item showed the site's offset, is taken in `local_zone`."""
    size = file_size(handle)
    start = handle.tell()
    # Here, where the file can still be read ahead and put back (the passes read it through
    # a counting reader, which cannot).
    parsing.refuse_doctype_ahead(handle, wxr.WXRError, "a WordPress export")
    counting = CountingReader(handle)
    first = wxr.Reader(
        counting, item_types=lambda kind: kind == "attachment", fallback_tz=local_zone
    )
    for record in first:
        yield Event(FIRST, record, None, counting.done)
    yield Event(BETWEEN, Between(first.dates.offset, first.largest_comment_id), None, size)
    handle.seek(start)
    counting = CountingReader(handle)
    second = wxr.Reader(
        counting,
        item_types=lambda kind: kind != "attachment",
        channel_records=False,
        fallback_tz=first.dates.fallback,
    )
    second.dates.offset = first.dates.offset
    addresses = first.site.addresses if first.site is not None else []
    for record in second:
        if isinstance(record, wxr.Item) and record.post_type == "post":
            body = markup.convert_alone(record.content, base_urls=addresses)
            if body is not None:
                body.sanitised = clean_post_body(body.html)
            yield Event(SECOND, record, _drawn(record), size + counting.done, body)
        else:
            yield Event(SECOND, record, None, size + counting.done)


def _write_all(out: IO[bytes], data: bytes) -> None:
    """All of `data`, however many writes it takes. Python run unbuffered (-u,
    PYTHONUNBUFFERED, which many containers set) makes sys.stdout.buffer the raw file, whose
    write() is one write(2): when the process is stopped (SIGSTOP, Ctrl-Z, a profiler) while
    that write waits on the full pipe, it returns the bytes written so far (write(2),
    signal(7)) and the rest is ours to write. A buffered writer loops itself and returns
    the whole length, so this costs it nothing."""
    view = memoryview(data)
    while view:
        view = view[out.write(view) :]


def _send(out: IO[bytes], message: tuple[str, Any]) -> None:
    """One message of the reading process: its length, then its pickle, each written whole
    (a message written in part, then the next, would make the importer read a length from
    the middle of a pickle)."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    _write_all(out, len(data).to_bytes(8, "big"))
    _write_all(out, data)


def _write_events(path: str, local_zone: dt.tzinfo, out: IO[bytes]) -> None:
    """The reading process: the file's events in chunks, then "done"; or what went wrong (a
    refused file's error as it is, anything else as its traceback)."""
    try:
        with Path(path).open("rb") as handle, spaced_collections():
            chunk: list[Event] = []
            comments = 0
            for event in events(handle, local_zone=local_zone):
                chunk.append(event)
                comments += len(event.drawn or ())
                if len(chunk) >= CHUNK_EVENTS or comments >= CHUNK_COMMENTS:
                    _send(out, ("events", chunk))
                    chunk, comments = [], 0
            _send(out, ("events", chunk))
        _send(out, ("done", None))
    except wxr.WXRError as error:
        _send(out, ("refused", error))
    except Exception:  # noqa: BLE001 - handed to the importer, which raises it
        _send(out, ("failed", traceback.format_exc()))
    out.flush()


class ReaderFailed(Exception):
    """The reading process stopped without finishing (killed, or a bug: its traceback)."""


def _read_all(stream: IO[bytes], size: int) -> bytes:
    """`size` bytes of the pipe, fewer only at its end. The buffered reader Popen gives reads
    on to the count itself; a raw one's read() is one read(2), which returns what the pipe
    holds (a message larger than the pipe, a writer stopped halfway): short is not the end."""
    data = stream.read(size)
    if len(data) == size or not data:
        return data
    parts = [data]
    wanted = size - len(data)
    while wanted and (more := stream.read(wanted)):
        parts.append(more)
        wanted -= len(more)
    return b"".join(parts)


def _drain(stream: IO[bytes], into: queue.Queue[bytes | None]) -> None:
    """The importer's side of the pipe, in a thread: whole messages, as bytes (reading
    releases the interpreter's lock; unpickling is left to the importer), up to the queue's
    bound ahead; None at the end of the output, after an empty message if the last one was
    cut short (the reader stopped in the middle of writing it: never unpickled)."""
    try:
        while len(head := _read_all(stream, 8)) == 8:
            size = int.from_bytes(head, "big")
            data = _read_all(stream, size)
            if len(data) != size:
                into.put(b"")
                break
            into.put(data)
    except (OSError, ValueError):  # the pipe closed under it: the importer stopped
        pass
    finally:
        into.put(None)


def events_in_process(path: str | Path, *, local_zone: dt.tzinfo) -> Generator[Event]:
    """events() of the file at `path`, read by a process of its own (this module run by
    the same Python: no database, no Django settings). Its messages are taken from the
    pipe by a thread as they come, up to QUEUE_CHUNKS ahead of the importer, so that the
    reader works on while the importer writes a batch; then the reader waits (memory stays
    flat). Stopping early (the importer failed) stops the reader."""
    root = str(Path(__file__).resolve().parents[2])  # where the stoa package is
    paths = [root, os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    zone = base64.b64encode(pickle.dumps(local_zone)).decode()
    # The one setting the bodies' sanitiser reads (which players may be embedded), as the
    # importer's settings say it.
    embeds = json.dumps(list(stoa_setting("EMBED_PREFIXES")))
    process = subprocess.Popen(  # noqa: S603 - this interpreter, this module, the file's path
        [sys.executable, "-m", "stoa.wordpress.reading", str(path), zone, embeds],
        stdout=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None  # noqa: S101 - asked for above
    messages: queue.Queue[bytes | None] = queue.Queue(maxsize=QUEUE_CHUNKS)
    drain = threading.Thread(
        target=_drain, args=(process.stdout, messages), name="stoa-wxr-reader", daemon=True
    )
    drain.start()
    try:
        while (data := messages.get()) is not None:
            if not data:
                raise ReaderFailed("The process reading the file stopped in mid-message.")
            kind, payload = pickle.loads(data)  # noqa: S301 - our own process
            if kind == "events":
                yield from payload
            elif kind == "done":
                return
            elif kind == "refused":
                raise payload
            else:
                raise ReaderFailed(f"The process reading the file failed:\n{payload}")
        # The output ended before "done": the process ended (its exit code says how), or
        # reading the pipe failed while it lives, and it would wait to write for ever.
        try:
            code = process.wait(timeout=EXIT_WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise ReaderFailed(
                "The process reading the file was stopped: its output could not be read, "
                f"and it was still running {EXIT_WAIT:g} s later."
            ) from None
        raise ReaderFailed(f"The process reading the file stopped (exit code {code}).")
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        # The thread ends at the pipe's end; a full queue is emptied for its last put.
        while drain.is_alive():
            with contextlib.suppress(queue.Empty):
                messages.get(timeout=0.1)
        process.stdout.close()


if __name__ == "__main__":
    # Through the module's own name, so that what is pickled names
    # stoa.wordpress.reading.Event, not __main__.Event.
    import types

    from django.conf import settings

    from stoa.wordpress import reading

    # No project settings here (no database): only what the sanitisers read, handed over.
    # Nothing else is there, not even Django's defaults: a setting read here that is not
    # handed over fails (AttributeError) rather than taking a default the site may not have.
    settings.configure(types.SimpleNamespace(), STOA={"EMBED_PREFIXES": json.loads(sys.argv[3])})

    reading._write_events(
        sys.argv[1],
        pickle.loads(base64.b64decode(sys.argv[2])),  # noqa: S301 - from the importer
        sys.stdout.buffer,
    )
