"""The files the webcast demo uploads, made on the spot so that the demo needs no network and
the repository carries no binaries: title cards drawn with Pillow (series artwork, clip
posters) and WebVTT captions. The recordings themselves are title-card videos from
stoa.webcasts.webm."""

from __future__ import annotations

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
