"""Every change of state in webcasts: the admin, the pages, the demo (and a future checkout)
call these."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from stoa.members.models import User
from stoa.publishing.models import MediaItem, Person, Post
from stoa.publishing.services import unique_slug
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

# Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


class RedeemFailure(models.TextChoices):
    """Why a code could not be redeemed; the label is what the member is told."""

    UNKNOWN = "unknown", "We don't know this code. Check it and try again."
    EXPIRED = "expired", "This code has expired."
    USED_UP = "used_up", "This code has already been used as many times as it allows."
    ENDED = "ended", "The series this code is for has ended."
    ALREADY_ENROLLED = "already_enrolled", "You are already enrolled in this series."
    ALREADY_REDEEMED = "already_redeemed", "You have already redeemed this code."


def _refuse(failure: RedeemFailure) -> ValidationError:
    return ValidationError(failure.label, code=failure.value)


def normalise_code(text: str) -> str:
    """A code as stored: letters and digits only, in capitals (members may type dashes,
    spaces and lower case)."""
    return re.sub(r"[^0-9A-Za-z]", "", text or "").upper()[:40]


def random_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def check_enrolment(*, series: Series, until: dt.datetime | None) -> None:
    """Refuse an enrolment that could never be used: the series has ended, or the date
    is already past."""
    now = timezone.now()
    if series.has_ended(now):
        raise ValidationError(
            f"“{series.title}” has ended: nobody can enrol any more.", code="ended"
        )
    if until is not None and until <= now:
        raise ValidationError({"until": "This date has passed."}, code="past")


@transaction.atomic
def enrol(
    *,
    user: User,
    series: Series,
    until: dt.datetime | None = None,
    source: str = EnrolmentSource.EDITOR,
    granted_by: User | None = None,
) -> Enrolment:
    """Give a member access to every session of a series, until `until` (None: the end of
    the window). Enrolling again renews an expired enrolment or extends an active one."""
    check_enrolment(series=series, until=until)
    now = timezone.now()
    enrolment, created = Enrolment.objects.select_for_update().get_or_create(
        user=user,
        series=series,
        defaults={"until": until, "source": source, "granted_by": granted_by},
    )
    if not created:
        current = enrolment.until
        if current is not None and current > now and until is not None:
            until = max(current, until)
        elif current is None and enrolment.is_active(now):
            until = None
        enrolment.until, enrolment.source, enrolment.granted_by = until, source, granted_by
        enrolment.save(update_fields=["until", "source", "granted_by", "updated_at"])
    return enrolment


@transaction.atomic
def set_enrolment_until(*, enrolment: Enrolment, until: dt.datetime | None) -> Enrolment:
    """Change when an enrolment ends (an editor shortening or extending it)."""
    enrolment.until = until
    enrolment.save(update_fields=["until", "updated_at"])
    return enrolment


@transaction.atomic
def end_enrolment(*, enrolment: Enrolment) -> Enrolment:
    """Take access away now (the record stays, for the member's history)."""
    enrolment.until = timezone.now()
    enrolment.save(update_fields=["until", "updated_at"])
    return enrolment


@transaction.atomic
def redeem_code(*, user: User, code: str) -> Enrolment:
    """Enrol a member with an access code. Race-safe: the code's row is locked where the
    database can (select_for_update), and a use is taken with a conditional UPDATE that
    fails once `uses` has reached `max_uses`, so two members cannot share the last use."""
    canonical = normalise_code(code)
    access_code = (
        AccessCode.objects.select_for_update().select_related("series").filter(code=canonical)
    ).first()
    if not canonical or access_code is None or not access_code.series.is_published:
        raise _refuse(RedeemFailure.UNKNOWN)
    series, now = access_code.series, timezone.now()
    if Enrolment.objects.active(now).filter(user=user, series=series).exists():
        raise _refuse(RedeemFailure.ALREADY_ENROLLED)
    if Redemption.objects.filter(code=access_code, user=user).exists():
        raise _refuse(RedeemFailure.ALREADY_REDEEMED)
    if series.has_ended(now):
        raise _refuse(RedeemFailure.ENDED)
    if access_code.expires_at is not None and access_code.expires_at <= now:
        raise _refuse(RedeemFailure.EXPIRED)
    taken = AccessCode.objects.filter(pk=access_code.pk, uses__lt=F("max_uses")).update(
        uses=F("uses") + 1
    )
    if not taken:
        raise _refuse(RedeemFailure.USED_UP)
    until = access_code.access_until
    if until is not None and until <= now:
        until = None  # a code still valid gives at least the rest of the window
    enrolment = enrol(user=user, series=series, until=until, source=EnrolmentSource.CODE)
    try:
        with transaction.atomic():
            Redemption.objects.create(code=access_code, user=user, enrolment=enrolment)
    except IntegrityError:  # the same member, twice at once: the first one counts
        raise _refuse(RedeemFailure.ALREADY_REDEEMED) from None
    return enrolment


@transaction.atomic
def save_access_code(*, access_code: AccessCode) -> AccessCode:
    """Store a code in its canonical form, or a new random one if it has none."""
    access_code.code = normalise_code(access_code.code)
    if not access_code.code:
        access_code.code = random_code()
        while AccessCode.objects.filter(code=access_code.code).exists():
            access_code.code = random_code()
    access_code.full_clean()
    access_code.save()
    return access_code


@transaction.atomic
def create_access_codes(
    *,
    series: Series,
    count: int = 1,
    max_uses: int = 1,
    expires_at: dt.datetime | None = None,
    access_until: dt.datetime | None = None,
    note: str = "",
    code: str = "",
) -> list[AccessCode]:
    """Make `count` random codes (or one with the given `code`) for a series."""
    if code and count != 1:
        raise ValueError("a chosen code is one code")
    return [
        save_access_code(
            access_code=AccessCode(
                code=code,
                series=series,
                max_uses=max_uses,
                expires_at=expires_at,
                access_until=access_until,
                note=note,
            )
        )
        for _ in range(count)
    ]


def normalise_email(email: str) -> str:
    email = (email or "").strip()
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}" if local else email


