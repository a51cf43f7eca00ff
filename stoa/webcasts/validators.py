"""Checks on uploads and video addresses: a file's type is what its first bytes say, never
its name; sizes stay under limits (settings.STOA_UPLOAD_LIMITS); images are decoded, verified and
re-encoded by stoa.core.images, which drops metadata and anything riding along."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.deconstruct import deconstructible
from django.utils.text import get_valid_filename

from stoa.core import images

MP4, WEBM, VTT, PNG, JPEG, WEBP, GIF, MATROSKA = (
    "mp4",
    "webm",
    "vtt",
    "png",
    "jpeg",
    "webp",
    "gif",
    "matroska",
)
VIDEO_KINDS = (MP4, WEBM)
CAPTION_KINDS = (VTT,)
IMAGE_KINDS = (PNG, JPEG, WEBP)
EXTENSIONS = {
    MP4: ".mp4",
    WEBM: ".webm",
    VTT: ".vtt",
    PNG: ".png",
    JPEG: ".jpg",
    WEBP: ".webp",
    GIF: ".gif",
}
CONTENT_TYPES = {
    MP4: "video/mp4",
    WEBM: "video/webm",
    VTT: "text/vtt; charset=utf-8",
    PNG: "image/png",
    JPEG: "image/jpeg",
    WEBP: "image/webp",
    GIF: "image/gif",
}
NAMES = {
    MP4: "an MP4 video",
    WEBM: "a WebM video",
    VTT: "WebVTT captions",
    PNG: "a PNG image",
    JPEG: "a JPEG image",
    WEBP: "a WebP image",
    GIF: "a GIF image",
    MATROSKA: "a Matroska (MKV) video, not WebM",
}
MIB = 1024 * 1024
# Bytes; settings.STOA_UPLOAD_LIMITS overrides any of them.
DEFAULT_LIMITS = {
    "session": 4096 * MIB,
    "clip": 200 * MIB,
    "captions": 2 * MIB,
    "image": 10 * MIB,
}
MAX_IMAGE_SIDE = 2400  # re-encoded images are scaled down to fit
# Series artwork and clip posters: stored in the format uploaded, no side over MAX_IMAGE_SIDE.
ARTWORK = images.ImagePolicy(side=MAX_IMAGE_SIDE)

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
# EBML DocType element (0x4282), its one-byte size, then the type.
WEBM_DOCTYPE = b"\x42\x82\x84webm"
MATROSKA_DOCTYPE = b"\x42\x82\x88matroska"
VTT_SIGNATURE = re.compile(rb"^(?:\xef\xbb\xbf)?WEBVTT(?:[ \t\r\n]|$)")


def sniff(head: bytes) -> str | None:
    """What a file is, from its first bytes (64 are enough), or None if not one we take."""
    if len(head) >= 12 and head[4:8] == b"ftyp" and int.from_bytes(head[:4], "big") >= 8:
        return MP4
    if head.startswith(EBML_MAGIC):
        if WEBM_DOCTYPE in head:
            return WEBM
        return MATROSKA if MATROSKA_DOCTYPE in head else None
    if VTT_SIGNATURE.match(head):
        return VTT
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    return None


def upload_limit(name: str) -> int:
    """The size limit, in bytes, for one kind of upload (read from the settings now)."""
    limits = getattr(settings, "STOA_UPLOAD_LIMITS", {}) or {}
    return int(limits.get(name, DEFAULT_LIMITS[name]))


def human_size(size: int) -> str:
    for unit, factor in (("GB", 1024 * MIB), ("MB", MIB), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}".replace(".0 ", " ")
    return f"{size} bytes"


def _is_stored(file: Any) -> bool:
    """A file already in storage (an unchanged field on an edit form): checked on upload."""
    return bool(getattr(file, "_committed", False))


def _read(file: Any, size: int) -> bytes:
    handle: IO[bytes] = getattr(file, "file", None) or file
    position = handle.tell()
    try:
        handle.seek(0)
        return handle.read(size)
    finally:
        handle.seek(position)


def _kind_list(kinds: tuple[str, ...]) -> str:
    """ "an MP4 or WebM video", "WebVTT captions"."""
    if set(kinds) <= set(VIDEO_KINDS):
        return "an " + " or ".join(NAMES[k].split(" ")[1] for k in kinds) + " video"
    return " or ".join(NAMES[k] for k in kinds)


def _check_size(file: Any, limit: str) -> None:
    maximum = upload_limit(limit)
    if file.size is not None and file.size > maximum:
        raise ValidationError(
            "This file is %(size)s; files of this kind may be %(limit)s at most.",
            code="too_large",
            params={"size": human_size(file.size), "limit": human_size(maximum)},
        )


@deconstructible
class FileTypeValidator:
    """Accept only files whose contents are one of `kinds`, within the `limit` size."""

    def __init__(self, *, kinds: tuple[str, ...], limit: str) -> None:
        self.kinds = tuple(kinds)
        self.limit = limit

    def __call__(self, file: Any) -> None:
        if not file or _is_stored(file):
            return
        _check_size(file, self.limit)
        kind = sniff(_read(file, 64))
        if kind not in self.kinds:
            found = f"it is {NAMES[kind]}" if kind else "we cannot tell what it is"
            raise ValidationError(
                "This file is not %(wanted)s: %(found)s, whatever its name says.",
                code="wrong_type",
                params={"wanted": _kind_list(self.kinds), "found": found},
            )
        if kind == VTT:
            try:
                _read(file, upload_limit("captions") + 1).decode("utf-8")
            except UnicodeDecodeError as error:
                raise ValidationError(
                    "These captions are not UTF-8 text.", code="not_utf8"
                ) from error

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, FileTypeValidator)
            and other.kinds == self.kinds
            and other.limit == self.limit
        )


def _refused(refusal: images.ImageRefused) -> ValidationError:
    return ValidationError(refusal.message, code=refusal.code)


@deconstructible
class ImageValidator:
    """Accept PNG, JPEG and WebP images that Pillow decodes, within the image size limit."""

    def __call__(self, file: Any) -> None:
        if not file or _is_stored(file):
            return
        _check_size(file, "image")
        kind = sniff(_read(file, 64))
        if kind not in IMAGE_KINDS:
            found = NAMES[kind] if kind else "not an image"
            raise ValidationError(
                "Images must be PNG, JPEG or WebP; this file is %(found)s.",
                code="wrong_type",
                params={"found": found},
            )
        try:
            images.check_image(_read(file, upload_limit("image")), policy=ARTWORK)
        except images.ImageRefused as refusal:
            raise _refused(refusal) from refusal

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ImageValidator)


def reencode_image(file: Any) -> ContentFile[bytes]:
    """A fresh encoding of an uploaded image by the ARTWORK policy, to store instead of what
    was uploaded, named after it; or a ValidationError saying why it is not taken."""
    _check_size(file, "image")
    try:
        picture = images.prepare_image(_read(file, upload_limit("image")), policy=ARTWORK)
    except images.ImageRefused as refusal:
        raise _refused(refusal) from refusal
    stem = get_valid_filename(PurePosixPath(getattr(file, "name", "") or "image").stem) or "image"
    return ContentFile(picture.data, name=f"{stem}{picture.extension}")


# ---------------------------------------------------------------------------- video addresses


@dataclass(frozen=True)
class VideoSource:
    """How a player shows a video address: a host's iframe (`embed`) or a file (`src`)."""

    kind: str  # "youtube", "vimeo" or "file"
    embed: str = ""
    src: str = ""
    content_type: str = ""


