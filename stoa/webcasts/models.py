"""Webcast series, their sessions, the public clips cut from them, and who may watch."""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from stoa.publishing.models import Person, Post, check_featured_image
from stoa.webcasts import validators
from stoa.webcasts.storage import ProtectedStorage, UploadPath

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from stoa.members.models import User

DAY = dt.timedelta(days=1)
# First segments of /series/... that belong to the app's own pages, so no series may take them.
RESERVED_SERIES_SLUGS = frozenset({"redeem", "notify", "clips"})


def days_left(ends: dt.datetime, now: dt.datetime) -> int:
    """Whole days, rounded up, until `ends`: 1 on the last day, 0 once it has passed."""
    return max(0, math.ceil((ends - now) / DAY))


class SeriesQuerySet(models.QuerySet["Series"]):
    """Reads of series, named as a publisher speaks."""

    def listed(self) -> SeriesQuerySet:
        """Series readers may see (open, coming or ended): the published ones."""
        return self.filter(is_published=True)

    def available(self) -> SeriesQuerySet:
        """Published series whose window is open now."""
        now = timezone.now()
        return self.listed().filter(
            Q(starts__isnull=True) | Q(starts__lte=now), Q(ends__isnull=True) | Q(ends__gt=now)
        )

    def ended(self) -> SeriesQuerySet:
        """Published series whose window has closed."""
        return self.listed().filter(ends__lte=timezone.now())

    def with_presenters(self) -> SeriesQuerySet:
        """Fetch the presenters as a plain list, `presenter_list`."""
        return self.prefetch_related(
            models.Prefetch(
                "presenters", Person.objects.only("name", "slug"), to_attr="presenter_list"
            )
        )

    def newest_first(self) -> SeriesQuerySet:
        return self.order_by(models.F("starts").desc(nulls_last=True), "-pk")


