"""Authentication backends: Django's and allauth's, loading the signed-in member with their
profile, kept in the cache between their requests.

Every page a member opens loads them (AuthenticationMiddleware, lazily), and most of those
pages show their chosen name, which lives on the profile (models.display_name). Loaded
together, member and profile were one query on every member's page; kept in the cache (as
the session already is, SESSION_ENGINE cached_db) they are none, so a member's listing is
read warm without a query and the account page within issue 12's 5.

The kept copy is dropped whenever the account or the profile is saved or deleted (at once,
and again when the change commits: a request between the two may have kept the old rows),
so a password changed, an account deactivated or a name edited counts from the next
request, and the session's hash check (django.contrib.auth.get_user) still compares with
the current password. A write that sends no signal (QuerySet.update) is seen when the copy
expires (KEPT) or at once with `forget(user_id)`.

The login itself is unchanged; the backends' paths are what a session names, so a member
signed in before the switch is asked to sign in once more.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.cache import cache

from stoa.core.cache import forget as cache_forget
from stoa.members.models import User

# How long a member's copy is kept without a change that drops it (seconds).
KEPT = 300


def _key(user_id: Any) -> str:
    return f"stoa:member:{user_id}"


def forget(user_id: Any) -> None:
    """The member's kept copy is dropped now and when the current transaction commits."""
    cache_forget(_key(user_id))


def changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Receiver of saves and deletes of accounts and profiles (members.signals.connect)."""
    forget(getattr(instance, "user_id", None) or instance.pk)


class ModelBackend(DjangoModelBackend):
    """Django's username-and-password backend (the admin's log-in form)."""

    def get_user(self, user_id: Any) -> User | None:
        key = _key(user_id)
        user = cache.get(key)
        if user is None:
            user = User._default_manager.select_related("profile").filter(pk=user_id).first()
            if user is None:
                return None
            cache.set(key, user, KEPT)
        return user if self.user_can_authenticate(user) else None


class AuthenticationBackend(AllauthBackend):
    """allauth's backend (the site's log-in by email), loading the member as above."""

    get_user = ModelBackend.get_user