YOUTUBE_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "youtu.be",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
    }
)
VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})
YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
YOUTUBE_PATH = re.compile(r"/(?:embed|shorts|live|v)/([A-Za-z0-9_-]{11})/?")
VIMEO_PATH = re.compile(r"/(?:video/|channels/[\w-]+/)?(\d{1,12})(?:/([0-9a-f]{6,20}))?/?")
START = re.compile(r"(?:(\d{1,2})h)?(?:(\d{1,3})m)?(?:(\d{1,5})s?)?")
FILE_PATH = re.compile(r"/[A-Za-z0-9._~/%-]+\.(mp4|webm)", re.IGNORECASE)


def _start_seconds(value: str) -> int:
    match = START.fullmatch(value or "")
    if not value or not match:
        return 0
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _site_host() -> str:
    return urlsplit(getattr(settings, "STOA_SITE_URL", "")).netloc.lower()


def parse_video_url(url: str) -> VideoSource | None:
    """The player for an allowed video address: YouTube (as youtube-nocookie), Vimeo, or an
    MP4/WebM file on this site; None for anything else."""
    url = (url or "").strip()
    if not url or any(c.isspace() or c in "\"'<>\\" for c in url):
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    query = parse_qs(parts.query)
    if parts.scheme in ("http", "https") and host in YOUTUBE_HOSTS:
        video_id = ""
        if host == "youtu.be":
            video_id = parts.path.strip("/")
        elif parts.path in ("/watch", "/watch/"):
            video_id = (query.get("v") or [""])[0]
        elif match := YOUTUBE_PATH.fullmatch(parts.path):
            video_id = match[1]
        if not YOUTUBE_ID.fullmatch(video_id):
            return None
        start = _start_seconds((query.get("t") or query.get("start") or [""])[0])
        embed = f"https://www.youtube-nocookie.com/embed/{video_id}"
        return VideoSource("youtube", embed=embed + (f"?start={start}" if start else ""))
    if parts.scheme in ("http", "https") and host in VIMEO_HOSTS:
        match = VIMEO_PATH.fullmatch(parts.path)
        if not match:
            return None
        video_id, private_hash = match[1], match[2] or (query.get("h") or [""])[0]
        if private_hash and not re.fullmatch(r"[0-9a-f]{6,20}", private_hash):
            return None
        embed = f"https://player.vimeo.com/video/{video_id}"
        return VideoSource("vimeo", embed=embed + (f"?h={private_hash}" if private_hash else ""))
    # A file on this site: a path, or an address on the site's own host.
    own = parts.scheme in ("http", "https") and host and parts.netloc.lower() == _site_host()
    if (not parts.scheme and not parts.netloc) or own:
        match = FILE_PATH.fullmatch(parts.path)
        if match and ".." not in parts.path.split("/"):
            kind = match[1].lower()
            src = parts.path + (f"?{parts.query}" if parts.query else "")
            return VideoSource("file", src=src, content_type=CONTENT_TYPES[kind])
    return None


def validate_video_url(value: str) -> None:
    """Refuse a video address that is not YouTube, Vimeo or an MP4/WebM on this site."""
    if parse_video_url(value) is None:
        raise ValidationError(
            "Use a YouTube or Vimeo link, or the path of an MP4 or WebM file on this site "
            "(for example /media/clips/talk.mp4).",
            code="video_url",
        )
