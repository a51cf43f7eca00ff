"""Enrolment, code redemption, codes, release notices, the content version and the window
clock, through the services."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, connections
from django.utils import timezone

from stoa.core.cache import content_version
from stoa.publishing.tests.factories import UserFactory
from stoa.webcasts import services
from stoa.webcasts.models import (
    AccessCode,
    Enrolment,
    EnrolmentSource,
    Redemption,
    ReleaseNotice,
    next_window_change,
)
from stoa.webcasts.services import RedeemFailure
from stoa.webcasts.tests.factories import (
    AccessCodeFactory,
    ClipFactory,
    EnrolmentFactory,
    SeriesFactory,
    SessionFactory,
    days,
)

pytestmark = pytest.mark.django_db


def refusal(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return error.value.code or ""


# --- enrol -------------------------------------------------------------------------------------


def test_enrolling_a_member_gives_access_until_the_end_of_the_window(member, editor) -> None:
    series = SeriesFactory()
    enrolment = services.enrol(user=member, series=series, granted_by=editor)
    assert (enrolment.user, enrolment.series, enrolment.until) == (member, series, None)
    assert enrolment.source == EnrolmentSource.EDITOR
    assert enrolment.granted_by == editor
    assert enrolment.ends_at() == series.ends


def test_enrolling_again_extends_an_active_enrolment_and_never_shortens_it(member) -> None:
    series = SeriesFactory()
    first = services.enrol(user=member, series=series, until=days(5))
    again = services.enrol(user=member, series=series, until=days(3))
    assert again.pk == first.pk
    assert again.until == first.until
    longer = services.enrol(user=member, series=series, until=days(8))
    assert longer.until > first.until
    assert services.enrol(user=member, series=series).until is None
    assert services.enrol(user=member, series=series, until=days(2)).until is None
    assert Enrolment.objects.filter(user=member).count() == 1


def test_enrolling_again_renews_an_expired_enrolment(member) -> None:
    series = SeriesFactory()
    enrolment = services.enrol(user=member, series=series)
    services.end_enrolment(enrolment=enrolment)
    assert not enrolment.is_active()
    renewed = services.enrol(user=member, series=series, until=days(4))
    assert renewed.pk == enrolment.pk
    assert renewed.is_active()
    assert renewed.until == Enrolment.objects.get().until


def test_nobody_can_enrol_in_an_ended_series_or_until_a_past_date(member) -> None:
    with pytest.raises(ValidationError) as error:
        services.enrol(user=member, series=SeriesFactory(ended=True))
    assert refusal(error) == "ended"
    with pytest.raises(ValidationError):
        services.enrol(user=member, series=SeriesFactory(), until=days(-1))
    assert not Enrolment.objects.exists()


# --- redeem_code -------------------------------------------------------------------------------


def test_redeeming_a_code_enrols_the_member_and_records_the_use(member) -> None:
    code = AccessCodeFactory(max_uses=3)
    enrolment = services.redeem_code(user=member, code=code.code)
    assert enrolment.series == code.series
    assert enrolment.source == EnrolmentSource.CODE
    code.refresh_from_db()
    assert code.uses == 1
    redemption = Redemption.objects.get()
    assert (redemption.user, redemption.code, redemption.enrolment) == (member, code, enrolment)


def test_a_code_may_be_typed_in_lower_case_with_dashes_and_spaces(member) -> None:
    code = AccessCodeFactory(code="COUPLES2026")
    enrolment = services.redeem_code(user=member, code="  couples-20 26 ")
    assert enrolment.series == code.series


def test_a_code_can_limit_how_long_its_enrolment_lasts(member) -> None:
    code = AccessCodeFactory(access_until=days(7))
    assert services.redeem_code(user=member, code=code.code).until == code.access_until


@pytest.mark.parametrize(
    ("situation", "failure"),
    [
        ("unknown", RedeemFailure.UNKNOWN),
        ("empty", RedeemFailure.UNKNOWN),
        ("unpublished series", RedeemFailure.UNKNOWN),
        ("expired", RedeemFailure.EXPIRED),
        ("used up", RedeemFailure.USED_UP),
        ("series ended", RedeemFailure.ENDED),
        ("already enrolled", RedeemFailure.ALREADY_ENROLLED),
        ("already redeemed", RedeemFailure.ALREADY_REDEEMED),
    ],
)
def test_a_code_that_cannot_be_redeemed_says_why_and_changes_nothing(
    member, situation: str, failure: RedeemFailure
) -> None:
    code = AccessCodeFactory(max_uses=2)
    typed = code.code
    if situation == "unknown":
        typed = "NOSUCHCODE99"
    elif situation == "empty":
        typed = " -- "
    elif situation == "unpublished series":
        code.series.is_published = False
        code.series.save()
    elif situation == "expired":
        AccessCode.objects.filter(pk=code.pk).update(expires_at=days(-1))
    elif situation == "used up":
        AccessCode.objects.filter(pk=code.pk).update(uses=2)
    elif situation == "series ended":
        code.series.starts, code.series.ends = days(-9), days(-1)
        code.series.save()
    elif situation == "already enrolled":
        EnrolmentFactory(user=member, series=code.series)
    elif situation == "already redeemed":
        enrolment = services.redeem_code(user=member, code=code.code)
        services.end_enrolment(enrolment=enrolment)
    uses_before = AccessCode.objects.get(pk=code.pk).uses
    enrolments_before = list(Enrolment.objects.values_list("pk", "until"))

    with pytest.raises(ValidationError) as error:
        services.redeem_code(user=member, code=typed)

    assert refusal(error) == failure.value
    assert error.value.messages == [failure.label]
    assert AccessCode.objects.get(pk=code.pk).uses == uses_before
    assert list(Enrolment.objects.values_list("pk", "until")) == enrolments_before


def test_a_code_with_three_uses_enrols_three_members_and_no_fourth() -> None:
    code = AccessCodeFactory(max_uses=3)
    for _ in range(3):
        services.redeem_code(user=UserFactory(), code=code.code)
    with pytest.raises(ValidationError) as error:
        services.redeem_code(user=UserFactory(), code=code.code)
    assert refusal(error) == RedeemFailure.USED_UP
    assert AccessCode.objects.get(pk=code.pk).uses == 3
    assert Enrolment.objects.count() == 3


def test_the_database_refuses_more_uses_than_a_code_allows() -> None:
    code = AccessCodeFactory(max_uses=1)
    with pytest.raises(IntegrityError):
        AccessCode.objects.filter(pk=code.pk).update(uses=2)


@pytest.mark.django_db(transaction=True)
def test_members_racing_for_the_last_use_of_a_code_leave_exactly_one_enrolled() -> None:
    code = AccessCodeFactory(max_uses=1)
    members = [UserFactory() for _ in range(6)]
    start = threading.Barrier(len(members))
    outcomes: list[str] = []
    lock = threading.Lock()

    def redeem(user) -> None:
        close_old_connections()
        try:
            start.wait(timeout=30)
            services.redeem_code(user=user, code=code.code)
            outcome = "enrolled"
        except ValidationError as error:
            outcome = error.code or "?"
        except Exception as error:  # noqa: BLE001 - reported below, not raised in a thread
            outcome = repr(error)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=redeem, args=(user,)) for user in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["enrolled"] + ["used_up"] * (len(members) - 1)
    assert AccessCode.objects.get(pk=code.pk).uses == 1
    assert Enrolment.objects.count() == Redemption.objects.count() == 1


# --- codes -------------------------------------------------------------------------------------


def test_generated_codes_are_unique_and_easy_to_read_aloud() -> None:
    codes = services.create_access_codes(series=SeriesFactory(), count=25)
    values = [c.code for c in codes]
    assert len(set(values)) == 25
    assert all(len(v) == services.CODE_LENGTH for v in values)
    assert set("".join(values)) <= set(services.CODE_ALPHABET)
    assert not set("".join(values)) & set("01OIL")
    assert codes[0].display_code.count("-") == 2


def test_a_chosen_code_is_stored_in_its_canonical_form() -> None:
    (code,) = services.create_access_codes(series=SeriesFactory(), code="spring-2026 a")
    assert code.code == "SPRING2026A"
    assert str(code) == "SPRI-NG20-26A"


# --- release notices ---------------------------------------------------------------------------


def test_a_release_notice_is_kept_once_per_address_and_series() -> None:
    series = SeriesFactory(ended=True)
    first = services.request_release_notice(email=" Ana@Example.ORG ", series=series)
    again = services.request_release_notice(email="ana@example.org", series=series)
    assert first.pk == again.pk
    assert first.email == "Ana@example.org"
    services.request_release_notice(email="ana@example.org", series=None)
    assert ReleaseNotice.objects.count() == 2


def test_a_release_notice_needs_a_real_address() -> None:
    with pytest.raises(ValidationError):
        services.request_release_notice(email="not an address")
    assert not ReleaseNotice.objects.exists()


# --- what readers see changes: the content version ---------------------------------------------


def test_changes_to_series_sessions_clips_and_presenters_start_a_new_content_version() -> None:
    from stoa.core.cache import forget_request_version

    def version() -> str:
        forget_request_version()
        return content_version()

    seen = [version()]
    series = SeriesFactory()
    seen.append(version())
    session = SessionFactory(series=series, unrecorded=True)
    seen.append(version())
    clip = ClipFactory(series=series)
    seen.append(version())
    series.presenters.clear()
    seen.append(version())
    clip.delete()
    seen.append(version())
    session.title = "Renamed"
    session.save()
    seen.append(version())
    assert len(set(seen)) == len(seen)


def test_a_member_enrolling_or_asking_for_news_leaves_the_shared_pages_cached(member) -> None:
    from stoa.core.cache import forget_request_version

    series = SeriesFactory()
    forget_request_version()
    before = content_version()
    EnrolmentFactory(user=member, series=series)
    services.request_release_notice(email="someone@example.org", series=series)
    forget_request_version()
    assert content_version() == before


# --- the window clock --------------------------------------------------------------------------


def test_the_clock_is_silent_without_windows_to_open_or_close() -> None:
    SeriesFactory(endless=True)
    SeriesFactory(ended=True)
    assert next_window_change() is None


def test_the_clock_rings_when_an_upcoming_series_opens() -> None:
    series = SeriesFactory(upcoming=True, ends=days(400))
    assert next_window_change() == series.starts


def test_the_clock_rings_when_the_days_left_count_goes_down() -> None:
    series = SeriesFactory(ends=timezone.now() + dt.timedelta(days=2, hours=5))
    # "3 days left" until the end is two days away, then "2 days left", then "last day".
    assert series.days_left() == 3
    assert next_window_change() == series.ends - dt.timedelta(days=2)
    assert series.days_left(series.ends - dt.timedelta(days=2)) == 2


def test_the_clock_rings_at_the_end_on_the_last_day() -> None:
    series = SeriesFactory(ends=timezone.now() + dt.timedelta(hours=3))
    SeriesFactory(ends=timezone.now() + dt.timedelta(days=9, hours=5))  # next tick in 5 h
    assert series.days_left() == 1
    assert next_window_change() == series.ends


def test_the_clock_ignores_unpublished_series() -> None:
    SeriesFactory(draft=True, upcoming=True)
    assert next_window_change() is None


# --- the member's data export ------------------------------------------------------------------


def test_a_members_export_holds_their_enrolments_redemptions_and_notices(member) -> None:
    from stoa.webcasts.exports import member_data

    by_code = AccessCodeFactory(code="GIFT2026")
    services.redeem_code(user=member, code="gift-2026")
    granted = SeriesFactory(title="Granted series")
    services.enrol(user=member, series=granted, until=days(3))
    services.request_release_notice(email=member.email.upper(), series=None)
    services.request_release_notice(email="someone.else@example.org", series=None)
    other = UserFactory()
    services.enrol(user=other, series=granted)

    data = member_data(member)

    assert {e["series"] for e in data["enrolments"]} == {by_code.series.title, "Granted series"}
    granted_row = next(e for e in data["enrolments"] if e["series"] == "Granted series")
    assert granted_row["active"] is True
    assert (
        granted_row["until"] == Enrolment.objects.get(user=member, series=granted).until.isoformat()
    )
    assert data["redemptions"] == [
        {
            "code": "GIFT-2026",
            "series": by_code.series.title,
            "redeemed_at": Redemption.objects.get().created_at.isoformat(),
        }
    ]
    assert [n["email"].lower() for n in data["release_notices"]] == [member.email.lower()]
    assert member_data(UserFactory()) == {
        "enrolments": [],
        "redemptions": [],
        "release_notices": [],
    }
