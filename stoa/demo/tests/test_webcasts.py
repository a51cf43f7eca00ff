"""The webcast demo, as `stoa demo` writes it: three series in three states, recordings a
player can seek in, clips on live articles, members to log in as, and a code to try."""

from __future__ import annotations

import random
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from stoa.demo import publishing, webcasts
from stoa.members.models import User
from stoa.webcasts.models import (
    AccessCode,
    Clip,
    Enrolment,
    EnrolmentSource,
    Redemption,
    ReleaseNotice,
    Series,
    Session,
)
from stoa.webcasts.storage import protected_storage
from stoa.webcasts.validators import sniff

pytestmark = pytest.mark.django_db


def load(seed: int = 2026) -> str:
    """The demo magazine (the people and articles), then the webcasts."""
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data
    publishing.build(rng=rng, today=today)
    return webcasts.build(rng=rng, today=today)


def test_the_demo_command_finds_and_loads_the_webcast_demo_once() -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    assert "stoa.webcasts.demo: 3 series, 15 sessions, 6 clips, 3 members; access code" in (
        out.getvalue()
    )
    assert webcasts.is_loaded()
    again = StringIO()
    call_command("demo", stdout=again)
    assert "already loaded" in again.getvalue()
    assert Series.objects.count() == 3


def test_one_series_is_open_one_ends_in_days_and_one_has_ended() -> None:
    load()
    now = timezone.now()
    ended = [s for s in Series.objects.all() if s.has_ended(now)]
    left = sorted(s.days_left(now) for s in Series.objects.all() if s.is_available(now))
    assert len(ended) == 1
    assert len(left) == 2
    assert left[0] <= 7 < left[1]
    for series in Series.objects.all():
        assert series.is_published and series.artwork
        assert series.presenters.exists()
        assert 3 <= series.sessions.count() <= 6


def test_every_session_has_a_real_webm_recording_and_webvtt_captions() -> None:
    load()
    for session in Session.objects.all():
        video = Path(protected_storage().path(session.video.name)).read_bytes()
        captions = Path(protected_storage().path(session.captions.name)).read_bytes()
        assert sniff(video[:64]) == "webm"
        assert sniff(captions[:64]) == "vtt"
        assert session.duration and session.presenter


def test_clips_sit_on_live_articles_and_come_from_files_youtube_and_vimeo(client) -> None:
    load()
    clips = Clip.objects.select_related("post")
    on_live_posts = [c for c in clips if c.post is not None and c.post.is_live]
    assert len(on_live_posts) >= 4
    assert any(c.video for c in clips)
    assert any("youtube.com" in c.video_url for c in clips)
    assert any("vimeo.com" in c.video_url for c in clips)
    for clip in on_live_posts:
        response = client.get(clip.post.get_absolute_url())
        assert response.status_code == 200
        assert 'class="clip"' in response.content.decode()
        assert "This clip is taken from" in response.content.decode()


def test_the_demo_members_log_in_with_the_printed_passwords_and_verified_addresses() -> None:
    from allauth.account.models import EmailAddress

    load()
    for member in webcasts.members().members:
        user = User.objects.get(email=member.email)
        assert user.check_password(member.password)
        assert EmailAddress.objects.filter(user=user, email=user.email, verified=True).exists()
    enrolled = User.objects.get(email="enrolled@example.com")
    sources = set(Enrolment.objects.filter(user=enrolled).values_list("source", flat=True))
    assert sources == {EnrolmentSource.EDITOR, EnrolmentSource.CODE}
    assert Redemption.objects.filter(user=enrolled).exists()
    lapsed = Enrolment.objects.get(user__email="lapsed@example.com")
    assert not lapsed.is_active()
    assert not Enrolment.objects.filter(user__email="reader@example.com").exists()
    assert ReleaseNotice.objects.count() == 2


def test_the_reader_redeems_the_printed_code_and_seeks_in_a_session() -> None:
    load()
    out = StringIO()
    call_command("webcasts_code", stdout=out)
    printed = out.getvalue()
    code = AccessCode.objects.get(note=webcasts.members().access_code.note)
    assert code.display_code in printed
    assert "reader@example.com / demo-reader-pass" in printed

    client = Client()
    assert client.login(username="reader", password="demo-reader-pass")
    response = client.post("/series/redeem/", {"code": code.display_code})
    assert response.status_code == 302
    session = code.series.sessions.in_order().first()
    assert client.get(session.get_absolute_url()).status_code == 200
    part = client.get(session.media_url("video"), HTTP_RANGE="bytes=0-31")
    assert part.status_code == 206
    assert b"".join(part.streaming_content)[:4] == b"\x1a\x45\xdf\xa3"


def test_the_code_command_keeps_quiet_about_changed_passwords() -> None:
    load()
    reader = User.objects.get(email="reader@example.com")
    reader.set_password("a-private-password-now")
    reader.save()
    out = StringIO()
    call_command("webcasts_code", stdout=out)
    assert "reader@example.com" not in out.getvalue()
    assert "enrolled@example.com" in out.getvalue()
