"""The webcast demo, read from data/webcasts/: three series (one open, one ending in a few days,
one ended) by the demo magazine's people, their sessions with tiny generated recordings and
captions, clips on demo articles (generated video, YouTube, Vimeo), members with and without
enrolments, and an access code to try.

Everything is written through stoa.webcasts.services, and every file is made here (see
stoa.demo.media): no network, no binaries in the repository.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.text import slugify

from stoa.demo import loader
from stoa.demo.loader import DemoDataError
from stoa.demo.media import card, png, vtt
from stoa.members.models import User
from stoa.publishing.models import Person, Post
from stoa.webcasts import services
from stoa.webcasts.models import AccessCode, EnrolmentSource, Series
from stoa.webcasts.webm import title_card_video

# Printed before the summary: the name these lines had when webcasts held its own demo.
LABEL = "stoa.webcasts.demo"
FOLDER = "webcasts"
YOUTUBE_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
# The members build() gives an enrolment, by username (the others have none).
ENROLLED, LAPSED = "enrolled", "lapsed"


@dataclass(frozen=True)
class DemoMember:
    """A member account the demo makes, with a password printed for people trying it."""

    username: str
    email: str
    password: str
    first_name: str
    last_name: str
    about: str


@dataclass(frozen=True)
class _Code:
    note: str  # how `stoa webcasts_code` finds the code again
    max_uses: int


@dataclass(frozen=True)
class _Members:
    """members.toml."""

    members: tuple[DemoMember, ...]
    access_code: _Code
    gift_note: str
    release_notice_requests: tuple[str, ...]


@dataclass(frozen=True)
class _SessionSpec:
    title: str
    presenter: str
    minutes: int
    description: str


@dataclass(frozen=True)
class _ClipSpec:
    title: str
    session: int  # the session's number in its series, from 1
    starts_at: int
    description: str
    post: str = ""  # the title of the demo article that carries it
    video_url: str = ""  # empty: a generated video with captions and a poster
    captions: tuple[str, ...] = ()


@dataclass(frozen=True)
class _SeriesSpec:
    title: str
    presenters: tuple[str, ...]
    offer: str
    description: str
    starts_days: int  # from today (negative: in the past)
    ends_days: int
    colour: tuple[int, int, int]
    sessions: tuple[_SessionSpec, ...]
    clips: tuple[_ClipSpec, ...] = ()


@dataclass(frozen=True)
class _Series:
    """series.toml."""

    artwork_subtitle: str
    series: tuple[_SeriesSpec, ...]


def members() -> _Members:
    """The demo's members and its access code, as members.toml gives them."""
    content = loader.read_record(f"{FOLDER}/members.toml", _Members)
    usernames = {member.username for member in content.members}
    for username in (ENROLLED, LAPSED):
        if username not in usernames:
            where = loader.path(f"{FOLDER}/members.toml")
            raise DemoDataError(where, f"no member {username!r} (build() enrols them)")
    return content


@dataclass(frozen=True)
class Content:
    """Everything build() writes, read and checked."""

    series: _Series
    members: _Members


def read() -> Content:
    """The files, with the clips' sessions and the members build() enrols checked."""
    return Content(_series(), members())


def _series() -> _Series:
    content = loader.read_record(f"{FOLDER}/series.toml", _Series)
    where = loader.path(f"{FOLDER}/series.toml")
    # build() gives the open, the ending and the ended series their members, in this order.
    if len(content.series) != 3:
        raise DemoDataError(where, f"three series expected, found {len(content.series)}")
    for n, spec in enumerate(content.series):
        for m, clip in enumerate(spec.clips):
            if not 1 <= clip.session <= len(spec.sessions):
                problem = f"series[{n}].clips[{m}].session: no session {clip.session}"
                raise DemoDataError(where, problem)
    return content


def is_loaded() -> bool:
    """Whether any series, from the demo or from editors, is already there."""
    return Series.objects.exists()


def _member(spec: DemoMember) -> User:
    user = User.objects.filter(email__iexact=spec.email).first()
    if user is None:
        user = User.objects.create_user(
            username=spec.username,
            email=spec.email,
            password=spec.password,
            first_name=spec.first_name,
            last_name=spec.last_name,
        )
    _verified_address(user)
    return user


