"""Serving webcast files: from Django with HTTP Range support (so players can seek), or
by handing the file to nginx with X-Accel-Redirect (settings.STOA_MEDIA_ACCEL_REDIRECT).

One range per request is served (206 Partial Content); a request for several ranges gets
the whole file (200), which RFC 9110 allows. A range past the end answers 416 with the
size. Files keep their name for life (uploads get fresh random names), so an ETag made
from the name and size is enough for If-None-Match and If-Range.

Every file served here lives in the protected storage (storage.py). The caller says whether
anyone at all may have it (a public clip's): then shared caches may keep it for a day;
otherwise it is `private`, for this reader's browser only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import IO, NamedTuple
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.http import parse_etags

CHUNK = 64 * 1024
RANGE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")


class Unsatisfiable(Exception):
    """The range asked for lies outside the file."""


class ByteRange(NamedTuple):
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one range a Range header asks for, None for the whole file (no header, several
    ranges, or one we cannot read: ignored, as RFC 9110 says), or Unsatisfiable."""
    if not header:
        return None
    header = header.strip()
    if "," in header:
        return None
    match = RANGE.fullmatch(header.replace(" ", ""))
    if not match or match[1] == match[2] == "":
        return None
    first, last = match[1], match[2]
    if first == "":  # the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise Unsatisfiable
    end = int(last) if last else size - 1
    return ByteRange(start, min(end, size - 1))


def etag_for(name: str, size: int) -> str:
    return '"' + hashlib.blake2b(f"{name}:{size}".encode(), digest_size=12).hexdigest() + '"'


def _chunks(file: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        file.seek(start)
        left = length
        while left > 0:
            data = file.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data
    finally:
        file.close()


def accel_prefix(storage: Storage) -> str | None:
    """Where nginx finds the protected files (X-Accel-Redirect to its `internal` location),
    or None to send them from here: only for files on disk, and only when the setting is on."""
    prefix = getattr(settings, "STOA_MEDIA_ACCEL_REDIRECT", "") or ""
    if not prefix or not isinstance(storage, FileSystemStorage):
        return None
    return "/" + prefix.strip("/") + "/"


def serve(
    request: HttpRequest,
    storage: Storage,
    name: str,
    *,
    content_type: str,
    shared: bool = False,
) -> HttpResponseBase:
    """The file `name` of `storage`, whole or the range asked for. `shared`: anyone may have
    it, so shared caches may keep it; otherwise it is for this reader only (`private`)."""
    cache_control = "public, max-age=86400" if shared else "private, max-age=3600"
    prefix = accel_prefix(storage)
    if prefix is not None:
        # nginx serves the file from an `internal` location, with ranges; no body here.
        accel = HttpResponse(content_type=content_type)
        accel["X-Accel-Redirect"] = prefix + quote(name)
        accel["Cache-Control"] = cache_control
        accel["Content-Disposition"] = "inline"
        return accel
    size = storage.size(name)
    etag = etag_for(name, size)
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Cache-Control": cache_control,
        "Content-Disposition": "inline",
    }
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match and etag in {t.removeprefix("W/") for t in parse_etags(if_none_match)}:
        unchanged = HttpResponse(status=304)
        for key, value in headers.items():
            unchanged[key] = value
        return unchanged
    try:
        byte_range = parse_range(request.headers.get("Range"), size)
    except Unsatisfiable:
        refused = HttpResponse(status=416, content_type="text/plain; charset=utf-8")
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    if byte_range is not None and request.headers.get("If-Range", etag) != etag:
        byte_range = None  # the reader's copy is of another file: send it all
    status, start, length = 200, 0, size
    if byte_range is not None:
        status, start, length = 206, byte_range.start, byte_range.length
    if request.method == "HEAD":
        body: Iterator[bytes] = iter(())
    else:
        body = _chunks(storage.open(name, "rb"), start, length)
    response = StreamingHttpResponse(body, status=status, content_type=content_type)
    for key, value in headers.items():
        response[key] = value
    response["Content-Length"] = str(length)
    if byte_range is not None:
        response["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{size}"
    return response
