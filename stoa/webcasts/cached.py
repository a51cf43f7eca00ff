"""What the series pages and the post page's clip show, read once per content version.

Series pages and clips are the same for every reader (only the access decision differs, and
it is made per request, from these), so they are kept with stoa.core.cache.memoize: a warm
page costs no query for them. Any change to a series, session, clip or post starts a new
content version (signals.py), and so does a window opening or closing (the content clock
models.next_window_change).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db.models import Prefetch

from stoa.core.cache import memoize
from stoa.publishing.models import Post
from stoa.webcasts.models import Clip, Series, Session
from stoa.webcasts.validators import CONTENT_TYPES, EXTENSIONS, parse_video_url

# What a clip card needs of its post (the body is large and never shown with it).
POST_DEFERRED = ("post__body", "post__summary", "post__excerpt", "post__dek")


def _load_series(slug: str) -> Series | None:
    sessions = Session.objects.select_related("presenter").in_order()
    clips = Clip.objects.select_related("session", "post").defer(*POST_DEFERRED).order_by("pk")
    return (
        Series.objects.with_presenters()
        .select_related("featured_image")
        .prefetch_related(
            Prefetch("sessions", sessions, to_attr="session_list"),
            Prefetch("clips", clips, to_attr="clip_list"),
        )
        .filter(slug=slug)
        .first()
    )


def series_page(slug: str) -> Series | None:
    """The series with `presenter_list`, `session_list` (in order, with presenters) and
    `clip_list` (with session and post), whether published or not."""
    return memoize(f"webcasts-series-{slug}", lambda: (_load_series(slug),))[0]


def series_listing() -> list[Series]:
    """Published series, newest window first, with their presenters."""
    return memoize(
        "webcasts-series-list",
        lambda: list(
            Series.objects.listed()
            .with_presenters()
            .select_related("featured_image")
            .newest_first()
        ),
    )


def find_session(series: Series, key: str) -> Session | None:
    """A session of the series by slug, or by its number in the list (1, 2, ...)."""
    sessions: list[Session] = getattr(series, "session_list", [])
    for session in sessions:
        if session.slug == key:
            return session
    if key.isdigit() and 1 <= int(key) <= len(sessions):
        return sessions[int(key) - 1]
    return None


@dataclass(frozen=True)
class ClipCard:
    """A clip as a player shows it: plain values, cheap to keep in the cache."""

    pk: int
    title: str
    description: str
    kind: str  # "file" (an HTML5 <video>), "youtube" or "vimeo" (the host's iframe)
    src: str = ""
    content_type: str = ""
    embed: str = ""
    poster: str = ""
    captions: str = ""
    series_title: str = ""
    series_url: str = ""
    series_published: bool = False
    session_title: str = ""
    starts_at: int | None = None


def clip_card(clip: Clip) -> ClipCard | None:
    """The card for a clip (with its series and session loaded), or None if
    its video address is no longer one we play."""
    series = clip.series
    card = ClipCard(
        pk=clip.pk,
        title=clip.title,
        description=clip.description,
        kind="file",
        poster=clip.media_url("poster") if clip.poster else "",
        captions=clip.media_url("captions") if clip.captions else "",
        series_title=series.title,
        series_url=series.get_absolute_url(),
        series_published=series.is_published,
        session_title=clip.session.title if clip.session else "",
        starts_at=clip.starts_at,
    )
    if clip.video:
        kind = _extension_kind(clip.video.name)
        content_type = CONTENT_TYPES.get(kind, "video/mp4")
        return replace(card, src=clip.media_url("video"), content_type=content_type)
    source = parse_video_url(clip.video_url)
    if source is None:
        return None
    if source.kind == "file":
        return replace(card, src=source.src, content_type=source.content_type)
    return replace(card, kind=source.kind, embed=source.embed)


def _extension_kind(name: str) -> str:
    for kind, extension in EXTENSIONS.items():
        if name.lower().endswith(extension):
            return kind
    return ""


def _load_post_clip(post_id: int) -> ClipCard | None:
    clip = Clip.objects.select_related("series", "session").filter(post_id=post_id).first()
    return None if clip is None else clip_card(clip)


def post_clip(post: Post) -> ClipCard | None:
    """The clip a post carries, or None; kept per content version, so a warm post page
    costs no query for it (and a cold one, one)."""
    return memoize(f"webcasts-post-clip-{post.pk}", lambda: (_load_post_clip(post.pk),))[0]


def clip_for_media(pk: int) -> Clip | None:
    """A clip with its series and post, for the view that serves its files."""

    def build() -> tuple[Clip | None]:
        clip = Clip.objects.with_context().defer(*POST_DEFERRED).filter(pk=pk).first()
        return (clip,)

    return memoize(f"webcasts-clip-{pk}", build)[0]
