"""Jinja2 filters this app's templates bring: durations and time codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape


def timecode(seconds: int | float | None) -> str:
    """12:34, or 1:02:03 past an hour."""
    if seconds is None:
        return ""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def duration(value: dt.timedelta | None) -> str:
    """A session's length as people say it: "48 min", "1 h 05 min"."""
    if value is None:
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def iso_duration(value: dt.timedelta | None) -> str:
    """The same length for a <time datetime> attribute (PT48M, PT1H5M)."""
    if value is None:
        return ""
    total = int(value.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return (
        "PT" + (f"{hours}H" if hours else "") + f"{minutes}M" + (f"{seconds}S" if seconds else "")
    )


def paragraphs(text: str | None) -> Markup:
    """Plain text as HTML paragraphs: a blank line starts a new one, a newline breaks."""
    blocks = [block.strip() for block in str(text or "").replace("\r\n", "\n").split("\n\n")]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in block.split("\n")))
        for block in blocks
        if block
    )


GLOBALS: dict[str, Callable[..., Any]] = {}
FILTERS: dict[str, Callable[..., Any]] = {
    "timecode": timecode,
    "running_time": duration,
    "iso_running_time": iso_duration,
    "text_paragraphs": paragraphs,
}
