"""Accounts in the back office: users with their profile, and the credentials to verify.

Profiles change through stoa.members.services here too, so a changed credential loses its
verification and the member's comments show every change.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from stoa.members import services
from stoa.members.models import Profile, User, display_name

PROFILE_FIELDS = (
    "display_name",
    "bio",
    "avatar",
    "credential",
    "credential_verified_at",
    "credential_verified_by",
)


def _moderator(request: HttpRequest) -> User:
    """The signed-in staff member (admin views are never reached anonymously)."""
    return cast(User, request.user)


class ProfileInline(admin.StackedInline):
    """The profile, read-only beside the account; it is edited on its own page."""

    model = Profile
    fk_name = "user"
    can_delete = False
    fields = PROFILE_FIELDS
    readonly_fields = PROFILE_FIELDS
    show_change_link = True


@admin.register(User)
class MemberAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ("username", "shown_as", "email", "is_staff", "is_active", "date_joined")
    list_select_related = ("profile",)

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        # A new account gets its profile when it is saved.
        return list(self.inlines) if obj is not None else []

    @admin.display(description="shown as")
    def shown_as(self, user: User) -> str:
        return display_name(user)


class CredentialFilter(admin.SimpleListFilter):
    title = "credential"
    parameter_name = "credential"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("waiting", "Waiting for verification"), ("verified", "Verified")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "waiting":
            return queryset.filter(pk__in=Profile.objects.awaiting_verification())
        if self.value() == "verified":
            return queryset.filter(credential_verified_at__isnull=False)
        return queryset


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """Where moderators verify the credentials members state."""

    list_display = ("member", "credential", "credential_verified_at", "credential_verified_by")
    list_filter = (CredentialFilter,)
    search_fields = ("display_name", "credential", "user__username")
    list_select_related = ("user", "credential_verified_by")
    fields = ("user", *PROFILE_FIELDS)
    # Pictures are only taken from members through the account page, which re-encodes them;
    # here a moderator can only remove one (an action).
    readonly_fields = ("user", "avatar", "credential_verified_at", "credential_verified_by")
    actions = ["verify_credentials", "withdraw_verifications", "remove_pictures"]

    @admin.display(description="member", ordering="display_name")
    def member(self, profile: Profile) -> str:
        return display_name(profile.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Profiles come with accounts.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # They go with accounts too.
        return False

    def has_verify_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("members.verify_credential")

    @admin.action(description="Verify the selected members' credentials", permissions=["verify"])
    def verify_credentials(self, request: HttpRequest, queryset: QuerySet[Profile]) -> None:
        done = 0
        for profile in queryset.select_related("user"):
            try:
                services.verify_credential(profile=profile, moderator=_moderator(request))
            except ValidationError:
                name = display_name(profile.user)
                self.message_user(request, f"{name} has not stated a credential.", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, f"Credentials verified: {done}.", messages.SUCCESS)

    @admin.action(description="Withdraw the verification of the selected", permissions=["verify"])
    def withdraw_verifications(self, request: HttpRequest, queryset: QuerySet[Profile]) -> None:
        for profile in queryset:
            services.withdraw_verification(profile=profile)
        self.message_user(request, "Verifications withdrawn.", messages.SUCCESS)

    @admin.action(description="Remove the selected members' pictures", permissions=["change"])
    def remove_pictures(self, request: HttpRequest, queryset: QuerySet[Profile]) -> None:
        for profile in queryset.select_related("user").exclude(avatar=""):
            services.update_profile(
                user=profile.user,
                display_name=profile.display_name,
                bio=profile.bio,
                credential=profile.credential,
                remove_avatar=True,
            )
        self.message_user(request, "Pictures removed.", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: Profile, form: Any, change: bool) -> None:
        try:
            services.update_profile(
                user=obj.user,
                display_name=obj.display_name,
                bio=obj.bio,
                credential=obj.credential,
            )
        except ValidationError as error:
            # The form's own limits match the service's, so this only says what it refused.
            self.message_user(request, " ".join(error.messages), messages.ERROR)