class Series(models.Model):
    """A webcast series: sessions for enrolled members, clips for everyone."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(help_text="Plain text; a blank line starts a new paragraph.")
    presenters = models.ManyToManyField(Person, related_name="webcast_series", blank=True)
    artwork = models.ImageField(
        upload_to=UploadPath("webcasts/artwork"),
        blank=True,
        validators=[validators.ImageValidator()],
        help_text="PNG, JPEG or WebP; re-encoded on upload. Wide (16:9) looks best.",
    )
    # The series' picture in listings, link previews (og:image) and feeds, from the media
    # library with its alternative text and renditions (issue 15); the artwork above stays
    # the page's banner when there is none.
    featured_image = models.ForeignKey(
        "publishing.MediaItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="featured_series",
        limit_choices_to={"content_type__startswith": "image/"},
        help_text="Shown with the series in listings, link previews and on its page.",
    )
    offer = models.CharField(
        "price or offer line",
        max_length=200,
        blank=True,
        help_text="For example: “$149 · six CE hours” or “Free for subscribers”.",
    )
    starts = models.DateTimeField(
        null=True, blank=True, help_text="When sessions can be watched; empty: from now."
    )
    ends = models.DateTimeField(
        null=True, blank=True, help_text="When the series is taken down; empty: never."
    )
    is_published = models.BooleanField(
        "published", default=False, help_text="Readers see only published series."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["-starts", "-pk"]
        verbose_name_plural = "series"
        constraints = [
            models.CheckConstraint(
                condition=Q(starts__isnull=True) | Q(ends__isnull=True) | Q(ends__gt=F("starts")),
                name="series_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("webcasts:series", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.featured_image_id is not None:
            check_featured_image(self.featured_image)
        if self.slug in RESERVED_SERIES_SLUGS:
            raise ValidationError({"slug": f"“{self.slug}” is taken by the series pages."})
        if self.starts and self.ends and self.ends <= self.starts:
            raise ValidationError({"ends": "The series must end after it starts."})

    def has_started(self, now: dt.datetime | None = None) -> bool:
        return self.starts is None or self.starts <= (now or timezone.now())

    def has_ended(self, now: dt.datetime | None = None) -> bool:
        return self.ends is not None and self.ends <= (now or timezone.now())

    def is_available(self, now: dt.datetime | None = None) -> bool:
        """Whether the window is open now."""
        now = now or timezone.now()
        return self.has_started(now) and not self.has_ended(now)

    def days_left(self, now: dt.datetime | None = None) -> int | None:
        """Days until the window closes, rounded up (None: it never does)."""
        return None if self.ends is None else days_left(self.ends, now or timezone.now())


class SessionQuerySet(models.QuerySet["Session"]):
    """Reads of sessions."""

    def in_order(self) -> SessionQuerySet:
        return self.order_by("position", "pk")

    def watchable_by(self, user: User | AnonymousUser) -> SessionQuerySet:
        """Sessions this user may play now, with their series and presenter."""
        from stoa.webcasts.access import can_manage_webcasts

        sessions = self.select_related("series", "presenter")
        if can_manage_webcasts(user):
            return sessions
        if not (user.is_authenticated and user.is_active):
            return sessions.none()
        now = timezone.now()
        enrolled = Enrolment.objects.active(now).filter(user=user, series=OuterRef("series"))
        return sessions.filter(
            Exists(enrolled),
            Q(series__starts__isnull=True) | Q(series__starts__lte=now),
            series__is_published=True,
        )


class Session(models.Model):
    """One recorded session of a series: for enrolled members only."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="sessions")
    position = models.PositiveIntegerField(default=0, help_text="Sessions play in this order.")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120)
    presenter = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="webcast_sessions"
    )
    description = models.TextField(blank=True)
    duration = models.DurationField(
        null=True, blank=True, help_text="hh:mm:ss, as shown in the list of sessions."
    )
    video = models.FileField(
        storage=ProtectedStorage(),
        upload_to=UploadPath("sessions"),
        blank=True,
        validators=[validators.FileTypeValidator(kinds=validators.VIDEO_KINDS, limit="session")],
        help_text="MP4 or WebM. Served only to enrolled members, never from /media/.",
    )
    captions = models.FileField(
        storage=ProtectedStorage(),
        upload_to=UploadPath("sessions/captions"),
        blank=True,
        validators=[validators.FileTypeValidator(kinds=validators.CAPTION_KINDS, limit="captions")],
        help_text="WebVTT (.vtt) captions in English.",
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["series", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["series", "slug"], name="session_unique_slug_in_series")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("webcasts:session", kwargs={"slug": self.series.slug, "session": self.slug})

    def media_url(self, kind: str) -> str:
        """Where the player fetches this session's video or captions (through the checks)."""
        return reverse(
            "webcasts:session_media",
            kwargs={"slug": self.series.slug, "session": self.slug, "kind": kind},
        )


class ClipQuerySet(models.QuerySet["Clip"]):
    """Reads of clips."""

    def with_context(self) -> ClipQuerySet:
        """With the series, session and post a clip card names."""
        return self.select_related("series", "session", "post")


class Clip(models.Model):
    """A short public excerpt of a session, shown on the series page and on a post."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="clips")
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clips",
        help_text="The session it is cut from, if any.",
    )
    post = models.OneToOneField(
        Post,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="webcast_clip",
        help_text="The article that carries it (shown above the article's text).",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # The clip's files are protected (storage.py): sent by views.clip_media, to members only
    # while the article carrying the clip is for members, never from /media/.
    video = models.FileField(
        storage=ProtectedStorage(),
        upload_to=UploadPath("webcasts/clips"),
        blank=True,
        validators=[validators.FileTypeValidator(kinds=validators.VIDEO_KINDS, limit="clip")],
        help_text="MP4 or WebM. Or give a video address instead.",
    )
    video_url = models.CharField(
        "video address",
        max_length=500,
        blank=True,
        validators=[validators.validate_video_url],
        help_text="A YouTube or Vimeo link, or a path to an MP4/WebM on this site (/media/...).",
    )
    captions = models.FileField(
        storage=ProtectedStorage(),
        upload_to=UploadPath("webcasts/clips/captions"),
        blank=True,
        validators=[validators.FileTypeValidator(kinds=validators.CAPTION_KINDS, limit="captions")],
        help_text="WebVTT (.vtt) captions in English (for an uploaded or self-hosted video).",
    )
    poster = models.ImageField(
        storage=ProtectedStorage(),
        upload_to=UploadPath("webcasts/posters"),
        blank=True,
        validators=[validators.ImageValidator()],
        help_text="The still shown before the clip plays; re-encoded on upload.",
    )
    starts_at = models.PositiveIntegerField(
        "starts at (seconds into the session)", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClipQuerySet.as_manager()

    class Meta:
        ordering = ["series", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(video="") ^ Q(video_url=""), name="clip_has_one_video_source"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if bool(self.video) == bool(self.video_url):
            raise ValidationError("Upload a video file or give a video address (one of the two).")
        if self.session is not None and self.session.series_id != self.series_id:
            raise ValidationError({"session": "This session belongs to another series."})

    def media_url(self, kind: str) -> str:
        """Where the player fetches this clip's uploaded video, captions or poster."""
        return reverse("webcasts:clip_media", kwargs={"pk": self.pk, "kind": kind})


class EnrolmentSource(models.TextChoices):
    EDITOR = "editor", "Granted by an editor"
    CODE = "code", "Access code"
    PURCHASE = "purchase", "Purchase"


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    """Reads of enrolments."""

    def active(self, now: dt.datetime | None = None) -> EnrolmentQuerySet:
        """Enrolments that let their member watch now (the series window aside from its end)."""
        now = now or timezone.now()
        return self.filter(
            Q(until__isnull=True) | Q(until__gt=now),
            Q(series__ends__isnull=True) | Q(series__ends__gt=now),
        )

    def of_member(self, user: User) -> EnrolmentQuerySet:
        """This member's enrolments, newest first, with their series."""
        return self.filter(user=user).select_related("series").order_by("-created_at", "-pk")


class EnrolmentManager(models.Manager.from_queryset(EnrolmentQuerySet)):  # type: ignore[misc]
    """Enrolments, and the one read of a member's enrolment in a series."""

    def of_pair(self, *, user_id: int, series_id: int) -> Enrolment | None:
        """This member's enrolment in this series (the pair is unique), or None: one query,
        its SQL written once per database. Every page of a series asks it for a member; the
        ORM's compiling of `filter(user=..., series=...).first()` cost ~0.42 ms in-process,
        the series page's largest piece (issue 12: a member's listing pages within 3 ms and
        6x WordPress's home), where this read costs ~0.08 ms."""
        alias = self.db
        return next(iter(self.using(alias).raw(_pair_sql(alias), [user_id, series_id])), None)


@functools.cache
def _pair_sql(alias: str) -> str:
    """SELECT every column of an enrolment by its member and series, quoted for `alias`."""
    quote = connections[alias].ops.quote_name
    meta = Enrolment._meta
    column = {f.name: quote(f.column) for f in meta.concrete_fields}
    columns, user, series = ", ".join(column.values()), column["user"], column["series"]
    return f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {user} = %s AND {series} = %s"  # noqa: S608 - names from the model


class Enrolment(models.Model):
    """A member's access to every session of a series, until a date or the window's end."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webcast_enrolments"
    )
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="enrolments")
    until = models.DateTimeField(
        null=True, blank=True, help_text="Empty: until the series window ends."
    )
    source = models.CharField(
        max_length=10, choices=EnrolmentSource.choices, default=EnrolmentSource.EDITOR
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnrolmentManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "series"], name="enrolment_unique_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.series}"

    def ends_at(self) -> dt.datetime | None:
        """When access ends: the earlier of `until` and the series' end (None: never)."""
        moments = [m for m in (self.until, self.series.ends) if m is not None]
        return min(moments, default=None)

    def is_active(self, now: dt.datetime | None = None) -> bool:
        end = self.ends_at()
        return end is None or end > (now or timezone.now())


class AccessCode(models.Model):
    """A code a member redeems for an enrolment: single-use or good for a number of uses."""

    code = models.CharField(
        max_length=40,
        unique=True,
        blank=True,
        help_text="Letters and digits (dashes and spaces are ignored); empty: a random code.",
    )
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="access_codes")
    max_uses = models.PositiveIntegerField(default=1, help_text="1: a single-use code.")
    uses = models.PositiveIntegerField(default=0, editable=False)
    expires_at = models.DateTimeField(
        "expires", null=True, blank=True, help_text="Empty: until the series ends."
    )
    access_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="How long the enrolment it gives lasts; empty: until the series ends.",
    )
    note = models.CharField(
        max_length=200, blank=True, help_text="Who it is for (only editors see this)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(max_uses__gte=1), name="access_code_max_uses_1"),
            models.CheckConstraint(
                condition=Q(uses__lte=F("max_uses")), name="access_code_uses_within_max"
            ),
        ]

    def __str__(self) -> str:
        return self.display_code

    @property
    def display_code(self) -> str:
        """The code in groups of four, as printed for members."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def uses_left(self) -> int:
        return max(0, self.max_uses - self.uses)


class Redemption(models.Model):
    """A record that a member redeemed a code."""

    code = models.ForeignKey(AccessCode, on_delete=models.CASCADE, related_name="redemptions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webcast_redemptions"
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.SET_NULL, null=True, blank=True, related_name="redemptions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["code", "user"], name="redemption_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.code} by {self.user}"


class ReleaseNotice(models.Model):
    """A request to be told by email when the next series is released. Private: the
    address is for that one email, seen only in the back office."""

    email = models.EmailField()
    series = models.ForeignKey(
        Series,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="release_notices",
        help_text="The series whose page the request was made on.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["email", "series"], name="release_notice_once"),
        ]

    def __str__(self) -> str:
        return self.email


def next_window_change() -> dt.datetime | None:
    """When a series page next changes by itself: a window opening or closing, or the
    "N days left" count going down (a content clock: settings.STOA["CONTENT_CLOCKS"])."""
    now = timezone.now()
    windows = Series.objects.listed().filter(Q(starts__gt=now) | Q(ends__gt=now))
    moments: list[dt.datetime] = []
    for starts, ends in windows.values_list("starts", "ends"):
        if starts is not None and starts > now:
            moments.append(starts)
        if ends is not None and ends > now:
            moments.append(ends)
            if starts is None or starts <= now:
                # An open series counts its days: k while ends - now is in ((k-1)d, kd].
                moments.append(ends - DAY * (days_left(ends, now) - 1))
    return min(moments, default=None)


def presents_post_clip(post: Post, user: User) -> bool:
    """Whether this member presents the clip the post carries: its session's presenter, or
    one of its series' presenters (their comments there get the "Author" badge)."""
    presenter = Q(session__presenter__user=user) | Q(series__presenters__user=user)
    return Clip.objects.filter(presenter, post=post).exists()
