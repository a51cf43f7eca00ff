"""Who may see and watch what: one function per object, and every view asks them.

- A series page: published series to everyone; unpublished ones to editors only.
- A session (its page, video and captions): editors always; otherwise a member with an
  active enrolment, while the series window is open.
- A clip: everyone, unless the article carrying it is not yet live or is for members only
  and the reader may not read it in full.
- A clip's files may be kept by shared caches only while the clip is everyone's (its series
  published, its article, if any, live and public); otherwise they are sent `private`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

from stoa.publishing.models import Post, PostVisibility, can_preview_posts, can_read_full_post
from stoa.webcasts.models import Clip, Enrolment, Series, Session

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from stoa.members.models import User


class Reason(models.TextChoices):
    """Why a viewer may or may not watch a series' sessions."""

    STAFF = "staff", "Editors see every series"
    ENROLLED = "enrolled", "Enrolled"
    HIDDEN = "hidden", "Not published"
    NOT_STARTED = "not_started", "The series has not started"
    ENDED = "ended", "The series has ended"
    VISITOR = "visitor", "Not logged in"
    NOT_ENROLLED = "not_enrolled", "Not enrolled"
    EXPIRED = "expired", "The enrolment has expired"


@dataclass(frozen=True)
class SeriesAccess:
    """What one viewer may do with one series, and why."""

    reason: Reason
    enrolment: Enrolment | None = None

    @property
    def can_view(self) -> bool:
        """Whether the series page exists for this viewer."""
        return self.reason != Reason.HIDDEN

    @property
    def can_watch(self) -> bool:
        """Whether this viewer may play every session."""
        return self.reason in (Reason.STAFF, Reason.ENROLLED)

    @property
    def until(self) -> dt.datetime | None:
        """When an enrolled viewer's access ends (None: not enrolled, or never)."""
        return self.enrolment.ends_at() if self.enrolment and self.can_watch else None


def can_manage_webcasts(user: User | AnonymousUser) -> bool:
    """Editors: staff who may change series see every series and session, at any time."""
    return bool(user.is_active and user.is_staff and user.has_perm("webcasts.change_series"))


def enrolment_of(user: User | AnonymousUser, series: Series) -> Enrolment | None:
    """This member's enrolment in the series, active or not (one query)."""
    if not user.is_authenticated:
        return None
    enrolment = Enrolment.objects.of_pair(user_id=user.pk, series_id=series.pk)
    if enrolment is not None:
        enrolment.series = series  # already at hand: no query for it later
    return enrolment


def access_series(
    user: User | AnonymousUser, series: Series, *, now: dt.datetime | None = None
) -> SeriesAccess:
    """The one rule for a series and everything in it. At most one query (the member's
    enrolment), plus the permission look-up for staff."""
    now = now or timezone.now()
    if can_manage_webcasts(user):
        return SeriesAccess(Reason.STAFF)
    if not series.is_published:
        return SeriesAccess(Reason.HIDDEN)
    if series.has_ended(now):
        return SeriesAccess(Reason.ENDED)
    if not series.has_started(now):
        return SeriesAccess(Reason.NOT_STARTED)
    if not (user.is_authenticated and user.is_active):
        return SeriesAccess(Reason.VISITOR)
    enrolment = enrolment_of(user, series)
    if enrolment is None:
        return SeriesAccess(Reason.NOT_ENROLLED)
    # The series has not ended (checked above), so only the enrolment's own date is left.
    if enrolment.until is not None and enrolment.until <= now:
        return SeriesAccess(Reason.EXPIRED, enrolment)
    return SeriesAccess(Reason.ENROLLED, enrolment)


def can_view_series(user: User | AnonymousUser, series: Series) -> bool:
    """Whether the series page is there for this user (no query for readers)."""
    return series.is_published or can_manage_webcasts(user)


def can_watch_session(user: User | AnonymousUser, session: Session) -> bool:
    """Whether this user may open the session's page and play its video."""
    return access_series(user, session.series).can_watch


def can_watch_clip(user: User | AnonymousUser, clip: Clip, post: Post | None = None) -> bool:
    """Whether this user may play a clip. `post` is the clip's post if already at hand."""
    if not clip.series.is_published and not can_manage_webcasts(user):
        return False
    if clip.post_id is None:
        return True
    post = post or clip.post
    if post is None:
        return True
    if can_preview_posts(user):
        return True
    return post.is_live and can_read_full_post(user, post)


def is_clip_public(clip: Clip, post: Post | None = None) -> bool:
    """Whether anyone at all may play this clip now, so that its files may be kept by shared
    caches (`public`); a staff preview or a members-only article's clip is `private`. `post`
    is the clip's post if already at hand."""
    if not clip.series.is_published:
        return False
    if clip.post_id is None:
        return True
    post = post or clip.post
    if post is None:
        return True
    return post.is_live and post.visibility == PostVisibility.PUBLIC
