"""Changes of state for accounts."""

import secrets

from django.db import transaction

from stoa.members.models import User


@transaction.atomic
def ensure_admin(*, username: str, email: str) -> tuple[User, str | None]:
    """Create the first administrator unless one exists; return it and its new password."""
    existing = User.objects.filter(is_superuser=True).order_by("pk").first()
    if existing is not None:
        return existing, None
    password = secrets.token_urlsafe(12)
    user = User.objects.create_superuser(username=username, email=email, password=password)
    return user, password
