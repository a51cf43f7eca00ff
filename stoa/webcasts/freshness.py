"""What of webcasts readers can see (stoa.core.freshness): published series with their
presenters, their sessions, and clips (on post pages).

Enrolments, access codes, redemptions and release-notice addresses are not here: they show
only on a member's own pages, which are never shared. Were they to start new versions, any
visitor could empty the page cache by posting the release-notice form."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from stoa.core.freshness import Shown
from stoa.members.cache import Owned
from stoa.members.models import User
from stoa.webcasts.models import Clip, Enrolment, Series, Session

SHOWN = [
    Shown(
        Series,
        when=lambda series: series.is_published,
        fields=("is_published",),
        m2m=("presenters",),
    ),
    Shown(Session),
    Shown(Clip),
]

# A member's enrolments show on their own account page (stoa.members.cache), each ended or
# not: the page is redrawn when one changes, and when the first of them ends by itself.
OWNED = [Owned(Enrolment)]


def next_enrolment_end(member: User) -> dt.datetime | None:
    """The first moment one of the member's enrolments ends, from now on (None: never)."""
    now = timezone.now()
    ends = (e.ends_at() for e in Enrolment.objects.filter(user=member).select_related("series"))
    return min((end for end in ends if end is not None and end > now), default=None)


OWN_CLOCKS = [next_enrolment_end]
