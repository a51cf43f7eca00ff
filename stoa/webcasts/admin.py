"""The back office for webcasts: series with their sessions, clips, enrolments (granted
through services.enrol), access codes and release-notice requests. A bad upload is an
error on its field, never a server error."""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from stoa.members.models import User
from stoa.publishing.models import Post
from stoa.webcasts import services
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
from stoa.webcasts.validators import reencode_image

CODES_PER_ACTION = 10


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class ReencodedImagesForm(forms.ModelForm):
    """Re-encode uploaded images (named in `image_fields`) before they are stored."""

    image_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.image_fields:
            field = self.fields.get(name)
            if isinstance(field, forms.ImageField):
                # Django's ImageField opens the upload with Pillow first and answers a
                # decompression bomb, a page named .png and a truncated file with one generic
                # message; the pipeline (reencode_image) is the check, and says which.
                self.fields[name] = forms.FileField(
                    required=field.required,
                    widget=field.widget,
                    label=field.label,
                    help_text=field.help_text,
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.image_fields:
            upload = data.get(name)
            if upload and not getattr(upload, "_committed", False) and name in self.changed_data:
                try:
                    data[name] = reencode_image(upload)
                except ValidationError as error:
                    self.add_error(name, error)
        return data


class SeriesForm(ReencodedImagesForm):
    image_fields = ("artwork",)


class ProtectedFileInput(forms.ClearableFileInput):
    """A file input for protected files: they have a name but no public address."""

    template_name = "webcasts/widgets/protected_file_input.html"
    note = "protected: members watch it on the session page"

    def is_initial(self, value: Any) -> bool:
        return bool(value and getattr(value, "name", None))

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["note"] = self.note
        return context


class ClipFileInput(ProtectedFileInput):
    note = "protected: played on its article and series page to whoever may read the article"


class SessionInline(admin.StackedInline):
    model = Session
    extra = 0
    formfield_overrides = {models.FileField: {"widget": ProtectedFileInput}}
    ordering = ["position", "pk"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["presenter"]
    fields = [
        ("position", "title", "slug"),
        ("presenter", "duration"),
        "description",
        ("video", "captions"),
    ]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    form = SeriesForm
    list_display = ["title", "is_published", "starts", "ends", "window", "session_count"]
    list_filter = ["is_published"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["presenters", "featured_image"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [SessionInline]
    actions = ["generate_codes"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "description",
                    "presenters",
                    "featured_image",
                    "artwork",
                    "offer",
                ]
            },
        ),
        (
            "Availability",
            {"fields": ["is_published", "starts", "ends", "created_at", "updated_at"]},
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Series]:
        return super().get_queryset(request).annotate(session_total=Count("sessions"))

    @admin.display(description="sessions", ordering="session_total")
    def session_count(self, series: Series) -> int:
        return int(getattr(series, "session_total", 0))

    @admin.display(description="window")
    def window(self, series: Series) -> str:
        if series.has_ended():
            return "Ended"
        if not series.has_started():
            return "Coming"
        return "Open"

    @admin.action(description=f"Generate {CODES_PER_ACTION} single-use access codes")
    def generate_codes(self, request: HttpRequest, queryset: QuerySet[Series]) -> None:
        for series in queryset:
            if series.has_ended():
                self.message_user(
                    request, f"“{series}” has ended: no codes made.", messages.WARNING
                )
                continue
            codes = services.create_access_codes(series=series, count=CODES_PER_ACTION)
            listed = ", ".join(code.display_code for code in codes)
            self.message_user(request, f"Codes for “{series}”: {listed}", messages.SUCCESS)


class ClipForm(ReencodedImagesForm):
    image_fields = ("poster",)


@admin.register(Clip)
class ClipAdmin(admin.ModelAdmin):
    form = ClipForm
    formfield_overrides = {
        models.FileField: {"widget": ClipFileInput},
        models.ImageField: {"widget": ClipFileInput},  # the admin's default is its own
    }
    list_display = ["title", "series", "session", "post", "source"]
    list_filter = ["series"]
    list_select_related = ["series", "session", "post"]
    search_fields = ["title", "description", "series__title", "post__title"]
    autocomplete_fields = ["series", "post"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "description", "series", "session", "starts_at", "post"]}),
        ("Video", {"fields": ["video", "video_url", "captions", "poster"]}),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "session":
            kwargs["queryset"] = Session.objects.select_related("series").in_order()
        if db_field.name == "post":
            # A clip shows above its article: only an article this user may change may carry
            # it (an author's own draft, not someone's published post). A crafted POST naming
            # another post is refused by the field ("Select a valid choice"), and the post
            # autocomplete offers the same posts (PostAdmin.get_search_results).
            kwargs["queryset"] = Post.objects.changeable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Clip, form: Any, change: bool) -> None:
        services.save_clip(clip=obj)

    @admin.display(description="video")
    def source(self, clip: Clip) -> str:
        return "Uploaded file" if clip.video else clip.video_url


