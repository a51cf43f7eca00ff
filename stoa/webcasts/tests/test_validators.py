"""Upload checks: types by content (never by name), sizes, images decoded and re-encoded,
and the allowlist of video addresses."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from stoa.webcasts import validators
from stoa.webcasts.tests.factories import CAPTIONS, mp4_bytes, png_bytes, webm_bytes
from stoa.webcasts.validators import (
    CAPTION_KINDS,
    VIDEO_KINDS,
    FileTypeValidator,
    ImageValidator,
    parse_video_url,
    reencode_image,
    sniff,
    validate_video_url,
)

VIDEO = FileTypeValidator(kinds=VIDEO_KINDS, limit="clip")
CAPTIONS_CHECK = FileTypeValidator(kinds=CAPTION_KINDS, limit="captions")


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def jpeg_with_exif(size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, "orange")
    exif = Image.Exif()
    exif[0x010F] = "Phone Maker"  # Make
    exif[0x010E] = "Taken at 40.4461 N, 79.9822 W"  # ImageDescription: where it was taken
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def webp_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "navy").save(out, "WEBP")
    return out.getvalue()


def matroska_bytes() -> bytes:
    return bytes.fromhex("1a45dfa3") + b"\xa3\x42\x86\x81\x01\x42\x82\x88matroska" + b"\x00" * 20


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (mp4_bytes(), "mp4"),
        (webm_bytes()[:64], "webm"),
        (matroska_bytes(), "matroska"),
        (CAPTIONS, "vtt"),
        (b"\xef\xbb\xbfWEBVTT\n\n", "vtt"),
        (b"WEBVTT", "vtt"),
        (png_bytes(), "png"),
        (jpeg_with_exif(), "jpeg"),
        (webp_bytes(), "webp"),
        (b"GIF89a\x01\x00", "gif"),
        (b"WEBVTTX\n", None),
        (b"<html><script>alert(1)</script>", None),
        (b"\x00\x00\x00\x04ftyp", None),  # a box too small to be one
        (b"", None),
    ],
)
def test_the_first_bytes_say_what_a_file_is(data: bytes, kind: str | None) -> None:
    assert sniff(data[:64]) == kind


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (webm_bytes(), "talk.mp4"),
        (mp4_bytes(), "talk.webm"),
        (webm_bytes(), "no-extension"),
        (mp4_bytes(), "talk.vtt"),
    ],
    ids=["webm-named-mp4", "mp4-named-webm", "webm-unnamed", "mp4-named-vtt"],
)
def test_a_real_video_passes_whatever_its_name(data: bytes, name: str) -> None:
    file = upload(data, name)
    assert VIDEO(file) is None  # no ValidationError
    # And it is left whole, from its first byte, for storage.
    assert file.tell() == 0
    assert file.read() == data


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (png_bytes(), "clip.mp4", "it is a PNG image, whatever its name says"),
        (b"<script>alert(1)</script>", "clip.webm", "we cannot tell what it is"),
        (matroska_bytes(), "clip.webm", "it is a Matroska (MKV) video, not WebM"),
        (CAPTIONS, "clip.mp4", "it is WebVTT captions"),
    ],
)
def test_a_file_that_is_not_a_video_is_refused_whatever_its_name(
    data: bytes, name: str, says: str
) -> None:
    with pytest.raises(ValidationError) as error:
        VIDEO(upload(data, name))
    assert error.value.code == "wrong_type"
    assert "This file is not an MP4 or WebM video" in error.value.messages[0]
    assert says in error.value.messages[0]


def test_captions_must_be_webvtt_in_utf8() -> None:
    CAPTIONS_CHECK(upload(CAPTIONS, "captions.txt"))
    with pytest.raises(ValidationError) as error:
        CAPTIONS_CHECK(upload(webm_bytes(), "captions.vtt"))
    assert error.value.code == "wrong_type"
    assert error.value.messages[0].startswith("This file is not WebVTT captions: it is a WebM")
    with pytest.raises(ValidationError) as error:
        CAPTIONS_CHECK(upload(b"WEBVTT\n\n00:00.000 --> 00:01.000\nCaf\xe9\n", "c.vtt"))
    assert error.value.code == "not_utf8"


def test_a_file_over_the_limit_is_refused_with_both_sizes(settings: Any) -> None:
    settings.STOA_UPLOAD_LIMITS = {"clip": 1024}
    with pytest.raises(ValidationError) as error:
        VIDEO(upload(webm_bytes(), "clip.webm"))
    assert error.value.code == "too_large"
    assert "1 KB at most" in error.value.messages[0]
    settings.STOA_UPLOAD_LIMITS = {"clip": len(webm_bytes())}
    VIDEO(upload(webm_bytes(), "clip.webm"))


class CountedReads(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads = 0

    def read(self, size: int | None = -1) -> bytes:
        self.reads += 1
        return super().read(size)


@pytest.mark.parametrize(
    "validator", [VIDEO, CAPTIONS_CHECK, ImageValidator()], ids=["video", "captions", "image"]
)
def test_a_stored_file_is_not_checked_again(settings: Any, validator: Any) -> None:
    # Over every limit and none of the kinds: checked, it would be refused.
    settings.STOA_UPLOAD_LIMITS = {"clip": 1, "captions": 1, "image": 1}
    new, stored = File(CountedReads(b"anything"), "a.bin"), File(CountedReads(b"anything"), "a.bin")
    stored._committed = True  # type: ignore[attr-defined]

    with pytest.raises(ValidationError):
        validator(new)
    validator(stored)

    assert stored.file.reads == 0


def test_images_are_decoded_not_just_sniffed() -> None:
    ImageValidator()(upload(png_bytes(), "poster.png"))
    ImageValidator()(upload(webp_bytes(), "poster.webp"))
    with pytest.raises(ValidationError) as error:
        ImageValidator()(upload(png_bytes()[:40], "poster.png"))
    assert error.value.code in ("broken_image", "not_image")
    with pytest.raises(ValidationError) as error:
        ImageValidator()(upload(b"GIF89a" + b"\x00" * 30, "poster.gif"))
    assert error.value.code == "wrong_type"
    with pytest.raises(ValidationError) as error:
        ImageValidator()(upload(webm_bytes(), "poster.png"))
    assert error.value.code == "wrong_type"


def test_an_image_of_too_many_pixels_is_refused(settings: Any) -> None:
    settings.STOA_IMAGE_MAX_PIXELS = 500
    with pytest.raises(ValidationError) as error:
        ImageValidator()(upload(png_bytes((40, 40)), "big.png"))
    assert error.value.code == "too_many_pixels"
    assert "too many pixels (40 × 40)" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        reencode_image(upload(png_bytes((40, 40)), "big.png"))
    assert error.value.code == "too_many_pixels"


def test_a_broken_image_is_refused_in_words_for_its_uploader() -> None:
    with pytest.raises(ValidationError) as error:
        reencode_image(upload(png_bytes()[:-20], "poster.png"))  # IDAT cut short
    assert error.value.code == "broken_image"
    assert error.value.messages == [
        "This file is not a picture we can read: it seems damaged or incomplete. Please try "
        "again, or choose another."
    ]
    with pytest.raises(ValidationError) as error:
        reencode_image(upload(b"GIF89a" + b"\x00" * 30, "poster.gif"))
    assert error.value.code == "not_image"
    assert "Please upload a JPEG, PNG or WebP image." in error.value.messages[0]


def test_an_image_over_the_size_limit_is_refused(settings: Any) -> None:
    settings.STOA_UPLOAD_LIMITS = {"image": 10}
    with pytest.raises(ValidationError) as error:
        ImageValidator()(upload(png_bytes(), "poster.png"))
    assert error.value.code == "too_large"


def test_reencoding_keeps_the_format_and_drops_the_metadata() -> None:
    original = jpeg_with_exif()
    assert Image.open(io.BytesIO(original)).getexif()

    fresh = reencode_image(upload(original, "holiday photo.jpeg"))

    assert fresh.name == "holiday_photo.jpg"
    image = Image.open(io.BytesIO(fresh.read()))
    assert image.format == "JPEG"
    assert image.size == (64, 48)
    assert not image.getexif()


def test_reencoding_scales_a_huge_image_down_and_names_it_by_what_it_is() -> None:
    fresh = reencode_image(upload(png_bytes((3000, 1500)), "poster.jpg"))
    assert fresh.name == "poster.png"
    image = Image.open(io.BytesIO(fresh.read()))
    assert image.format == "PNG"
    assert image.size == (validators.MAX_IMAGE_SIDE, validators.MAX_IMAGE_SIDE // 2)


@pytest.mark.parametrize(
    ("url", "kind", "player"),
    [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "youtube",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        (
            "https://youtu.be/dQw4w9WgXcQ?t=1m30s",
            "youtube",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90",
        ),
        (
            "https://www.youtube.com/embed/dQw4w9WgXcQ?start=42",
            "youtube",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=42",
        ),
        (
            "https://www.youtube.com/shorts/dQw4w9WgXcQ",
            "youtube",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://vimeo.com/76979871", "vimeo", "https://player.vimeo.com/video/76979871"),
        (
            "https://vimeo.com/76979871/abcdef1234",
            "vimeo",
            "https://player.vimeo.com/video/76979871?h=abcdef1234",
        ),
        (
            "https://player.vimeo.com/video/76979871",
            "vimeo",
            "https://player.vimeo.com/video/76979871",
        ),
        ("/media/clips/talk.mp4", "file", "/media/clips/talk.mp4"),
        ("/media/clips/Talk.WEBM", "file", "/media/clips/Talk.WEBM"),
        ("http://127.0.0.1:8000/media/clips/talk.mp4", "file", "/media/clips/talk.mp4"),
    ],
)
def test_allowed_video_addresses_get_their_player(url: str, kind: str, player: str) -> None:
    source = parse_video_url(url)
    assert source is not None
    assert source.kind == kind
    assert (source.embed or source.src) == player
    validate_video_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/clip.mp4",
        "//evil.example/clip.mp4",
        "javascript:alert(1)//.mp4",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://vimeo.com/channels/staffpicks",
        "https://dailymotion.com/video/x7",
        "/media/clips/talk.mov",
        "/media/../secret/talk.mp4",
        "/media/clips/talk .mp4",
        '/media/clips/ta"lk.mp4',
        "ftp://127.0.0.1:8000/clip.mp4",
        "",
    ],
)
def test_other_video_addresses_are_refused(url: str) -> None:
    assert parse_video_url(url) is None
    with pytest.raises(ValidationError):
        validate_video_url(url)
