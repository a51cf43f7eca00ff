"""factory_boy factories for webcast tests; everything goes through the services."""

from __future__ import annotations

import datetime as dt
import functools
import io
from typing import Any

import factory
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from stoa.publishing.tests.factories import PersonFactory, UserFactory
from stoa.webcasts import services
from stoa.webcasts.models import AccessCode, Clip, Enrolment, Series, Session
from stoa.webcasts.webm import title_card_video

CAPTIONS = b"WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.000\nHello and welcome.\n"


@functools.cache
def webm_bytes() -> bytes:
    """A real WebM video (three seconds of title card), made once per test run."""
    return title_card_video("Test recording", seconds=3, fps=2, width=160, height=90)


def webm_file(name: str = "session.webm") -> ContentFile[bytes]:
    return ContentFile(webm_bytes(), name=name)


def mp4_bytes() -> bytes:
    """The start of an MP4 file: an `ftyp` box (isom), then an empty `mdat` box."""
    ftyp = b"ftyp" + b"isom" + b"\x00\x00\x02\x00" + b"isomiso2avc1mp41"
    return len(ftyp).to_bytes(4, "big") + ftyp + (8).to_bytes(4, "big") + b"mdat"


def png_bytes(size: tuple[int, int] = (32, 18), colour: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def vtt_file(name: str = "captions.vtt") -> ContentFile[bytes]:
    return ContentFile(CAPTIONS, name=name)


def days(n: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=n)


class WebcastEditorFactory(UserFactory):
    """Staff with every webcasts permission (and publishing's, for previews)."""

    username = factory.Sequence(lambda n: f"webcast-editor{n}")
    is_staff = True

    @factory.post_generation
    def permissions(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.user_permissions.add(
                *Permission.objects.filter(content_type__app_label__in=["webcasts", "publishing"])
            )


class SeriesFactory(factory.django.DjangoModelFactory):
    """A published series whose window opened ten days ago and closes in thirty.

    Traits: ``upcoming`` (opens in five days), ``ending_soon`` (closes in 2.5 days),
    ``ended`` (closed two days ago), ``endless`` (no dates), ``draft`` (not published).
    """

    class Meta:
        model = Series

    title = factory.Sequence(lambda n: f"Series number {n}")
    description = "What the series is about.\n\nA second paragraph."
    offer = "$99 · four CE hours"
    starts = factory.LazyFunction(lambda: days(-10))
    ends = factory.LazyFunction(lambda: days(30))
    is_published = True
    presenters = factory.LazyFunction(lambda: [PersonFactory()])

    class Params:
        upcoming = factory.Trait(
            starts=factory.LazyFunction(lambda: days(5)),
            ends=factory.LazyFunction(lambda: days(40)),
        )
        ending_soon = factory.Trait(ends=factory.LazyFunction(lambda: days(2.5)))
        ended = factory.Trait(
            starts=factory.LazyFunction(lambda: days(-60)),
            ends=factory.LazyFunction(lambda: days(-2)),
        )
        endless = factory.Trait(starts=None, ends=None)
        draft = factory.Trait(is_published=False)

    @classmethod
    def _create(cls, model_class: type[Series], *args: Any, **kwargs: Any) -> Series:
        return services.create_series(**kwargs)


class SessionFactory(factory.django.DjangoModelFactory):
    """A session at the end of a series, with a recording and captions (``unrecorded``:
    neither yet)."""

    class Meta:
        model = Session

    series = factory.SubFactory(SeriesFactory)
    title = factory.Sequence(lambda n: f"Session number {n}")
    description = "What happens in it."
    duration = dt.timedelta(minutes=48)
    presenter = None
    video = factory.LazyFunction(webm_file)
    captions = factory.LazyFunction(vtt_file)

    class Params:
        unrecorded = factory.Trait(video=None, captions=None)

    @classmethod
    def _create(cls, model_class: type[Session], *args: Any, **kwargs: Any) -> Session:
        return services.add_session(**kwargs)


class ClipFactory(factory.django.DjangoModelFactory):
    """A clip of a series given as a YouTube address (``uploaded``: a WebM file with
    captions and a poster instead)."""

    class Meta:
        model = Clip

    series = factory.SubFactory(SeriesFactory)
    title = factory.Sequence(lambda n: f"Clip number {n}")
    description = ""
    session = None
    post = None
    video_url = "https://www.youtube.com/watch?v=abcdefghijk"
    video = None
    captions = None
    poster = None
    starts_at = None

    class Params:
        uploaded = factory.Trait(
            video_url="",
            video=factory.LazyFunction(lambda: webm_file("clip.webm")),
            captions=factory.LazyFunction(vtt_file),
            poster=factory.LazyFunction(lambda: ContentFile(png_bytes(), name="poster.png")),
        )

    @classmethod
    def _create(cls, model_class: type[Clip], *args: Any, **kwargs: Any) -> Clip:
        return services.create_clip(**kwargs)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    user = factory.SubFactory(UserFactory)
    series = factory.SubFactory(SeriesFactory)
    until = None

    @classmethod
    def _create(cls, model_class: type[Enrolment], *args: Any, **kwargs: Any) -> Enrolment:
        return services.enrol(**kwargs)


class AccessCodeFactory(factory.django.DjangoModelFactory):
    """A single-use random code for an open series."""

    class Meta:
        model = AccessCode

    series = factory.SubFactory(SeriesFactory)
    max_uses = 1
    expires_at = None
    access_until = None
    note = ""
    code = ""

    @classmethod
    def _create(cls, model_class: type[AccessCode], *args: Any, **kwargs: Any) -> AccessCode:
        (code,) = services.create_access_codes(**kwargs)
        return code
