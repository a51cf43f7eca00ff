"""Jinja2 globals and filters this app's templates bring (the post page's clip slot, the
account section, durations and time codes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from stoa.publishing.models import Post, can_read_full_post
from stoa.webcasts import cached
from stoa.webcasts.access import can_manage_webcasts
from stoa.webcasts.models import Enrolment


@pass_context
def post_clip(context: Context, post: Post) -> cached.ClipCard | None:
    """The clip the post page shows above the article, if this reader may play it."""
    card = cached.post_clip(post)
    if card is None:
        return None
    user = context["request"].user
    if not card.series_published and not can_manage_webcasts(user):
        return None
    return card if can_read_full_post(user, post) else None


def member_enrolments(member: Any) -> list[Enrolment]:
    """A member's enrolments, newest first, for their account page."""
    if not getattr(member, "is_authenticated", False):
        return []
    return list(Enrolment.objects.of_member(member))


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


GLOBALS: dict[str, Callable[..., Any]] = {
    "post_clip": post_clip,
    "member_enrolments": member_enrolments,
}
FILTERS: dict[str, Callable[..., Any]] = {
    "timecode": timecode,
    "running_time": duration,
    "iso_running_time": iso_duration,
    "text_paragraphs": paragraphs,
}
