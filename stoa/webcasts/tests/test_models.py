"""The models' rules and constraints, the role permissions, the template helpers, and the
WebM writer the demo and these tests use."""

from __future__ import annotations

import datetime as dt
import struct

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from stoa.members.roles import Role
from stoa.publishing.tests.factories import UserFactory
from stoa.webcasts.models import AccessCode, Enrolment, Series, days_left
from stoa.webcasts.templating import duration, iso_duration, paragraphs, timecode
from stoa.webcasts.tests.factories import (
    ClipFactory,
    SeriesFactory,
    SessionFactory,
)
from stoa.webcasts.webm import title_card_video

# --- constraints -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_has_one_enrolment_per_series(member) -> None:
    series = SeriesFactory()
    Enrolment.objects.create(user=member, series=series)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(user=member, series=series)


@pytest.mark.django_db
def test_a_code_is_used_at_most_as_often_as_it_allows_and_at_least_once() -> None:
    series = SeriesFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessCode.objects.create(code="A1", series=series, max_uses=2, uses=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessCode.objects.create(code="A2", series=series, max_uses=0)


@pytest.mark.django_db
def test_a_series_ends_after_it_starts() -> None:
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        SeriesFactory(starts=now, ends=now - dt.timedelta(days=1))
    assert "ends" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Series.objects.create(title="x", slug="x", starts=now, ends=now)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["redeem", "notify", "clips"])
def test_a_series_cannot_take_the_address_of_the_apps_own_pages(slug: str) -> None:
    with pytest.raises(ValidationError) as error:
        SeriesFactory(slug=slug)
    assert "slug" in error.value.message_dict


@pytest.mark.django_db
def test_a_clip_has_exactly_one_video_source() -> None:
    with pytest.raises(ValidationError):
        ClipFactory(video_url="")
    with pytest.raises(ValidationError):
        ClipFactory(uploaded=True, video_url="https://vimeo.com/76979871")
    clip = ClipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(clip).objects.filter(pk=clip.pk).update(video_url="")


@pytest.mark.django_db
def test_a_clip_is_cut_from_a_session_of_its_own_series() -> None:
    session = SessionFactory(unrecorded=True)
    with pytest.raises(ValidationError) as error:
        ClipFactory(session=session, series=SeriesFactory())
    assert "session" in error.value.message_dict


@pytest.mark.django_db
def test_sessions_keep_the_order_they_were_added_in_and_unique_slugs() -> None:
    series = SeriesFactory()
    titles = ["Opening", "Middle", "Opening"]
    sessions = [SessionFactory(series=series, title=t, unrecorded=True) for t in titles]
    assert list(series.sessions.in_order()) == sessions
    assert [s.slug for s in sessions] == ["opening", "middle", "opening-2"]
    assert [s.position for s in sessions] == [0, 1, 2]


# --- roles -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_roles_get_their_webcast_permissions() -> None:
    def codenames(role: Role) -> set[str]:
        perms = Group.objects.get(name=role.value).permissions
        return set(
            perms.filter(content_type__app_label="webcasts").values_list("codename", flat=True)
        )

    every = {
        f"{action}_{model}"
        for model in (
            "series",
            "session",
            "clip",
            "enrolment",
            "accesscode",
            "redemption",
            "releasenotice",
        )
        for action in ("add", "change", "delete", "view")
    }
    assert codenames(Role.EDITOR) == every
    assert codenames(Role.ADMINISTRATOR) == every
    assert codenames(Role.AUTHOR) == {"view_series", "view_session", "view_clip", "add_clip"}
    assert codenames(Role.MODERATOR) == set()
    assert codenames(Role.MEMBER) == set()


@pytest.mark.django_db
def test_an_editor_by_role_may_grant_enrolments_and_an_author_may_not() -> None:
    editor, author = UserFactory(is_staff=True), UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name=Role.EDITOR))
    author.groups.add(Group.objects.get(name=Role.AUTHOR))
    assert editor.has_perm("webcasts.add_enrolment")
    assert not author.has_perm("webcasts.add_enrolment")
    assert author.has_perm("webcasts.add_clip")


# --- time ---------------------------------------------------------------------------------------


def test_days_left_round_up_and_stop_at_zero() -> None:
    now = timezone.now()
    assert days_left(now + dt.timedelta(days=2, seconds=1), now) == 3
    assert days_left(now + dt.timedelta(days=2), now) == 2
    assert days_left(now + dt.timedelta(minutes=1), now) == 1
    assert days_left(now, now) == 0
    assert days_left(now - dt.timedelta(days=3), now) == 0


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0:00"), (754, "12:34"), (3723, "1:02:03"), (None, "")]
)
def test_time_codes_read_as_players_show_them(seconds: int | None, text: str) -> None:
    assert timecode(seconds) == text


