"""Authentication backends: Django's and allauth's, loading the signed-in member with their
profile in one query.

Every page a member opens loads them (AuthenticationMiddleware, lazily), and most of those
pages show their chosen name, which lives on the profile (models.display_name): a second
query on every member's page, and on the account page a third for the profile form
(issue 12: a member's listing within 5 queries warm). The login itself is unchanged; the
backends' paths are what a session names, so a member signed in before the switch is asked
to sign in once more.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from stoa.members.models import User


class ModelBackend(DjangoModelBackend):
    """Django's username-and-password backend (the admin's log-in form)."""

    def get_user(self, user_id: Any) -> User | None:
        user = User._default_manager.select_related("profile").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class AuthenticationBackend(AllauthBackend):
    """allauth's backend (the site's log-in by email), loading the member as above."""

    get_user = ModelBackend.get_user
