"""A tiny WebM writer for demo and test videos, without ffmpeg.

A lossy WebP image is a single VP8 key frame in a RIFF wrapper, so Pillow's WebP encoder
gives us VP8 frames; this module draws the frames, takes the VP8 bitstream out of each WebP
and muxes the frames into a WebM file (Matroska's EBML, as browsers read it): a header,
the segment's seek head, info (with the duration), one video track, cues (so a player can
seek) and one cluster per frame. Silent, every frame a key frame: small and seekable.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable, Sequence

from PIL import Image, ImageDraw, ImageFont

# Element ids (Matroska specification), as their encoded bytes.
EBML = b"\x1a\x45\xdf\xa3"
EBML_VERSION = b"\x42\x86"
EBML_READ_VERSION = b"\x42\xf7"
EBML_MAX_ID_LENGTH = b"\x42\xf2"
EBML_MAX_SIZE_LENGTH = b"\x42\xf3"
DOC_TYPE = b"\x42\x82"
DOC_TYPE_VERSION = b"\x42\x87"
DOC_TYPE_READ_VERSION = b"\x42\x85"
SEGMENT = b"\x18\x53\x80\x67"
SEEK_HEAD = b"\x11\x4d\x9b\x74"
SEEK = b"\x4d\xbb"
SEEK_ID = b"\x53\xab"
SEEK_POSITION = b"\x53\xac"
INFO = b"\x15\x49\xa9\x66"
TIMECODE_SCALE = b"\x2a\xd7\xb1"
DURATION = b"\x44\x89"
MUXING_APP = b"\x4d\x80"
WRITING_APP = b"\x57\x41"
TRACKS = b"\x16\x54\xae\x6b"
TRACK_ENTRY = b"\xae"
TRACK_NUMBER = b"\xd7"
TRACK_UID = b"\x73\xc5"
TRACK_TYPE = b"\x83"
FLAG_LACING = b"\x9c"
CODEC_ID = b"\x86"
VIDEO = b"\xe0"
PIXEL_WIDTH = b"\xb0"
PIXEL_HEIGHT = b"\xba"
CUES = b"\x1c\x53\xbb\x6b"
CUE_POINT = b"\xbb"
CUE_TIME = b"\xb3"
CUE_TRACK_POSITIONS = b"\xb7"
CUE_TRACK = b"\xf7"
CUE_CLUSTER_POSITION = b"\xf1"
CLUSTER = b"\x1f\x43\xb6\x75"
TIMECODE = b"\xe7"
SIMPLE_BLOCK = b"\xa3"

TRACK = 1
VIDEO_TRACK_TYPE = 1
KEY_FRAME = 0x80


def _size(n: int) -> bytes:
    """An element's data size as an EBML variable-length integer (shortest form)."""
    for length in range(1, 9):
        if n < (1 << (7 * length)) - 1:
            return (n | (1 << (7 * length))).to_bytes(length, "big")
    raise ValueError("element too large")


def element(element_id: bytes, data: bytes) -> bytes:
    return element_id + _size(len(data)) + data