@pytest.mark.parametrize(
    ("minutes", "text", "iso"),
    [(48, "48 min", "PT48M"), (65, "1 h 05 min", "PT1H5M"), (120, "2 h 00 min", "PT2H0M")],
)
def test_session_lengths_read_as_people_say_them(minutes: int, text: str, iso: str) -> None:
    assert duration(dt.timedelta(minutes=minutes)) == text
    assert iso_duration(dt.timedelta(minutes=minutes)) == iso


def test_plain_descriptions_become_escaped_paragraphs() -> None:
    html = paragraphs("First <b>line</b>\nsecond line\n\nNext paragraph")
    assert str(html) == (
        "<p>First &lt;b&gt;line&lt;/b&gt;<br>second line</p>\n<p>Next paragraph</p>"
    )


# --- the WebM writer ---------------------------------------------------------------------------


def read_vint(data: bytes, at: int, keep_marker: bool) -> tuple[int, int]:
    first = data[at]
    length = 1
    while not first & (0x80 >> (length - 1)):
        length += 1
    value = int.from_bytes(data[at : at + length], "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
    return value, at + length


def elements(data: bytes, start: int = 0, end: int | None = None):
    """(id, data start, data end) of each EBML element at one level."""
    at, end = start, len(data) if end is None else end
    while at < end:
        element_id, at = read_vint(data, at, keep_marker=True)
        size, at = read_vint(data, at, keep_marker=False)
        yield element_id, at, at + size
        at += size


def test_the_webm_writer_makes_a_well_formed_seekable_file() -> None:
    data = title_card_video("A test", seconds=3, fps=2, width=160, height=90)
    (header, segment) = list(elements(data))
    assert header[0] == 0x1A45DFA3 and segment[0] == 0x18538067
    assert segment[2] == len(data)  # sizes add up to the end of the file
    assert b"\x42\x82\x84webm" in data[header[1] : header[2]]
    children = list(elements(data, segment[1], segment[2]))
    ids = [c[0] for c in children]
    assert ids[:4] == [
        0x114D9B74,
        0x1549A966,
        0x1654AE6B,
        0x1C53BB6B,
    ]  # seek head, info, tracks, cues
    clusters = [c for c in children if c[0] == 0x1F43B675]
    assert len(clusters) == 6  # one key frame per half second
    info = next(c for c in children if c[0] == 0x1549A966)
    (duration_element,) = [e for e in elements(data, info[1], info[2]) if e[0] == 0x4489]
    assert struct.unpack(">d", data[duration_element[1] : duration_element[2]])[0] == 3000.0
    # Every cue points at the start of a cluster (offsets count from the segment's data).
    cues = next(c for c in children if c[0] == 0x1C53BB6B)
    positions = []
    for _, point_start, point_end in elements(data, cues[1], cues[2]):
        for eid, s, e in elements(data, point_start, point_end):
            if eid == 0xB7:
                for inner_id, i_s, i_e in elements(data, s, e):
                    if inner_id == 0xF1:
                        positions.append(int.from_bytes(data[i_s:i_e], "big"))
    cluster_offsets = []
    at = segment[1]
    for element_id, _, element_end in children:
        if element_id == 0x1F43B675:
            cluster_offsets.append(at - segment[1])
        at = element_end
    assert positions == cluster_offsets
    # Each frame is a VP8 key frame (its start code is 9d 01 2a).
    for _, start, end in clusters:
        block = next(b for b in elements(data, start, end) if b[0] == 0xA3)
        assert data[block[1] + 4 + 3 : block[1] + 4 + 6] == b"\x9d\x01\x2a"


@pytest.mark.django_db
def test_series_are_listed_available_and_ended_as_their_windows_say() -> None:
    open_now = SeriesFactory()
    endless = SeriesFactory(endless=True)
    upcoming = SeriesFactory(upcoming=True)
    ended = SeriesFactory(ended=True)
    draft = SeriesFactory(draft=True)
    assert set(Series.objects.listed()) == {open_now, endless, upcoming, ended}
    assert set(Series.objects.available()) == {open_now, endless}
    assert set(Series.objects.ended()) == {ended}
    assert draft not in Series.objects.available()
