"""Uploaded pictures, one way in: what a file is comes from its contents, never its name; an
image of too many pixels is refused from its header, before any pixel is decoded; what is
stored is a fresh encoding, upright (EXIF orientation applied), sized for its use, and with
nothing of the upload but its pixels (no EXIF, GPS location, camera, comments or trailing
bytes). Each use (avatars, series artwork, clip posters) is an ImagePolicy.

A refusal is an ImageRefused, whose message is written for the person who uploaded the file;
callers turn it into their own ValidationError."""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

# Enough for a 24-megapixel phone photo (5712 × 4284 is 24.5 million) and most cameras; an
# image beyond it is far more likely a decompression bomb than a picture. settings may lower
# or raise it (STOA_IMAGE_MAX_PIXELS).
DEFAULT_MAX_PIXELS = 32_000_000

# Pillow's format names, in the order a message lists them.
JPEG, PNG, GIF, WEBP = "JPEG", "PNG", "GIF", "WEBP"
WEB_FORMATS = frozenset({JPEG, PNG, WEBP})
SHOWN_AS = {JPEG: "JPEG", PNG: "PNG", GIF: "GIF", WEBP: "WebP"}
EXTENSIONS = {JPEG: ".jpg", PNG: ".png", WEBP: ".webp"}
# How each stored format is written. PNG is lossless; the qualities are visually lossless for
# photos at the sizes stored.
ENCODINGS: dict[str, dict[str, Any]] = {
    JPEG: {"quality": 88, "optimize": True},
    PNG: {"optimize": True},
    WEBP: {"quality": 85, "method": 4},
}
# What may go wrong inside Pillow's parsers on a damaged or hostile file. A decoder that meets
# something else is a bug to hear about, so nothing broader is caught.
BROKEN = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)


class ImageRefused(Exception):
    """Why an uploaded picture is not taken: `message` is for the person who sent it, `code`
    for callers and tests ("not_image", "broken_image", "too_many_pixels")."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ImagePolicy:
    """What one use of pictures takes, and what it stores.

    side: the stored square's side when `square`, else the longest side (a smaller image is
    not enlarged). output: the stored format, or None for the upload's own (GIF becomes PNG).
    accepts: the formats taken, by content."""

    side: int
    square: bool = False
    output: str | None = None
    accepts: frozenset[str] = WEB_FORMATS


@dataclass(frozen=True)
class PreparedImage:
    """A fresh encoding to store instead of what was uploaded."""

    data: bytes
    format: str
    size: tuple[int, int]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def max_pixels() -> int:
    """The most pixels an uploaded image may have (read from the settings now)."""
    return int(getattr(settings, "STOA_IMAGE_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def check_image(data: bytes, *, policy: ImagePolicy) -> None:
    """Decode the image as prepare_image would, or raise ImageRefused saying why not."""
    _decode(data, policy).close()


def prepare_image(data: bytes, *, policy: ImagePolicy) -> PreparedImage:
    """The upload re-encoded by `policy`, or ImageRefused saying why it is not taken."""
    image = _decode(data, policy)
    output = policy.output or (image.format if image.format in ENCODINGS else PNG)
    # JPEG has no transparency; the others keep it if the upload has any.
    mode = "RGBA" if output != JPEG and image.has_transparency_data else "RGB"
    if image.mode != mode:
        converted = image.convert(mode)
        image.close()  # one full-size copy at a time
        image = converted
    # Sized before being turned upright: a centred square crop and a bound on the longest side
    # come out the same either way, and the rotation then copies the small image, not the big.
    if policy.square:
        image = ImageOps.fit(image, (policy.side, policy.side), method=Image.Resampling.LANCZOS)
    else:
        image.thumbnail((policy.side, policy.side), Image.Resampling.LANCZOS)
    image = ImageOps.exif_transpose(image)
    # Only pixels go out. Pillow's encoders write what they are given, except that some also
    # take from `info` (the PNG encoder, an ICC profile): emptied, every format stores alike.
    image.info = {}
    out = io.BytesIO()
    image.save(out, format=output, **ENCODINGS[output])
    return PreparedImage(data=out.getvalue(), format=output, size=image.size)


def _decode(data: bytes, policy: ImagePolicy) -> Image.Image:
    """The first frame of the image, decoded (a JPEG at a reduced scale when it is far larger
    than the policy stores), or ImageRefused."""
    formats = sorted(policy.accepts)
    try:
        with warnings.catch_warnings():
            # Pillow only warns at its own, higher, limit: a warning is a refusal here too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the parsers of formats we take ever see the upload.
            with Image.open(io.BytesIO(data), formats=formats) as probe:
                # Opening read the header only: nothing is decoded before this check.
                _check_pixels(probe)
                probe.verify()  # the file's structure and checksums; the image is spent after
            image = Image.open(io.BytesIO(data), formats=formats)
            try:
                # A JPEG decodes at 1/2, 1/4 or 1/8 scale if that still covers what is stored.
                image.draft(None, (policy.side, policy.side))
                image.load()
            except BaseException:
                image.close()
                raise
    except UnidentifiedImageError:
        raise _unreadable(policy) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRefused(
            f"This picture has too many pixels; please upload one of at most "
            f"{_megapixels(max_pixels())} megapixels.",
            code="too_many_pixels",
        ) from error
    except BROKEN as error:
        raise ImageRefused(
            "This file is not a picture we can read: it seems damaged or incomplete. Please "
            "try again, or choose another.",
            code="broken_image",
        ) from error
    # A JPEG with more pictures in it (as some cameras write) is opened as "MPO".
    if image.format == "MPO":
        image.format = JPEG
    return image


def _check_pixels(image: Image.Image) -> None:
    limit = max_pixels()
    if image.width * image.height > limit:
        raise ImageRefused(
            f"This picture has too many pixels ({image.width} × {image.height}); please "
            f"upload one of at most {_megapixels(limit)} megapixels.",
            code="too_many_pixels",
        )


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:g}"


def _unreadable(policy: ImagePolicy) -> ImageRefused:
    names = [SHOWN_AS[name] for name in SHOWN_AS if name in policy.accepts]
    listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
    return ImageRefused(
        f"This file is not a picture we can read. Please upload a {listed} image.",
        code="not_image",
    )