class EnrolmentAddForm(forms.ModelForm):
    """Grant an enrolment to the member with this email address."""

    email = forms.EmailField(label="Member's email address")

    class Meta:
        model = Enrolment
        fields = ["series", "until"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, series = data.get("email"), data.get("series")
        if email:
            self.member = User.objects.filter(email__iexact=email, is_active=True).first()
            if self.member is None:
                self.add_error("email", "No active member has this email address.")
        if series is not None and getattr(self, "member", None) is not None:
            existing = Enrolment.objects.filter(user=self.member, series=series).first()
            if existing is not None:
                self.add_error(
                    "email",
                    "This member already has an enrolment in this series: open it to change "
                    "its date.",
                )
        if series is not None:
            try:
                services.check_enrolment(series=series, until=data.get("until"))
            except ValidationError as error:
                self.add_error(None, error)
        return data


class EnrolmentChangeForm(forms.ModelForm):
    class Meta:
        model = Enrolment
        fields = ["until"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["user", "member_email", "series", "source", "until", "active", "created_at"]
    list_filter = ["series", "source"]
    list_select_related = ["user", "series"]
    search_fields = ["user__email", "user__username", "series__title"]
    date_hierarchy = "created_at"
    actions = ["end_now"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = EnrolmentChangeForm if obj is not None else EnrolmentAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["email", "series", "until"]
        return ["user", "series", "source", "granted_by", "until", "created_at", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return ["user", "series", "source", "granted_by", "created_at", "updated_at"]

    @admin.display(description="email", ordering="user__email")
    def member_email(self, enrolment: Enrolment) -> str:
        return enrolment.user.email

    @admin.display(description="active", boolean=True)
    def active(self, enrolment: Enrolment) -> bool:
        return enrolment.is_active()

    def save_model(self, request: HttpRequest, obj: Enrolment, form: Any, change: bool) -> None:
        if change:
            services.set_enrolment_until(enrolment=obj, until=obj.until)
            return
        enrolment = services.enrol(
            user=form.member,
            series=obj.series,
            until=obj.until,
            source=EnrolmentSource.EDITOR,
            granted_by=request.user,  # type: ignore[arg-type]
        )
        # The admin goes on with the object it gave us (to log it and redirect to it).
        obj.__dict__.update({k: v for k, v in enrolment.__dict__.items() if k != "_state"})
        obj._state.adding = False

    @admin.action(description="End access now for the selected enrolments")
    def end_now(self, request: HttpRequest, queryset: QuerySet[Enrolment]) -> None:
        for enrolment in queryset:
            services.end_enrolment(enrolment=enrolment)
        self.message_user(request, f"Ended {len(queryset)} enrolment(s).", messages.SUCCESS)


class AccessCodeForm(forms.ModelForm):
    class Meta:
        model = AccessCode
        fields = ["code", "series", "max_uses", "expires_at", "access_until", "note"]

    def clean_code(self) -> str:
        return services.normalise_code(self.cleaned_data.get("code") or "")


@admin.register(AccessCode)
class AccessCodeAdmin(admin.ModelAdmin):
    form = AccessCodeForm
    list_display = [
        "display_code",
        "series",
        "uses",
        "max_uses",
        "expires_at",
        "note",
        "created_at",
    ]
    list_filter = ["series"]
    list_select_related = ["series"]
    search_fields = ["code", "note", "series__title"]
    readonly_fields = ["uses", "created_at"]
    autocomplete_fields = ["series"]

    @admin.display(description="code", ordering="code")
    def display_code(self, access_code: AccessCode) -> str:
        return access_code.display_code

    def save_model(self, request: HttpRequest, obj: AccessCode, form: Any, change: bool) -> None:
        services.save_access_code(access_code=obj)


@admin.register(Redemption)
class RedemptionAdmin(admin.ModelAdmin):
    list_display = ["code", "user", "created_at"]
    list_select_related = ["code", "user"]
    search_fields = ["code__code", "user__email", "user__username"]
    readonly_fields = ["code", "user", "enrolment", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReleaseNotice)
class ReleaseNoticeAdmin(admin.ModelAdmin):
    list_display = ["email", "series", "created_at", "notified_at"]
    list_filter = ["series", ("notified_at", admin.EmptyFieldListFilter)]
    list_select_related = ["series"]
    search_fields = ["email"]
    readonly_fields = ["created_at"]
    actions = ["download_csv", "mark_notified"]

    @admin.action(description="Download the selected addresses (CSV)")
    def download_csv(self, request: HttpRequest, queryset: QuerySet[ReleaseNotice]) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="release-notices-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(["email", "series", "asked", "notified"])
        for notice in queryset.select_related("series"):
            writer.writerow(
                [
                    _cell(notice.email),
                    _cell(notice.series.title) if notice.series else "",
                    notice.created_at.isoformat(),
                    notice.notified_at.isoformat() if notice.notified_at else "",
                ]
            )
        return response

    @admin.action(description="Mark the selected addresses as notified")
    def mark_notified(self, request: HttpRequest, queryset: QuerySet[ReleaseNotice]) -> None:
        count = services.mark_notified(notices=queryset)
        self.message_user(request, f"Marked {count} address(es) as notified.", messages.SUCCESS)
