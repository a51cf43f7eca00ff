"""Changes of state for accounts and profiles: views, the admin and commands all call these."""

from __future__ import annotations

import secrets
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from stoa.core import freshness
from stoa.core.conf import stoa_setting
from stoa.members import avatars, signals
from stoa.members.models import Profile, User

DISPLAY_NAME_MAX = 80
BIO_MAX = 600
CREDENTIAL_MAX = 120


@transaction.atomic
def ensure_admin(*, username: str, email: str) -> tuple[User, str | None]:
    """Create the first administrator unless one exists; return it and its new password."""
    existing = User.objects.filter(is_superuser=True).order_by("pk").first()
    if existing is not None:
        return existing, None
    password = secrets.token_urlsafe(12)
    user = User.objects.create_superuser(username=username, email=email, password=password)
    return user, password


@transaction.atomic
def create_claimable_account(
    *, username: str, email: str, first_name: str = "", last_name: str = "", display_name: str = ""
) -> User:
    """An account made for someone who is not here yet (an author of an imported site): no
    usable password, so nobody can sign in with it until its owner claims it by resetting
    the password (allauth finds it by its address, kept unverified until then)."""
    user = User(
        username=username, email=email, first_name=first_name[:150], last_name=last_name[:150]
    )
    user.set_unusable_password()
    # Not full_clean(): the address is kept as the old site had it, even one Django's
    # validator would refuse (an import must not fail on an author's typo; the owner
    # corrects it when claiming the account).
    user.save()
    if display_name:
        Profile.objects.filter(user=user).update(display_name=display_name[:DISPLAY_NAME_MAX])
    if email:
        EmailAddress.objects.get_or_create(
            user=user, email=email.lower(), defaults={"primary": True, "verified": False}
        )
    return user


@transaction.atomic
def verify_sole_address(*, user: User) -> bool:
    """Mark the account's address verified if it has exactly one (see
    signals.verify_by_reset); True if one was marked now."""
    addresses = list(EmailAddress.objects.filter(user=user)[:2])
    if len(addresses) != 1 or addresses[0].verified:
        return False
    addresses[0].verified = True
    addresses[0].save(update_fields=["verified"])
    return True


@transaction.atomic
def profile_for(*, user: User) -> Profile:
    """The member's profile, made now if the account predates it."""
    profile, _ = Profile.objects.get_or_create(user=user)
    user.profile = profile
    return profile


def _delete_file_later(name: str) -> None:
    """Remove a replaced avatar once the change is committed (never while it may roll back)."""
    if name:
        storage = Profile._meta.get_field("avatar").storage
        transaction.on_commit(lambda: storage.delete(name))


def _one_line(value: str, *, field: str, label: str, limit: int) -> str:
    value = " ".join(value.split())
    if len(value) > limit:
        raise ValidationError(
            {field: f"{label} is limited to {limit} characters; this one has {len(value)}."}
        )
    return value


@transaction.atomic
def update_profile(
    *,
    user: User,
    display_name: str,
    bio: str,
    credential: str,
    avatar: UploadedFile | None = None,
    remove_avatar: bool = False,
) -> Profile:
    """Change what a member shows others. A new credential text waits for a moderator again;
    a new picture is checked and re-encoded (ValidationError says what is wrong)."""
    name = _one_line(display_name, field="display_name", label="A name", limit=DISPLAY_NAME_MAX)
    credential = _one_line(
        credential, field="credential", label="A credential", limit=CREDENTIAL_MAX
    )
    bio = bio.strip().replace("\r\n", "\n")
    if len(bio) > BIO_MAX:
        raise ValidationError(
            {"bio": f"The bio is limited to {BIO_MAX} characters; this one has {len(bio)}."}
        )
    picture = avatars.prepare_avatar(avatar) if avatar is not None else None
    profile = Profile.objects.select_for_update().get(pk=profile_for(user=user).pk)
    before = _shown(profile, user)
    profile.display_name = name
    if credential != profile.credential:
        # A verification vouches for the words a moderator read, not for whatever comes next.
        profile.credential = credential
        profile.credential_verified_at = None
        profile.credential_verified_by = None
    profile.bio = bio
    if picture is not None or remove_avatar:
        _delete_file_later(profile.avatar.name)
        profile.avatar.name = ""
    if picture is not None:
        # A new name for every picture: browsers and proxies may keep the old one for ever.
        profile.avatar.save(f"{secrets.token_urlsafe(12)}.webp", picture, save=False)
    profile.save()
    user.profile = profile
    after = _shown(profile, user)
    _announce(user, {key for key in before if before[key] != after[key]})
    return profile


