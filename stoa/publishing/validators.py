"""What the media library takes, from a file's contents: pictures through the project's one
image pipeline (stoa.core.images: pixel limit before decoding, re-encoded, nothing but the
pixels kept), and a short list of document, audio and video kinds kept as they came.

Anything else is refused, whatever its name says: files under /media/ are served from the
site's own origin, so an HTML page, an SVG or a script stored there could run as the site
(WordPress refuses such uploads too, through its list of allowed MIME types)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.text import get_valid_filename

from stoa.core import images

# WordPress's big_image_size_threshold: an uploaded photo is scaled down to 2560 pixels on
# its longest side, enough for any layout, and a smaller one is never enlarged.
LIBRARY_IMAGE = images.ImagePolicy(side=2560, accepts=images.WEB_FORMATS | {images.GIF})
# A person's photo on bylines and their author page (shown at 96 px): a square at twice the
# size for high-density screens, stored as WebP, as members' avatars are.
PERSON_PHOTO = images.ImagePolicy(side=384, square=True, output=images.WEBP)
IMAGE_TYPES = {
    images.JPEG: "image/jpeg",
    images.PNG: "image/png",
    images.WEBP: "image/webp",
}
DEFAULT_LIMITS = {"image": 10 * 1024 * 1024, "media": 100 * 1024 * 1024}

# The first bytes of each picture format the pipeline takes.
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp"})
ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Kind:
    """A file kind kept as it came: its MIME type and how its contents begin."""

    content_type: str
    magic: tuple[bytes, ...] = ()
    ftyp: bool = False  # an ISO media file: "ftyp" at offset 4
    riff: bytes = b""  # a RIFF file of this form ("WAVE")
    text: bool = False  # UTF-8 text without markup


DOCUMENTS: dict[str, Kind] = {
    ".pdf": Kind("application/pdf", (b"%PDF-",)),
    ".doc": Kind("application/msword", (OLE,)),
    ".xls": Kind("application/vnd.ms-excel", (OLE,)),
    ".ppt": Kind("application/vnd.ms-powerpoint", (OLE,)),
    ".docx": Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)
    ),
    ".xlsx": Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    ".pptx": Kind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,)
    ),
    ".odt": Kind("application/vnd.oasis.opendocument.text", (ZIP,)),
    ".ods": Kind("application/vnd.oasis.opendocument.spreadsheet", (ZIP,)),
    ".odp": Kind("application/vnd.oasis.opendocument.presentation", (ZIP,)),
    ".zip": Kind("application/zip", (ZIP,)),
    ".mp3": Kind("audio/mpeg", (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    ".m4a": Kind("audio/mp4", ftyp=True),
    ".mp4": Kind("video/mp4", ftyp=True),
    ".m4v": Kind("video/mp4", ftyp=True),
    ".mov": Kind("video/quicktime", ftyp=True),
    ".ogg": Kind("audio/ogg", (b"OggS",)),
    ".oga": Kind("audio/ogg", (b"OggS",)),
    ".ogv": Kind("video/ogg", (b"OggS",)),
    ".webm": Kind("video/webm", (b"\x1a\x45\xdf\xa3",)),
    ".wav": Kind("audio/wav", riff=b"WAVE"),
    ".txt": Kind("text/plain", text=True),
    ".csv": Kind("text/csv", text=True),
}


@dataclass(frozen=True)
class PreparedMedia:
    """What to store for a file given to the library."""

    data: bytes
    name: str  # a safe file name, its extension the kind's own
    content_type: str
    checksum: str  # SHA-256 of the bytes given
    width: int | None = None
    height: int | None = None


def upload_limit(name: str) -> int:
    """The size limit in bytes for "image" or "media" (other files), from the settings now."""
    limits = getattr(settings, "STOA_UPLOAD_LIMITS", {}) or {}
    return int(limits.get(name, DEFAULT_LIMITS[name]))


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_image(data: bytes) -> bool:
    """Whether the contents begin as a picture format the pipeline reads."""
    return data.startswith(IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _safe_stem(name: str) -> str:
    stem = PurePosixPath(name.replace("\\", "/")).stem
    try:
        safe = get_valid_filename(stem)
    except Exception:  # noqa: BLE001 - Django's SuspiciousFileOperation for "." or ".."
        safe = ""
    return safe[:100] or "file"


def prepare_media_file(data: bytes, *, name: str) -> PreparedMedia:
    """The file to store for `data` given as `name`, or a ValidationError on "file" saying
    why it is not taken. What it is comes from its contents: a picture is re-encoded whatever
    its name; a name promising a picture, or a document its contents are not, is refused."""
    suffix = PurePosixPath(name).suffix.lower()
    stem = _safe_stem(name)
    if is_image(data) or suffix in IMAGE_SUFFIXES:
        _check_size(data, "image")
        try:
            picture = images.prepare_image(data, policy=LIBRARY_IMAGE)
        except images.ImageRefused as refusal:
            raise ValidationError({"file": refusal.message}, code=refusal.code) from refusal
        return PreparedMedia(
            data=picture.data,
            name=f"{stem}{picture.extension}",
            content_type=IMAGE_TYPES[picture.format],
            checksum=checksum(data),
            width=picture.size[0],
            height=picture.size[1],
        )
    kind = DOCUMENTS.get(suffix)
    if kind is None:
        listed = ", ".join(sorted(s.lstrip(".").upper() for s in DOCUMENTS))
        raise ValidationError(
            {
                "file": f"Files of this kind are not taken. The library takes pictures (JPEG, "
                f"PNG, GIF, WebP) and these: {listed}."
            },
            code="wrong_type",
        )
    _check_size(data, "media")
    if not _matches(kind, data):
        raise ValidationError(
            {"file": f"This file is not the {suffix.lstrip('.').upper()} its name says it is."},
            code="wrong_type",
        )
    return PreparedMedia(
        data=data, name=f"{stem}{suffix}", content_type=kind.content_type, checksum=checksum(data)
    )


def reencode_person_photo(data: bytes, *, name: str) -> ContentFile[bytes]:
    """A person's photo through the image pipeline, to store instead of what was uploaded;
    or a ValidationError saying why it is not taken."""
    try:
        _check_size(data, "image")
    except ValidationError as error:
        raise ValidationError(error.message_dict["file"], code="too_large") from error
    try:
        picture = images.prepare_image(data, policy=PERSON_PHOTO)
    except images.ImageRefused as refusal:
        raise ValidationError(refusal.message, code=refusal.code) from refusal
    return ContentFile(picture.data, name=f"{_safe_stem(name)}{picture.extension}")


def _matches(kind: Kind, data: bytes) -> bool:
    if kind.text:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        # Text with tags in it could be taken for a page by a browser that sniffs.
        return "<" not in text
    if kind.ftyp:
        return len(data) >= 12 and data[4:8] == b"ftyp"
    if kind.riff:
        return data[:4] == b"RIFF" and data[8:12] == kind.riff
    return data.startswith(kind.magic)


def _check_size(data: bytes, limit: str) -> None:
    maximum = upload_limit(limit)
    if len(data) > maximum:
        raise ValidationError(
            {
                "file": f"This file is {len(data) / 1048576:.1f} MB; files of this kind may be "
                f"{maximum / 1048576:g} MB at most."
            },
            code="too_large",
        )
