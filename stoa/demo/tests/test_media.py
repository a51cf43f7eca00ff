"""The files the webcast demo uploads (stoa/demo/media.py): captions a player reads, title
cards the size asked for, PNG uploads the site accepts."""

from __future__ import annotations

import io

from PIL import Image

from stoa.demo.media import card, png, vtt
from stoa.webcasts.validators import sniff


def test_captions_show_each_line_in_turn() -> None:
    captions = vtt(["First line.", "Second line."], seconds_each=3).read().decode()

    assert sniff(captions.encode()[:64]) == "vtt"
    assert captions == (
        "WEBVTT\n\n"
        "1\n00:00:00.000 --> 00:00:03.000\nFirst line.\n\n"
        "2\n00:00:03.000 --> 00:00:06.000\nSecond line.\n"
    )


def test_a_title_card_is_a_png_of_the_size_and_colour_asked_for() -> None:
    image = card(
        "A long title that needs more than one line", "Small print", (43, 58, 66), (640, 360)
    )
    upload = png(image, "poster.png")

    assert upload.name == "poster.png"
    decoded = Image.open(io.BytesIO(upload.read()))
    assert (decoded.format, decoded.size) == ("PNG", (640, 360))
    assert decoded.convert("RGB").getpixel((2, 2)) == (43, 58, 66)
    # The band along the bottom is lighter.
    assert decoded.convert("RGB").getpixel((2, 358)) == (83, 98, 106)