def uint(element_id: bytes, value: int, width: int = 0) -> bytes:
    """An unsigned integer element; `width` fixes its length (so offsets can be planned)."""
    width = width or max(1, (value.bit_length() + 7) // 8)
    return element(element_id, value.to_bytes(width, "big"))


def _float(element_id: bytes, value: float) -> bytes:
    return element(element_id, struct.pack(">d", value))


def _text(element_id: bytes, value: str) -> bytes:
    return element(element_id, value.encode("ascii"))


def vp8_frame(image: Image.Image, quality: int = 60) -> bytes:
    """The VP8 key frame inside the lossy WebP encoding of an RGB image."""
    out = io.BytesIO()
    image.convert("RGB").save(out, "WEBP", quality=quality, method=4)
    data = out.getvalue()
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ValueError("Pillow did not write a WebP file")
    at = 12
    while at + 8 <= len(data):
        kind, length = data[at : at + 4], struct.unpack("<I", data[at + 4 : at + 8])[0]
        if kind == b"VP8 ":
            return data[at + 8 : at + 8 + length]
        at += 8 + length + (length & 1)
    raise ValueError("the WebP file has no lossy VP8 frame (is Pillow built with libwebp?)")


def mux(frames: Sequence[bytes], *, width: int, height: int, frame_ms: int) -> bytes:
    """A WebM file of VP8 key frames shown `frame_ms` milliseconds each."""
    if not frames:
        raise ValueError("a video needs at least one frame")
    header = element(
        EBML,
        uint(EBML_VERSION, 1)
        + uint(EBML_READ_VERSION, 1)
        + uint(EBML_MAX_ID_LENGTH, 4)
        + uint(EBML_MAX_SIZE_LENGTH, 8)
        + _text(DOC_TYPE, "webm")
        + uint(DOC_TYPE_VERSION, 2)
        + uint(DOC_TYPE_READ_VERSION, 2),
    )
    info = element(
        INFO,
        uint(TIMECODE_SCALE, 1_000_000)  # timecodes in milliseconds
        + _float(DURATION, float(len(frames) * frame_ms))
        + _text(MUXING_APP, "stoa")
        + _text(WRITING_APP, "stoa"),
    )
    tracks = element(
        TRACKS,
        element(
            TRACK_ENTRY,
            uint(TRACK_NUMBER, TRACK)
            + uint(TRACK_UID, 1)
            + uint(FLAG_LACING, 0)
            + _text(CODEC_ID, "V_VP8")
            + uint(TRACK_TYPE, VIDEO_TRACK_TYPE)
            + element(VIDEO, uint(PIXEL_WIDTH, width) + uint(PIXEL_HEIGHT, height)),
        ),
    )
    clusters = [
        element(
            CLUSTER,
            uint(TIMECODE, n * frame_ms, 4)
            # Track 1 (as a one-byte vint), timecode 0 relative to the cluster, key frame.
            + element(SIMPLE_BLOCK, bytes([0x80 | TRACK]) + b"\x00\x00" + bytes([KEY_FRAME]) + f),
        )
        for n, f in enumerate(frames)
    ]

    def cues(positions: Iterable[int]) -> bytes:
        points = b"".join(
            element(
                CUE_POINT,
                uint(CUE_TIME, n * frame_ms, 4)
                + element(
                    CUE_TRACK_POSITIONS,
                    uint(CUE_TRACK, TRACK) + uint(CUE_CLUSTER_POSITION, position, 8),
                ),
            )
            for n, position in enumerate(positions)
        )
        return element(CUES, points)

    def seek_head(info_at: int, tracks_at: int, cues_at: int) -> bytes:
        return element(
            SEEK_HEAD,
            b"".join(
                element(SEEK, element(SEEK_ID, target) + uint(SEEK_POSITION, at, 8))
                for target, at in ((INFO, info_at), (TRACKS, tracks_at), (CUES, cues_at))
            ),
        )

    # Every offset is written with a fixed width, so the sizes are known before the offsets.
    head_size = len(seek_head(0, 0, 0))
    cues_size = len(cues([0] * len(clusters)))
    info_at = head_size
    tracks_at = info_at + len(info)
    cues_at = tracks_at + len(tracks)
    positions, at = [], cues_at + cues_size
    for cluster in clusters:
        positions.append(at)
        at += len(cluster)
    body = (
        seek_head(info_at, tracks_at, cues_at)
        + info
        + tracks
        + cues(positions)
        + b"".join(clusters)
    )
    return header + element(SEGMENT, body)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def title_card_video(
    title: str,
    *,
    seconds: int = 8,
    fps: int = 2,
    width: int = 320,
    height: int = 180,
    colour: tuple[int, int, int] = (43, 58, 66),
) -> bytes:
    """A short silent WebM: a title card with a running clock and a progress bar."""
    frames = []
    big, small = _font(18), _font(14)
    total = seconds * fps
    for n in range(total):
        image = Image.new("RGB", (width, height), colour)
        draw = ImageDraw.Draw(image)
        draw.text((16, 20), title[:34], fill=(255, 255, 255), font=big)
        clock = n // fps
        draw.text(
            (16, height - 52), f"{clock // 60}:{clock % 60:02d}", fill=(214, 221, 225), font=small
        )
        bar = int((width - 32) * (n + 1) / total)
        draw.rectangle((16, height - 24, 16 + bar, height - 16), fill=(138, 51, 32))
        frames.append(vp8_frame(image))
    return mux(frames, width=width, height=height, frame_ms=1000 // fps)
