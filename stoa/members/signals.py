"""What members tells other apps, which it never imports: they connect to these signals.

- ``profile_changed(user, fields)``: something others show about a member changed; ``fields``
  is a frozenset of "display_name", "avatar" and "credential" (its verification). Sent inside
  the change's transaction, so a receiver's writes commit or roll back with it.
- ``account_deleting(user, keep_comments)``: the account is about to be deleted, inside the
  deletion's transaction; each app removes or anonymises what it keeps about the member.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal

profile_changed = Signal()
account_deleting = Signal()

DISPLAY_NAME, AVATAR, CREDENTIAL = "display_name", "avatar", "credential"


def create_profile(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """Every account has a profile from the start (fixtures load theirs as they are)."""
    if created and not raw:
        from stoa.members.models import Profile

        Profile.objects.get_or_create(user=instance)


NAME_FIELDS = ("first_name", "last_name", "username")


def _fallback_name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def remember_names(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """Before an account is saved, note the names a member without a display name is shown
    by (their full name, else their username), to tell afterwards whether it changed."""
    update_fields = kwargs.get("update_fields")
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(NAME_FIELDS) & set(update_fields):
        return  # a login's last_login, say: nothing shown changes
    instance._stoa_names = sender.objects.filter(pk=instance.pk).values_list(*NAME_FIELDS).first()


def announce_new_name(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """An account's names changed (in the admin, say) and its member is shown by them."""
    before = instance.__dict__.pop("_stoa_names", None)
    if created or raw or before is None:
        return
    after = tuple(getattr(instance, name) for name in NAME_FIELDS)
    if _fallback_name(*before) == _fallback_name(*after):
        return
    from stoa.members.models import Profile
    from stoa.members.services import announce_changes

    chosen = Profile.objects.filter(user=instance).values_list("display_name", flat=True).first()
    if not chosen:
        announce_changes(user=instance, fields=frozenset({DISPLAY_NAME}))


def verify_by_reset(sender: Any, user: Any, **kwargs: Any) -> None:
    """A password set through the link allauth mailed proves the address it went to: an
    account with one address (one made by an import, claimable by a reset, say) has it
    verified by the reset, so its first log-in is not sent to confirm it again. With
    several, the link does not say which one it went to, and none is marked."""
    from stoa.members.services import verify_sole_address

    verify_sole_address(user=user)


def connect() -> None:
    """Connect the receivers; called once from the app's ready()."""
    user = settings.AUTH_USER_MODEL
    post_save.connect(create_profile, sender=user, dispatch_uid="member-profile")
    pre_save.connect(remember_names, sender=user, dispatch_uid="member-names-before")
    post_save.connect(announce_new_name, sender=user, dispatch_uid="member-names-after")
    from allauth.account.signals import password_reset

    password_reset.connect(verify_by_reset, dispatch_uid="member-reset-verifies")
    # The signed-in member's copy kept between requests (stoa.members.backends).
    from stoa.members.backends import changed

    for model in (user, "members.Profile"):
        post_save.connect(changed, sender=model, dispatch_uid=f"member-kept-{model}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"member-kept-{model}")
