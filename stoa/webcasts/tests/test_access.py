"""The access rules, exhaustively: who may see a series and watch its sessions, and who may
play a clip. Each case is checked through access_series, can_watch_session and the
queryset Session.objects.watchable_by, which must agree."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from stoa.members.roles import Role
from stoa.publishing.models import PostVisibility
from stoa.publishing.tests.factories import EditorFactory, PostFactory, UserFactory
from stoa.webcasts import services
from stoa.webcasts.access import (
    Reason,
    access_series,
    can_manage_webcasts,
    can_view_series,
    can_watch_clip,
    can_watch_session,
    enrolment_of,
    is_clip_public,
)
from stoa.webcasts.models import Enrolment, Session, _pair_sql
from stoa.webcasts.tests.factories import (
    ClipFactory,
    EnrolmentFactory,
    SeriesFactory,
    SessionFactory,
    WebcastEditorFactory,
)

pytestmark = pytest.mark.django_db

# (series trait, viewer) -> the reason access_series gives
SERIES_KINDS = ["open", "upcoming", "ended", "draft", "endless"]
VIEWERS = [
    "visitor",
    "member",
    "enrolled",
    "enrolled_until_past",
    "inactive_enrolled",
    "editor",
    "staff_without_webcasts",
    "superuser",
]
EXPECTED: dict[tuple[str, str], Reason] = {}
for kind in SERIES_KINDS:
    window = {
        "upcoming": Reason.NOT_STARTED,
        "ended": Reason.ENDED,
        "draft": Reason.HIDDEN,
    }.get(kind)
    EXPECTED[(kind, "visitor")] = window or Reason.VISITOR
    EXPECTED[(kind, "member")] = window or Reason.NOT_ENROLLED
    EXPECTED[(kind, "enrolled")] = window or Reason.ENROLLED
    EXPECTED[(kind, "enrolled_until_past")] = window or Reason.EXPIRED
    EXPECTED[(kind, "inactive_enrolled")] = window or Reason.VISITOR
    EXPECTED[(kind, "editor")] = Reason.STAFF
    EXPECTED[(kind, "superuser")] = Reason.STAFF
    # Staff who do not run webcasts (a moderator) are members like any other.
    EXPECTED[(kind, "staff_without_webcasts")] = window or Reason.NOT_ENROLLED


def make_series(kind: str) -> Any:
    traits = {} if kind == "open" else {kind: True}
    return SeriesFactory(**traits)


def make_viewer(kind: str, series: Any) -> Any:
    if kind == "visitor":
        return AnonymousUser()
    if kind == "editor":
        return WebcastEditorFactory()
    if kind == "superuser":
        return UserFactory(is_staff=True, is_superuser=True)
    if kind == "staff_without_webcasts":
        return EditorFactory()  # every publishing permission, none of webcasts'
    user = UserFactory()
    if kind in ("enrolled", "enrolled_until_past", "inactive_enrolled"):
        # Enrolments are made directly: enrol() rightly refuses ended series and past dates.
        until = timezone.now() - dt.timedelta(days=1) if kind == "enrolled_until_past" else None
        user.webcast_enrolments.create(series=series, until=until)
    if kind == "inactive_enrolled":
        user.is_active = False
        user.save()
    return user


@pytest.mark.parametrize("series_kind", SERIES_KINDS)
@pytest.mark.parametrize("viewer_kind", VIEWERS)
def test_each_viewer_gets_the_access_the_rules_give(series_kind: str, viewer_kind: str) -> None:
    series = make_series(series_kind)
    session = SessionFactory(series=series)
    viewer = make_viewer(viewer_kind, series)
    expected = EXPECTED[(series_kind, viewer_kind)]

    access = access_series(viewer, series)

    assert access.reason == expected
    can_watch = expected in (Reason.STAFF, Reason.ENROLLED)
    assert access.can_watch is can_watch
    assert access.can_view is (expected != Reason.HIDDEN)
    assert can_view_series(viewer, series) is (expected != Reason.HIDDEN)
    assert can_watch_session(viewer, session) is can_watch
    watchable = Session.objects.watchable_by(viewer)
    assert (session in watchable) is can_watch


def test_an_enrolment_ends_with_its_date_or_the_window_whichever_comes_first(member) -> None:
    series = SeriesFactory(ends=timezone.now() + dt.timedelta(days=10))
    enrolment = EnrolmentFactory(user=member, series=series)
    assert access_series(member, series).until == series.ends

    services.set_enrolment_until(enrolment=enrolment, until=timezone.now() + dt.timedelta(days=3))
    assert access_series(member, series).until == enrolment.until

    later = timezone.now() + dt.timedelta(days=4)
    assert access_series(member, series, now=later).reason == Reason.EXPIRED


def test_an_enrolled_member_loses_access_the_moment_the_window_closes(member) -> None:
    series = SeriesFactory()
    EnrolmentFactory(user=member, series=series)
    assert access_series(member, series, now=series.ends - dt.timedelta(seconds=1)).can_watch
    assert access_series(member, series, now=series.ends).reason == Reason.ENDED


def test_an_enrolment_in_one_series_opens_no_other(member) -> None:
    enrolled_in, other = SeriesFactory(), SeriesFactory()
    EnrolmentFactory(user=member, series=enrolled_in)
    assert access_series(member, other).reason == Reason.NOT_ENROLLED
    sessions = {SessionFactory(series=enrolled_in, unrecorded=True), SessionFactory(series=other)}
    assert set(Session.objects.watchable_by(member)) & sessions == {
        s for s in sessions if s.series == enrolled_in
    }


def test_a_members_enrolment_is_read_whole_in_one_query_written_once(
    member, django_assert_num_queries
) -> None:
    series, other = SeriesFactory(), SeriesFactory()
    enrolment = EnrolmentFactory(
        user=member, series=series, until=timezone.now() + dt.timedelta(days=3)
    )
    EnrolmentFactory(user=UserFactory(), series=other)
    enrolment_of(member, series)  # the SQL written, if no test did before
    written = _pair_sql.cache_info().misses
    with django_assert_num_queries(1):
        found = enrolment_of(member, series)
    assert _pair_sql.cache_info().misses == written
    assert found is not None
    assert found.series is series
    # Every column as the ORM reads it (the times converted, aware), none deferred.
    assert not found.get_deferred_fields()
    orm = Enrolment.objects.get(pk=enrolment.pk)
    for field in Enrolment._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(orm, field.attname), field.name
    assert found.until is not None and timezone.is_aware(found.until)
    # Nobody else's enrolment, and none in a series the member is not in.
    assert enrolment_of(member, other) is None
    assert Enrolment.objects.of_pair(user_id=member.pk, series_id=other.pk) is None
    assert enrolment_of(AnonymousUser(), series) is None


def test_the_editor_role_manages_webcasts_and_the_moderator_role_does_not() -> None:
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name=Role.EDITOR))
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(Group.objects.get(name=Role.MODERATOR))
    assert can_manage_webcasts(editor)
    assert not can_manage_webcasts(moderator)
    assert not can_manage_webcasts(UserFactory())


def test_a_clip_is_public_on_its_own_and_on_a_public_live_article() -> None:
    series = SeriesFactory()
    assert can_watch_clip(AnonymousUser(), ClipFactory(series=series))
    assert can_watch_clip(AnonymousUser(), ClipFactory(series=series, post=PostFactory()))


def test_a_clip_on_a_members_only_article_plays_for_members_only(member) -> None:
    post = PostFactory()
    post.visibility = PostVisibility.MEMBERS
    post.save()
    clip = ClipFactory(post=post)
    assert not can_watch_clip(AnonymousUser(), clip)
    assert can_watch_clip(member, clip)


def test_a_clip_waits_for_its_article_to_go_live(member) -> None:
    clip = ClipFactory(post=PostFactory(scheduled=True))
    assert not can_watch_clip(AnonymousUser(), clip)
    assert not can_watch_clip(member, clip)
    assert can_watch_clip(WebcastEditorFactory(), clip)


def test_a_clip_of_an_unpublished_series_is_hidden_from_readers(member) -> None:
    clip = ClipFactory(series=SeriesFactory(draft=True))
    assert not can_watch_clip(AnonymousUser(), clip)
    assert not can_watch_clip(member, clip)
    assert can_watch_clip(WebcastEditorFactory(), clip)


# --- A clip's files: who plays them, and whether shared caches may keep them ------------------

CLIP_KINDS = {
    "on no article": {},
    "on a public live article": {"post": {}},
    "on a members-only article": {"post": {"members_only": True}},
    "on a scheduled article": {"post": {"scheduled": True}},
    "on a draft article": {"post": {"draft": True}},
    "of an unpublished series": {"series": {"draft": True}},
}
CLIP_VIEWERS = ("anonymous", "member", "webcast editor")
# fmt: off
# clip kind -> (who may play it: anonymous, member, webcast editor; whether it is public)
CLIP_RULES: dict[str, tuple[tuple[bool, bool, bool], bool]] = {
    "on no article":             ((True,  True,  True), True),
    "on a public live article":  ((True,  True,  True), True),
    "on a members-only article": ((False, True,  True), False),
    "on a scheduled article":    ((False, False, True), False),
    "on a draft article":        ((False, False, True), False),
    "of an unpublished series":  ((False, False, True), False),
}
# fmt: on


def make_clip(kind: str) -> Any:
    spec = CLIP_KINDS[kind]
    series = SeriesFactory(**spec.get("series", {}))
    post = PostFactory(**spec["post"]) if "post" in spec else None
    return ClipFactory(series=series, post=post)


def test_the_clip_rules_cover_every_kind() -> None:
    assert set(CLIP_RULES) == set(CLIP_KINDS)


@pytest.mark.parametrize("clip_kind", CLIP_KINDS)
def test_who_plays_a_clip_and_whether_its_files_are_public(clip_kind: str) -> None:
    clip = make_clip(clip_kind)
    viewers = {
        "anonymous": AnonymousUser(),
        "member": UserFactory(),
        "webcast editor": WebcastEditorFactory(),
    }
    plays, public = CLIP_RULES[clip_kind]

    assert tuple(can_watch_clip(viewers[who], clip) for who in CLIP_VIEWERS) == plays
    assert is_clip_public(clip) is public
    # A clip everyone may play is exactly one whose files shared caches may keep.
    assert public is all(plays)
