"""What of the API shows on a member's own pages (stoa.members.cache): their tokens, on their
account page. Nothing of the API shows on pages readers share, so there is no SHOWN here."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.utils import timezone

from stoa.api.models import ApiToken
from stoa.members.cache import Owned
from stoa.members.models import User

OWNED = [Owned(ApiToken)]


def next_token_expiry(member: User) -> dt.datetime | None:
    """The first moment one of the member's tokens expires by itself, from now on: the
    account page stops listing an embedded discussion's login token then."""
    found = ApiToken.objects.filter(user=member, expires_at__gt=timezone.now())
    expiry: dt.datetime | None = found.aggregate(first=Min("expires_at"))["first"]
    return expiry


OWN_CLOCKS = [next_token_expiry]
