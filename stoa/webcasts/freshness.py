"""What of webcasts readers can see (stoa.core.freshness): published series with their
presenters, their sessions, and clips (on post pages).

Enrolments, access codes, redemptions and release-notice addresses are not here: they show
only on a member's own pages, which are never shared. Were they to start new versions, any
visitor could empty the page cache by posting the release-notice form."""

from stoa.core.freshness import Shown
from stoa.webcasts.models import Clip, Series, Session

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
