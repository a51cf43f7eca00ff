"""Changes to what readers see start a new content version (see stoa.core.cache).

Series, sessions, clips and the presenters of a series appear on shared pages (the series
pages, the post page's clip), so every save and delete of them starts a new version. The
private records (enrolments, codes, redemptions, release-notice addresses) appear only on a
member's own pages, which are never cached: were they to start new versions, any visitor
could empty the page cache by posting the release-notice form.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from stoa.core.cache import content_changed
from stoa.webcasts.models import Clip, Series, Session

SHOWN_TO_READERS = (Series, Session, Clip)


def connect() -> None:
    """Connect the receivers; called once from the app's ready()."""
    for model in SHOWN_TO_READERS:
        name = model.__name__
        post_save.connect(content_changed, sender=model, dispatch_uid=f"webcasts-{name}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"webcasts-del-{name}")
    m2m_changed.connect(
        content_changed,
        sender=Series.presenters.through,
        dispatch_uid="webcasts-m2m-presenters",
    )
