"""Demo content for webcasts: three series (one open, one ending in a few days, one ended)
by the demo magazine's people, their sessions with tiny generated recordings and captions,
clips on demo articles (generated video, YouTube, Vimeo), members with and without
enrolments, and an access code to try.

Everything is written through stoa.webcasts.services, and every file is made here: the
videos are title cards muxed into WebM (stoa.webcasts.webm), the posters and artwork are
drawn with Pillow, the captions are WebVTT written below. No network.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont

from stoa.members.models import User
from stoa.publishing.models import Person, Post
from stoa.webcasts import services
from stoa.webcasts.models import AccessCode, EnrolmentSource, Series
from stoa.webcasts.webm import title_card_video

DEMO_CODE_NOTE = "Demo code: anyone trying the demo may redeem it."


@dataclass(frozen=True)
class DemoMember:
    """A member account the demo makes, with a password printed for people trying it."""

    username: str
    email: str
    password: str
    first_name: str
    last_name: str
    about: str


# Known passwords, on purpose: these accounts exist to be logged into on a demo site.
MEMBERS = [
    DemoMember(
        "reader",
        "reader@example.com",
        "demo-reader-pass",
        "Robin",
        "Reader",
        "a member with no enrolment (redeem the demo code to enrol)",
    ),
    DemoMember(
        "enrolled",
        "enrolled@example.com",
        "demo-enrolled-pass",
        "Erin",
        "Enrolled",
        "enrolled in the two series that are open",
    ),
    DemoMember(
        "lapsed",
        "lapsed@example.com",
        "demo-lapsed-pass",
        "Lee",
        "Lapsed",
        "an enrolment that has expired",
    ),
]


@dataclass(frozen=True)
class _SessionSpec:
    title: str
    presenter: str
    minutes: int
    description: str


@dataclass(frozen=True)
class _ClipSpec:
    title: str
    session: int  # index into the series' sessions
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
    clips: tuple[_ClipSpec, ...] = field(default=())


SERIES = [
    _SeriesSpec(
        title="Working with Couples: From Gridlock to Repair",
        presenters=("Claire Devereux", "Ruth Abernathy"),
        offer="$149 · six CE hours · every recording for 60 days",
        starts_days=-20,
        ends_days=60,
        colour=(43, 58, 66),
        description="""
Most couples arrive in the middle of a fight they have had a hundred times. This series is
about what to do in the room when the same argument starts again: how to slow it down,
how to find the longing under the complaint, and how to help two people repair instead of
win.

Claire Devereux and Ruth Abernathy bring twenty-five years of couples and family work to
five recorded sessions, with case discussion, role-play and the questions participants
asked live.
""",
        sessions=(
            _SessionSpec(
                "The fight you have heard before",
                "Claire Devereux",
                52,
                "Mapping the cycle: what each partner does, what each fears, and where to step in.",
            ),
            _SessionSpec(
                "Slowing the room down",
                "Claire Devereux",
                48,
                "Pacing, interrupting kindly, and keeping both partners safe enough to stay.",
            ),
            _SessionSpec(
                "The family in the couple",
                "Ruth Abernathy",
                55,
                "How families of origin walk into the session, and how to invite them in.",
            ),
            _SessionSpec(
                "After a betrayal",
                "Ruth Abernathy",
                61,
                "Affairs, secrets and the long second year of repair.",
            ),
            _SessionSpec(
                "Endings and check-ins",
                "Claire Devereux",
                44,
                "When to stop, how to leave the door open, and what a good ending sounds like.",
            ),
        ),
        clips=(
            _ClipSpec(
                "Repair is a practice, not an apology",
                3,
                754,
                "Ruth Abernathy on what couples need once the crisis of discovery has passed.",
                post="After the Affair: The Second Year",
                captions=(
                    "The apology matters, but it is the start of the work, not the end of it.",
                    "What rebuilds trust is small and repeated: saying where you are going,",
                    "answering the same question for the tenth time without sighing.",
                    "Couples in the second year often tell me they are tired of repairing.",
                    "I tell them that tiredness is a sign the repair is real.",
                ),
            ),
            _ClipSpec(
                "Three generations in the room",
                2,
                1845,
                "Ruth Abernathy on inviting a grandparent into a couple's session.",
                post="Grandparents at the Kitchen Table",
                captions=(
                    "When a grandmother is raising the children, she is part of the couple's",
                    "story whether or not she is in the room. So I ask who else should be here.",
                    "The first meeting with three generations is mostly listening.",
                    "Everyone has been carrying the family; nobody has been thanked.",
                ),
            ),
            _ClipSpec(
                "Under the dishes",
                0,
                1310,
                "Claire Devereux maps a fight about chores onto the cycle underneath it.",
                post="The Couple Who Fights About the Dishes",
                video_url="https://www.youtube.com/watch?v={youtube}",
            ),
        ),
    ),
    _SeriesSpec(
        title="Supervision That Works: Feedback, Ruptures and Growth",
        presenters=("Claire Devereux",),
        offer="$99 · four CE hours",
        starts_days=-45,
        ends_days=3,
        colour=(95, 34, 20),
        description="""
