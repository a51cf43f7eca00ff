"""A member's webcast data, for their account's data export (settings.STOA["ACCOUNT_EXPORTERS"])."""

from __future__ import annotations

import datetime as dt
from typing import Any

from stoa.members.models import User
from stoa.webcasts.models import Enrolment, Redemption, ReleaseNotice


def _when(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def member_data(user: User) -> dict[str, Any]:
    """Their enrolments, the codes they redeemed, and any release-notice requests made with
    their email address."""
    enrolments = [
        {
            "series": enrolment.series.title,
            "series_slug": enrolment.series.slug,
            "source": enrolment.source,
            "enrolled_at": _when(enrolment.created_at),
            "until": _when(enrolment.ends_at()),
            "active": enrolment.is_active(),
        }
        for enrolment in Enrolment.objects.of_member(user)
    ]
    redemptions = [
        {
            "code": redemption.code.display_code,
            "series": redemption.code.series.title,
            "redeemed_at": _when(redemption.created_at),
        }
        for redemption in Redemption.objects.filter(user=user).select_related("code__series")
    ]
    notices = []
    if user.email:
        notices = [
            {
                "email": notice.email,
                "series": notice.series.title if notice.series else None,
                "asked_at": _when(notice.created_at),
                "notified_at": _when(notice.notified_at),
            }
            for notice in ReleaseNotice.objects.filter(email__iexact=user.email).select_related(
                "series"
            )
        ]
    return {"enrolments": enrolments, "redemptions": redemptions, "release_notices": notices}