def _shown(profile: Profile, user: User) -> dict[str, str]:
    """What other apps print about the member, to tell which of it a change touched."""
    return {
        signals.DISPLAY_NAME: profile.display_name or user.get_full_name() or user.get_username(),
        signals.AVATAR: profile.avatar.name or "",
        signals.CREDENTIAL: profile.verified_credential,
    }


def _announce(user: User, changed: set[str]) -> None:
    # The public profile page changes with any edit (the profile's own save says so through
    # stoa.members.freshness; the account's names, shown where no display name is chosen,
    # do not): comments change only with what they show.
    freshness.mark_changed()
    if changed:
        signals.profile_changed.send(sender=Profile, user=user, fields=frozenset(changed))


@transaction.atomic
def announce_changes(*, user: User, fields: frozenset[str]) -> None:
    """Tell the other apps that what they show of this member changed (the account's own
    names, changed in the admin, for a member who chose no display name)."""
    _announce(user, set(fields))


@transaction.atomic
def verify_credential(*, profile: Profile, moderator: User) -> Profile:
    """A moderator vouches for the member's stated credential: it shows as a badge from now."""
    if not profile.credential:
        raise ValidationError({"credential": "This member has not stated a credential."})
    profile = Profile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    if profile.credential_verified_at is not None:
        return profile
    profile.credential_verified_at = timezone.now()
    profile.credential_verified_by = moderator
    profile.save(update_fields=["credential_verified_at", "credential_verified_by", "updated_at"])
    _announce(profile.user, {signals.CREDENTIAL})
    return profile


@transaction.atomic
def withdraw_verification(*, profile: Profile) -> Profile:
    """Take back a credential's verification: the badge disappears, the words stay."""
    profile = Profile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    if profile.credential_verified_at is None:
        return profile
    profile.credential_verified_at = None
    profile.credential_verified_by = None
    profile.save(update_fields=["credential_verified_at", "credential_verified_by", "updated_at"])
    _announce(profile.user, {signals.CREDENTIAL})
    return profile


@transaction.atomic
@freshness.changed()
def delete_account(*, user: User, keep_comments: bool) -> None:
    """Delete the account and everything it owns; each app that keeps something about the
    member removes it, or anonymises it when the member chose to keep their comments."""
    signals.account_deleting.send(sender=User, user=user, keep_comments=keep_comments)
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        _delete_file_later(profile.avatar.name)
    user.delete()


def _exporters() -> list[Any]:
    # Every listed exporter must load: a missing one is a broken setting, not a smaller export.
    return [import_string(path) for path in stoa_setting("ACCOUNT_EXPORTERS")]


@transaction.atomic
def export_data(*, user: User) -> dict[str, Any]:
    """Everything the site keeps about the member, as JSON-ready data (one consistent read)."""
    profile = profile_for(user=user)
    data: dict[str, Any] = {
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "profile": {
            "display_name": profile.display_name,
            "bio": profile.bio,
            "avatar": profile.avatar.url if profile.avatar else None,
            "credential": profile.credential,
            "credential_verified_at": (
                profile.credential_verified_at.isoformat()
                if profile.credential_verified_at
                else None
            ),
        },
    }
    for exporter in _exporters():
        part = exporter(user)
        clash = data.keys() & part.keys()
        if clash:
            raise ValueError(f"{exporter.__module__} exports {sorted(clash)} again")
        data.update(part)
    return data