Supervision is where most of us learned the work, and where many of us first learned to
hide our mistakes. Claire Devereux's four sessions are for supervisors who want trainees
to bring them the hard material: the session that went wrong, the client they dread, the
feeling they are not supposed to have.

Each session pairs a short talk with recorded role-plays of supervision conversations.
""",
        sessions=(
            _SessionSpec(
                "The supervisory alliance",
                "Claire Devereux",
                50,
                "Safety, evaluation and the awkward fact that you do both.",
            ),
            _SessionSpec(
                "Feedback that lands",
                "Claire Devereux",
                47,
                "Specific, timely and about the work: giving feedback a trainee can use.",
            ),
            _SessionSpec(
                "Ruptures in supervision",
                "Claire Devereux",
                53,
                "When the supervisee is angry with you, and when you are the one who got it wrong.",
            ),
            _SessionSpec(
                "Growing a clinician",
                "Claire Devereux",
                45,
                "From technique to judgement: supporting the trainee's own way of working.",
            ),
        ),
        clips=(
            _ClipSpec(
                "Not knowing, out loud",
                0,
                402,
                "Why the most useful thing a supervisor can model is uncertainty.",
                post="What I Wish My Supervisor Had Told Me",
                captions=(
                    "Trainees think the goal is to know what to say next.",
                    "The goal is to stay curious when you don't.",
                    "So I say it out loud in supervision: I don't know what is happening here.",
                    "Then we find out together, and they see that it is survivable.",
                ),
            ),
            _ClipSpec(
                "Owning the rupture",
                2,
                938,
                "Claire Devereux on going back to a client after you got it wrong.",
                post="Repairing the Rupture You Caused",
                video_url="https://vimeo.com/{vimeo}",
            ),
        ),
    ),
    _SeriesSpec(
        title="Trauma-Informed Practice: Stabilization and the Long Middle",
        presenters=("Daniel Ferreira",),
        offer="$129 · five CE hours",
        starts_days=-120,
        ends_days=-12,
        colour=(31, 79, 74),
        description="""