@transaction.atomic
def request_release_notice(*, email: str, series: Series | None = None) -> ReleaseNotice:
    """Keep an address to tell about the next release (once per address and series)."""
    email = normalise_email(email)
    validate_email(email)
    existing = ReleaseNotice.objects.filter(email__iexact=email, series=series).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return ReleaseNotice.objects.create(email=email, series=series)
    except IntegrityError:  # the same address twice at once
        return ReleaseNotice.objects.get(email=email, series=series)


@transaction.atomic
def mark_notified(*, notices: Iterable[ReleaseNotice]) -> int:
    """Record that these addresses were told of a release."""
    pks = [notice.pk for notice in notices]
    return ReleaseNotice.objects.filter(pk__in=pks).update(notified_at=timezone.now())


def _session_slug(series: Series, title: str) -> str:
    base = (slugify(title) or "session")[:100]
    taken = set(
        Session.objects.filter(series=series, slug__startswith=base).values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_series(
    *,
    title: str,
    description: str,
    presenters: Iterable[Person] = (),
    slug: str = "",
    offer: str = "",
    starts: dt.datetime | None = None,
    ends: dt.datetime | None = None,
    is_published: bool = True,
    artwork: File[Any] | None = None,
    featured_image: MediaItem | None = None,
) -> Series:
    """Add a series (its sessions come with add_session); its featured image is a
    described picture of the media library."""
    series = Series(
        title=title.strip(),
        slug=slug or unique_slug(Series, title),
        description=description.strip(),
        offer=offer,
        starts=starts,
        ends=ends,
        is_published=is_published,
        featured_image=featured_image,
    )
    if artwork is not None:
        series.artwork = artwork
    series.full_clean()
    series.save()
    series.presenters.set(list(presenters))
    return series


@transaction.atomic
def add_session(
    *,
    series: Series,
    title: str,
    description: str = "",
    presenter: Person | None = None,
    duration: dt.timedelta | None = None,
    video: File[Any] | None = None,
    captions: File[Any] | None = None,
    slug: str = "",
) -> Session:
    """Add a session at the end of a series."""
    last = series.sessions.aggregate(last=models.Max("position"))["last"]
    session = Session(
        series=series,
        position=0 if last is None else last + 1,
        title=title.strip(),
        slug=slug or _session_slug(series, title),
        description=description.strip(),
        presenter=presenter,
        duration=duration,
    )
    if video is not None:
        session.video = video
    if captions is not None:
        session.captions = captions
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def create_clip(
    *,
    series: Series,
    title: str,
    session: Session | None = None,
    post: Post | None = None,
    description: str = "",
    video: File[Any] | None = None,
    video_url: str = "",
    captions: File[Any] | None = None,
    poster: File[Any] | None = None,
    starts_at: int | None = None,
) -> Clip:
    """Add a clip of a series (from one of its sessions), on an article or not."""
    clip = Clip(
        series=series,
        session=session,
        post=post,
        title=title,
        description=description,
        video_url=video_url,
        starts_at=starts_at,
    )
    for name, value in (("video", video), ("captions", captions), ("poster", poster)):
        if value is not None:
            setattr(clip, name, value)
    return save_clip(clip=clip)


@transaction.atomic
def save_clip(*, clip: Clip) -> Clip:
    """Check and store a clip, new or changed, and attach it to its article. Its files go to
    the protected storage whatever the article (models.Clip): the article may become
    members-only later, and then nothing has to move. Who may attach a clip to which
    article is the caller's check (the admin offers only posts the editor may change)."""
    clip.title = clip.title.strip()
    clip.description = clip.description.strip()
    clip.video_url = clip.video_url.strip()
    clip.full_clean()
    clip.save()
    return clip
