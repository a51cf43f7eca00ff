"""The files the demo uploads, made on the spot so that the demo needs no network and the
repository carries no binaries: posts' abstract covers and title cards drawn with Pillow
(featured images, series artwork, clip posters) and WebVTT captions. The recordings
themselves are title-card videos from stoa.webcasts.webm."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def png(image: Image.Image, name: str) -> ContentFile[bytes]:
    """An image as a PNG upload."""
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return ContentFile(out.getvalue(), name=name)


def jpeg(image: Image.Image, name: str) -> ContentFile[bytes]:
    """An image as a JPEG upload (a photograph's format: the renditions follow it)."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return ContentFile(out.getvalue(), name=name)


# Colours a cover is drawn in, named for its alternative text.
PALETTE = (
    ("teal", (31, 111, 120)),
    ("sand", (222, 200, 160)),
    ("rust", (166, 72, 40)),
    ("navy", (32, 48, 92)),
    ("sage", (140, 166, 130)),
    ("plum", (102, 52, 96)),
    ("ochre", (204, 150, 40)),
    ("slate", (92, 104, 118)),
)


# 1200 wide: the article column at twice its size, and renditions of 480 and 800 (a demo
# of 31 posts draws and encodes them in about a second).
def cover(seed: str, size: tuple[int, int] = (1200, 675)) -> tuple[Image.Image, str]:
    """An abstract cover drawn from `seed` (the same seed, the same picture), and its
    alternative text: what it shows, since it stands for nothing else."""
    digest = hashlib.sha256(seed.encode()).digest()
    background_name, background = PALETTE[digest[0] % len(PALETTE)]
    others = [colour for colour in PALETTE if colour[0] != background_name]
    accent_name, accent = others[digest[1] % len(others)]
    count = 3 + digest[2] % 3
    width, height = size
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    if digest[3] % 2:
        for n in range(count):
            x, y = digest[4 + n] * width // 255, digest[10 + n] * height // 255
            radius = height // 8 + digest[16 + n] * height // 900
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=accent)
        shapes = f"{count} {accent_name} circles"
    else:
        band = width // (count * 3)
        for n in range(count):
            left = width // 8 + n * band * 2 + digest[4 + n] % band
            draw.polygon(
                [(left, height), (left + band, height), (left + band + height // 2, 0),
                 (left + height // 2, 0)],
                fill=accent,
            )  # fmt: skip
        shapes = f"{count} {accent_name} diagonal bands"
    return image, f"An abstract cover: {shapes} on a {background_name} ground"


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def card(
    title: str, subtitle: str, colour: tuple[int, int, int], size: tuple[int, int]
) -> Image.Image:
    """A title card: the colour of the series, its title, a line of small print."""
    width, height = size
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 40) for c in colour)
    draw.rectangle((0, height - height // 8, width, height), fill=light)
    big = _font(max(14, width // 22))
    y = height // 6
    for line in _wrap(title, 30):
        draw.text((width // 16, y), line, fill=(255, 255, 255), font=big)
        y += int(width / 22 * 1.3)
    draw.text(
        (width // 16, y + 10), subtitle, fill=(230, 230, 230), font=_font(max(11, width // 40))
    )
    return image


def vtt(lines: Sequence[str], seconds_each: int = 2) -> ContentFile[bytes]:
    """WebVTT captions showing each line for `seconds_each` seconds, one after the other."""
    cues = ["WEBVTT", ""]
    for n, line in enumerate(lines):
        start, end = n * seconds_each, (n + 1) * seconds_each
        cues += [f"{n + 1}", f"00:00:{start:02d}.000 --> 00:00:{end:02d}.000", line, ""]
    return ContentFile("\n".join(cues).encode(), name="captions.vtt")
