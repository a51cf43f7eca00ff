from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ObjectDoesNotExist
from django.db import models


class User(AbstractUser):
    """A person with an account: reader, member, author, editor or moderator."""

    # Custom from the first migration, as Django advises, so that profile fields and login by
    # email can come later without swapping AUTH_USER_MODEL under existing data.

    class Meta:
        swappable = "AUTH_USER_MODEL"
        verbose_name = "user"
        verbose_name_plural = "users"

    @property
    def display_name(self) -> str:
        """The name shown with what this person writes (see display_name())."""
        return display_name(self)


def display_name(user: User) -> str:
    """The name a member chose, else their full name, else their (generated) username."""
    # Never the email address: usernames are generated without it (stoa.members.adapter).
    try:
        chosen = user.profile.display_name
    except ObjectDoesNotExist:
        chosen = ""
    return chosen or user.get_full_name() or user.get_username()


class ProfileQuerySet(models.QuerySet["Profile"]):
    """Reads of members' profiles."""

    def public(self) -> ProfileQuerySet:
        """Profiles anyone may see: those of active accounts."""
        return self.filter(user__is_active=True).select_related("user")

    def awaiting_verification(self) -> ProfileQuerySet:
        """Profiles with a stated credential no moderator has verified yet."""
        return self.exclude(credential="").filter(credential_verified_at__isnull=True)


class Profile(models.Model):
    """What a member shows others: name, bio, avatar and a credential a moderator verified."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(
        max_length=80, blank=True, help_text="Shown with the member's comments."
    )
    bio = models.TextField("short bio", max_length=600, blank=True)
    avatar = models.ImageField(
        upload_to="avatars/",
        blank=True,
        help_text="Re-encoded on upload; without one, an avatar is drawn from initials.",
    )
    credential = models.CharField(
        max_length=120,
        blank=True,
        help_text="A professional credential, e.g. “Licensed clinical social worker”.",
    )
    credential_verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    credential_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        permissions = [("verify_credential", "Can verify members' credentials")]

    def __str__(self) -> str:
        return f"Profile of {display_name(self.user)}"

    @property
    def verified_credential(self) -> str:
        """The credential, once a moderator has verified it; else nothing."""
        return self.credential if self.credential_verified_at else ""