def _verified_address(user: User) -> None:
    """Mark the address as verified for allauth, so the demo members can log in at once."""
    try:
        from allauth.account.models import EmailAddress
    except ImportError:  # allauth not installed: nothing to mark
        return
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def _random_id(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def build(*, rng: random.Random, today: dt.datetime) -> str:
    """Write the webcast demo and return a one-line summary (with the access code)."""
    content = read()
    cast = content.members
    people = {person.name: person for person in Person.objects.all()}
    series_made: list[Series] = []
    sessions_made = clips_made = 0
    for spec in content.series.series:
        series = services.create_series(
            title=spec.title,
            description=spec.description,
            presenters=[people[name] for name in spec.presenters if name in people],
            offer=spec.offer,
            # Local evening, so a window ends at the end of a working day.
            starts=today + dt.timedelta(days=spec.starts_days, hours=9),
            ends=today + dt.timedelta(days=spec.ends_days, hours=18),
            artwork=png(
                card(spec.title, content.series.artwork_subtitle, spec.colour, (960, 540)),
                f"{slugify(spec.title)[:40]}.png",
            ),
        )
        series_made.append(series)
        sessions = []
        for number, session_spec in enumerate(spec.sessions, start=1):
            video = title_card_video(
                f"{number}. {session_spec.title}", seconds=6, colour=spec.colour
            )
            sessions.append(
                services.add_session(
                    series=series,
                    title=session_spec.title,
                    description=session_spec.description,
                    presenter=people.get(session_spec.presenter),
                    duration=dt.timedelta(minutes=session_spec.minutes),
                    video=ContentFile(video, name="session.webm"),
                    captions=vtt(
                        [
                            f"Session {number}: {session_spec.title}",
                            f"With {session_spec.presenter}.",
                            "(A short demo recording stands in for the session.)",
                        ]
                    ),
                )
            )
        sessions_made += len(sessions)
        for clip_spec in spec.clips:
            # A scheduled article shows its clip once it goes live; drafts get none.
            post = (
                Post.objects.filter(slug=slugify(clip_spec.post), status__in=Post.LIVE_STATUSES)
                .order_by("pk")
                .first()
            )
            session = sessions[clip_spec.session - 1]
            files: dict[str, ContentFile[bytes]] = {}
            video_url = ""
            if clip_spec.video_url:
                video_url = clip_spec.video_url.format(
                    youtube=_random_id(rng, YOUTUBE_ID_ALPHABET, 11),
                    vimeo=rng.randint(100_000_000, 999_999_999),
                )
            else:
                seconds = 2 * len(clip_spec.captions)
                files["video"] = ContentFile(
                    title_card_video(clip_spec.title, seconds=seconds, colour=spec.colour),
                    name="clip.webm",
                )
                files["captions"] = vtt(clip_spec.captions)
                files["poster"] = png(
                    card(clip_spec.title, spec.title, spec.colour, (640, 360)), "poster.png"
                )
            services.create_clip(
                series=series,
                session=session,
                post=post,
                title=clip_spec.title,
                description=clip_spec.description,
                video_url=video_url,
                starts_at=clip_spec.starts_at,
                **files,
            )
            clips_made += 1

    couples, supervision, trauma = series_made
    (code,) = services.create_access_codes(
        series=couples,
        max_uses=cast.access_code.max_uses,
        note=cast.access_code.note,
        code=_random_id(rng, services.CODE_ALPHABET, services.CODE_LENGTH),
    )
    # The reader has no enrolment: the account is there to try the demo code with.
    made = {spec.username: _member(spec) for spec in cast.members}
    enrolled, lapsed = made[ENROLLED], made[LAPSED]
    # Enrolled: one series by an editor's grant, the other by a single-use code of its own.
    services.enrol(user=enrolled, series=supervision, source=EnrolmentSource.EDITOR)
    (gift,) = services.create_access_codes(series=couples, note=cast.gift_note)
    services.redeem_code(user=enrolled, code=gift.code)
    # Lapsed: enrolled for a fortnight that has since passed.
    enrolment = services.enrol(user=lapsed, series=couples)
    services.set_enrolment_until(enrolment=enrolment, until=today - dt.timedelta(days=2))
    for email in cast.release_notice_requests:
        services.request_release_notice(email=email, series=trauma)
    return (
        f"{len(series_made)} series, {sessions_made} sessions, {clips_made} clips, "
        f"{len(cast.members)} members; access code {code.display_code}"
    )


def demo_code() -> AccessCode | None:
    """The demo's access code, while it has uses left."""
    return (
        AccessCode.objects.filter(note=members().access_code.note)
        .select_related("series")
        .order_by("pk")
        .first()
    )
