"""The one way in for uploaded pictures: formats by content, refusals in words for the uploader,
the pixel limit before decoding, metadata gone, orientation applied, sizes by policy."""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from typing import Any

import pytest
from PIL import ExifTags, Image, ImageCms, ImageFile, PngImagePlugin

from stoa.core.images import (
    DEFAULT_MAX_PIXELS,
    GIF,
    WEB_FORMATS,
    ImagePolicy,
    ImageRefused,
    check_image,
    max_pixels,
    prepare_image,
)

WITHIN = ImagePolicy(side=100)
SQUARE = ImagePolicy(side=32, square=True, output="WEBP")


def encoded(image: Image.Image, fmt: str, **save: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def photo(size: tuple[int, int] = (80, 60), fmt: str = "JPEG", **save: Any) -> bytes:
    return encoded(Image.new("RGB", size, "orange"), fmt, **save)


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def refusal(data: bytes, policy: ImagePolicy = WITHIN) -> ImageRefused:
    with pytest.raises(ImageRefused) as raised:
        prepare_image(data, policy=policy)
    return raised.value


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pixel_bomb(width: int = 8000, height: int = 5000) -> bytes:
    """A valid one-bit PNG of width × height pixels (40 million) that is a few kilobytes."""
    row = b"\x00" + bytes(width // 8)  # filter byte, then a row of black pixels
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


# --- Formats, by content ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_png_jpeg_and_webp_are_stored_fresh_in_their_own_format(fmt: str) -> None:
    prepared = prepare_image(photo(fmt=fmt), policy=WITHIN)

    stored = opened(prepared.data)
    assert stored.format == prepared.format == fmt
    assert stored.size == prepared.size == (80, 60)
    assert prepared.extension == {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}[fmt]


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4 not an image",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"",
        photo(fmt="BMP"),
        photo(fmt="TIFF"),
    ],
    ids=["pdf", "svg", "empty", "bmp", "tiff"],
)
def test_a_file_that_is_not_a_png_jpeg_or_webp_is_refused_whatever_pillow_could_read(
    data: bytes,
) -> None:
    refused = refusal(data)
    assert refused.code == "not_image"
    assert refused.message == (
        "This file is not a picture we can read. Please upload a JPEG, PNG or WebP image."
    )


def test_a_gif_is_taken_only_by_a_policy_that_accepts_gifs_and_is_stored_as_png() -> None:
    gif = photo(fmt="GIF")
    assert refusal(gif).code == "not_image"
    with_gifs = ImagePolicy(side=100, accepts=WEB_FORMATS | {GIF})

    prepared = prepare_image(gif, policy=with_gifs)

    assert opened(prepared.data).format == "PNG"
    assert "JPEG, PNG, GIF or WebP" in refusal(b"nothing", with_gifs).message