Phase-oriented treatment is taught as a sequence; in practice the phases overlap, stall
and double back. Daniel Ferreira's six sessions follow clients through stabilization and
into the long middle of trauma work, with attention to pacing, dissociation and the
clinician's own limits.
""",
        sessions=(
            _SessionSpec(
                "What stabilization is for",
                "Daniel Ferreira",
                49,
                "Safety, skills and the relationship: the work that is already healing.",
            ),
            _SessionSpec(
                "Working with dissociation",
                "Daniel Ferreira",
                58,
                "Noticing it, naming it gently, and staying in contact.",
            ),
            _SessionSpec(
                "The window of tolerance in practice",
                "Daniel Ferreira",
                46,
                "Pacing a session so that the client stays able to think and feel at once.",
            ),
            _SessionSpec(
                "Approaching memories",
                "Daniel Ferreira",
                62,
                "Choosing when, how much, and how to come back out.",
            ),
            _SessionSpec(
                "The long middle",
                "Daniel Ferreira",
                51,
                "When progress is slow: keeping hope without pushing.",
            ),
            _SessionSpec(
                "The clinician's limits",
                "Daniel Ferreira",
                43,
                "Vicarious trauma, supervision and a caseload you can sustain.",
            ),
        ),
        clips=(
            _ClipSpec(
                "Stabilization is treatment",
                0,
                615,
                "Daniel Ferreira on why the first phase is not a waiting room.",
                post="Stabilization Is Not a Waiting Room",
                captions=(
                    "Clients sometimes ask when the real therapy starts.",
                    "I tell them it started when they learned to notice their breathing,",
                    "when they told me about the nightmares and nothing terrible happened.",
                    "Stabilization is not a delay. For many people it is most of the healing.",
                ),
            ),
        ),
    ),
]

REQUESTS_FOR_NEWS = ["m.okonkwo@example.net", "sam.whitley@example.org"]


def is_loaded() -> bool:
    """Whether any series, from the demo or from editors, is already there."""
    return Series.objects.exists()


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):
        return ImageFont.load_default()


def _png(image: Image.Image, name: str) -> ContentFile[bytes]:
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


def _card(
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


def _vtt(lines: tuple[str, ...] | list[str], seconds_each: int = 2) -> ContentFile[bytes]:
    cues = ["WEBVTT", ""]
    for n, line in enumerate(lines):
        start, end = n * seconds_each, (n + 1) * seconds_each
        cues += [f"{n + 1}", f"00:00:{start:02d}.000 --> 00:00:{end:02d}.000", line, ""]
    return ContentFile("\n".join(cues).encode(), name="captions.vtt")


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
    people = {person.name: person for person in Person.objects.all()}
    series_made: list[Series] = []
    sessions_made = clips_made = 0
    for spec in SERIES:
        series = services.create_series(
            title=spec.title,
            description=spec.description,
            presenters=[people[name] for name in spec.presenters if name in people],
            offer=spec.offer,
            # Local evening, so a window ends at the end of a working day.
            starts=today + dt.timedelta(days=spec.starts_days, hours=9),
            ends=today + dt.timedelta(days=spec.ends_days, hours=18),
            artwork=_png(
                _card(spec.title, "A Practice Review webcast series", spec.colour, (960, 540)),
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
                    captions=_vtt(
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
            session = sessions[clip_spec.session]
            files: dict[str, ContentFile[bytes]] = {}
            video_url = ""
            if clip_spec.video_url:
                video_url = clip_spec.video_url.format(
                    youtube=_random_id(
                        rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 11
                    ),
                    vimeo=rng.randint(100_000_000, 999_999_999),
                )
            else:
                seconds = 2 * len(clip_spec.captions)
                files["video"] = ContentFile(
                    title_card_video(clip_spec.title, seconds=seconds, colour=spec.colour),
                    name="clip.webm",
                )
                files["captions"] = _vtt(clip_spec.captions)
                files["poster"] = _png(
                    _card(clip_spec.title, spec.title, spec.colour, (640, 360)), "poster.png"
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
        max_uses=50,
        note=DEMO_CODE_NOTE,
        code=_random_id(rng, services.CODE_ALPHABET, services.CODE_LENGTH),
    )
    # The reader has no enrolment: the account is there to try the demo code with.
    members = {spec.username: _member(spec) for spec in MEMBERS}
    enrolled, lapsed = members["enrolled"], members["lapsed"]
    # Enrolled: one series by an editor's grant, the other by a single-use code of its own.
    services.enrol(user=enrolled, series=supervision, source=EnrolmentSource.EDITOR)
    (gift,) = services.create_access_codes(series=couples, note="A gift for Erin Enrolled")
    services.redeem_code(user=enrolled, code=gift.code)
    # Lapsed: enrolled for a fortnight that has since passed.
    enrolment = services.enrol(user=lapsed, series=couples)
    services.set_enrolment_until(enrolment=enrolment, until=today - dt.timedelta(days=2))
    for email in REQUESTS_FOR_NEWS:
        services.request_release_notice(email=email, series=trauma)
    return (
        f"{len(series_made)} series, {sessions_made} sessions, {clips_made} clips, "
        f"{len(MEMBERS)} members; access code {code.display_code}"
    )


def demo_code() -> AccessCode | None:
    """The demo's access code, while it has uses left."""
    return (
        AccessCode.objects.filter(note=DEMO_CODE_NOTE)
        .select_related("series")
        .order_by("pk")
        .first()
    )
