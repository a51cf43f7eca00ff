"""Jinja2 globals and filters this app's templates bring (and any page showing a member)."""

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from stoa.members.avatars import member_avatar
from stoa.members.models import User, display_name


def profile_url(user: User) -> str:
    """The member's public page (by account number: it never changes, and says nothing)."""
    return reverse("members:profile", kwargs={"pk": user.pk})


GLOBALS: dict[str, Callable[..., Any]] = {
    "member_avatar": member_avatar,
    "display_name": display_name,
    "profile_url": profile_url,
}
FILTERS: dict[str, Callable[..., Any]] = {}