def test_a_jpeg_holding_a_second_picture_is_taken_as_a_jpeg() -> None:
    # MPO: what some cameras write (a stereo pair, a preview); Pillow names it apart.
    second = Image.new("RGB", (80, 60), "blue")
    mpo = encoded(Image.new("RGB", (80, 60), "red"), "MPO", save_all=True, append_images=[second])
    assert opened(mpo).format == "MPO"

    stored = opened(prepare_image(mpo, policy=WITHIN).data)

    assert stored.format == "JPEG"
    assert getattr(stored, "n_frames", 1) == 1


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_a_truncated_file_is_refused_as_damaged(fmt: str) -> None:
    # Noise, so that the pixel data is most of the file and cutting it leaves a valid header.
    data = encoded(Image.effect_noise((120, 90), 64).convert("RGB"), fmt)

    refused = refusal(data[: len(data) * 2 // 3])

    assert refused.code == "broken_image"
    assert refused.message.startswith("This file is not a picture we can read: it seems damaged")
    with pytest.raises(ImageRefused):
        check_image(data[: len(data) * 2 // 3], policy=WITHIN)


# --- The pixel limit --------------------------------------------------------------------------


def test_a_small_png_of_forty_megapixels_is_refused_from_its_header_before_it_is_decoded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bomb = pixel_bomb()
    assert len(bomb) < 128 * 1024
    decoded: list[str] = []

    def spy(name: str) -> Any:
        def record(self: Any, *args: Any) -> Any:
            decoded.append(name)
            raise AssertionError(f"{name}() ran on a refused image")

        return record

    # load() allocates and decodes the pixels; verify() reads the compressed data through.
    monkeypatch.setattr(ImageFile.ImageFile, "load", spy("load"))
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", spy("load"))
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "verify", spy("verify"))

    refused = refusal(bomb)

    assert refused.code == "too_many_pixels"
    assert refused.message == (
        "This picture has too many pixels (8000 × 5000); please upload one of at most "
        "32 megapixels."
    )
    assert decoded == []


def test_the_pixel_limit_is_read_from_the_settings_when_an_image_is_checked(
    settings: Any,
) -> None:
    assert max_pixels() == settings.STOA_IMAGE_MAX_PIXELS == DEFAULT_MAX_PIXELS
    prepare_image(photo((40, 30)), policy=WITHIN)

    settings.STOA_IMAGE_MAX_PIXELS = 1000

    refused = refusal(photo((40, 30)))
    assert refused.code == "too_many_pixels"
    assert "at most 0.001 megapixels" in refused.message


def test_pillows_decompression_bomb_warning_is_a_refusal(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Above Pillow's own limit, Pillow warns before ours is checked; the warning refuses too.
    settings.STOA_IMAGE_MAX_PIXELS = 10**9
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    with warnings.catch_warnings():
        # As in production: pytest's own settings make every RuntimeWarning an error.
        warnings.simplefilter("ignore")
        refused = refusal(photo((40, 30)))

    assert refused.code == "too_many_pixels"


# --- What is stored: pixels only, upright, sized by policy -----------------------------------


def exif_with_location(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone Maker"
    exif[ExifTags.Base.Model] = "Phone 15"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (40.0, 26.0, 46.0),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (79.0, 58.0, 56.0),
    }
    return exif


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("policy", [WITHIN, SQUARE], ids=["within", "square"])
def test_exif_with_a_gps_location_and_the_camera_is_not_stored(
    fmt: str, policy: ImagePolicy
) -> None:
    upload = photo(fmt=fmt, exif=exif_with_location().tobytes())
    assert opened(upload).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    stored = opened(prepare_image(upload, policy=policy).data)

    assert not stored.getexif()
    assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in stored.info


def test_png_text_and_bytes_after_the_image_are_not_stored() -> None:
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "Taken at home, 12 Elm Street")
    upload = photo(fmt="PNG", pnginfo=text) + b"<script>alert(1)</script>PK\x03\x04"
    assert opened(upload).info["Comment"]

    stored = prepare_image(upload, policy=WITHIN).data

    assert "Comment" not in opened(stored).info
    assert b"Elm Street" not in stored and b"<script>" not in stored


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_colour_profile_is_not_stored_either(fmt: str) -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upload = photo(fmt=fmt, icc_profile=profile)
    assert opened(upload).info["icc_profile"]

    stored = opened(prepare_image(upload, policy=WITHIN).data)

    assert not stored.info.get("icc_profile")


def sideways(fmt: str = "JPEG") -> bytes:
    """Red on the left, blue on the right, 60 × 40 as stored; a camera held upright wrote it
    with orientation 6 (turn 90° clockwise to show): shown, it is 40 × 60, red on top."""
    image = Image.new("RGB", (60, 40), "blue")
    image.paste("red", (0, 0, 30, 40))
    return encoded(image, fmt, exif=exif_with_location(orientation=6).tobytes())


def is_red(pixel: Any) -> bool:
    return bool(pixel[0] > 180 and pixel[2] < 80)


def is_blue(pixel: Any) -> bool:
    return bool(pixel[2] > 180 and pixel[0] < 80)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_the_exif_orientation_is_applied_so_the_stored_image_is_upright(fmt: str) -> None:
    stored = opened(prepare_image(sideways(fmt), policy=WITHIN).data)

    assert stored.size == (40, 60)
    assert is_red(stored.getpixel((20, 5))) and is_blue(stored.getpixel((20, 55)))
    assert not stored.getexif().get(ExifTags.Base.Orientation)


def test_a_square_crop_is_upright_too() -> None:
    stored = opened(prepare_image(sideways(), policy=SQUARE).data)

    assert stored.size == (32, 32)
    assert is_red(stored.getpixel((16, 3))) and is_blue(stored.getpixel((16, 28)))


@pytest.mark.parametrize(
    ("size", "policy", "stored"),
    [
        ((300, 150), WITHIN, (100, 50)),
        ((150, 300), WITHIN, (50, 100)),
        ((80, 60), WITHIN, (80, 60)),  # a smaller image is not enlarged
        ((640, 480), SQUARE, (32, 32)),
        ((20, 50), SQUARE, (32, 32)),  # a square is always its size
        ((4000, 3000), WITHIN, (100, 75)),  # a JPEG decoded at 1/8 scale still fills it
    ],
)
def test_the_stored_size_follows_the_policy(
    size: tuple[int, int], policy: ImagePolicy, stored: tuple[int, int]
) -> None:
    prepared = prepare_image(photo(size), policy=policy)
    assert opened(prepared.data).size == prepared.size == stored


def test_a_square_policy_stores_its_own_format_whatever_was_uploaded() -> None:
    for fmt in ("JPEG", "PNG", "WEBP"):
        assert opened(prepare_image(photo(fmt=fmt), policy=SQUARE).data).format == "WEBP"


def test_transparency_is_kept_where_the_stored_format_has_it() -> None:
    clear = encoded(Image.new("RGBA", (40, 40), (0, 0, 0, 0)), "PNG")

    assert opened(prepare_image(clear, policy=WITHIN).data).getpixel((5, 5))[3] == 0
    assert opened(prepare_image(clear, policy=SQUARE).data).getpixel((5, 5))[3] == 0


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "GIF"])
def test_of_an_animation_only_the_first_frame_is_stored(fmt: str) -> None:
    red, blue = Image.new("RGB", (40, 40), "red"), Image.new("RGB", (40, 40), "blue")
    animation = encoded(red, fmt, save_all=True, append_images=[blue], duration=100)
    assert opened(animation).n_frames == 2
    policy = ImagePolicy(side=100, accepts=WEB_FORMATS | {GIF})

    stored = opened(prepare_image(animation, policy=policy).data)

    assert getattr(stored, "n_frames", 1) == 1
    assert is_red(stored.convert("RGB").getpixel((20, 20)))
